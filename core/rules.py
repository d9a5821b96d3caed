"""Who may do what with people and organizations: named predicates, in one place.

Read with `rules.has_perm(name, user, obj)` in Python (views, services, the API's
permission classes and serializers) and `{% has_perm name user obj as var %}` in
templates (pretalx's `*/rules.py`, with the `rules` package). The names never
repeat Django's model permissions (add_, change_, delete_, view_), which the admin
checks through the same backends.
"""

from __future__ import annotations

import rules

from core.models import Membership
from core.selectors import is_member


@rules.predicate
def is_staff(user) -> bool:
    """Programme office staff."""
    return bool(user.is_authenticated and user.is_staff)


@rules.predicate
def is_member_of(user, organization) -> bool:
    """An active member of the organization."""
    return organization is not None and is_member(user, organization.pk)


@rules.predicate
def is_owner_of(user, organization) -> bool:
    """An active owner of the organization."""
    return bool(
        organization is not None
        and user.is_authenticated
        and Membership.objects.filter(
            user=user,
            organization=organization,
            role=Membership.Role.OWNER,
            status=Membership.Status.ACTIVE,
        ).exists()
    )


# Acting for the organization (posting for it, seeing its private details such as
# its USCC): its members and staff.
rules.add_perm("core.act_for_organization", is_staff | is_member_of)
rules.add_perm("core.see_organization_private", is_staff | is_member_of)
# Its public details: its owners and staff.
rules.add_perm("core.edit_organization", is_staff | is_owner_of)
# Registering one directly (others register through sign-up): staff.
rules.add_perm("core.register_organization", is_staff)
# Inviting colleagues, answering join requests, removing members: its owners.
rules.add_perm("core.manage_members", is_owner_of)
