"""Organizations: their details, and the programme office's check of their licence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import audit, signals
from core.errors import NotAllowedError
from core.models import Organization, User
from core.services.bulk import BulkResult

# What only the programme office changes: the code is the organization's identity,
# and "verified" is the office's own statement.
STAFF_ONLY_FIELDS = frozenset({"uscc", "verified"})
# What the office's check vouched for: an owner changing one of these withdraws the
# "verified" badge until the office checks again (the badge would otherwise lend the
# office's word to a name it never saw).
VERIFIED_FIELDS = frozenset({"name", "name_en", "kind"})


@transaction.atomic
def register_organization(*, by: User, fields: dict[str, Any]) -> Organization:
    """Staff register an organization directly (others register through sign-up)."""
    if not rules.has_perm("core.register_organization", by):
        raise NotAllowedError(_("Organizations register through the sign-up page."))
    organization = Organization.objects.create(**fields)
    audit.record(by, "organization.registered", organization)
    return organization


@transaction.atomic
def update_organization(
    *, by: User, organization: Organization, fields: dict[str, Any]
) -> Organization:
    """An owner (or staff) changes the organization's details.

    Compared with the stored row, not with `organization`: a model form has already
    written its values onto the instance it was given. An owner's change of name or kind
    withdraws the "verified" badge (VERIFIED_FIELDS) until the office verifies again;
    the office's own edits keep it.
    """
    if not rules.has_perm("core.edit_organization", by, organization):
        raise NotAllowedError(_("Only an owner of the organization can change its details."))
    stored = Organization.objects.select_for_update().get(pk=organization.pk)
    changed = sorted(name for name, value in fields.items() if getattr(stored, name) != value)
    if not by.is_staff and STAFF_ONLY_FIELDS.intersection(changed):
        raise NotAllowedError(_("Only the programme office can change this."))
    for name, value in fields.items():
        setattr(organization, name, value)
    withdraw = stored.verified and not by.is_staff and bool(VERIFIED_FIELDS.intersection(changed))
    if withdraw:
        organization.verified = False
    organization.save()
    if changed:
        audit.record(by, "organization.changed", organization, fields=changed)
        signals.organization_changed.send(
            sender=Organization, organization=organization, fields=changed
        )
    if withdraw:
        audit.record(by, "organization.unverified", organization, fields=changed)
    return organization


@transaction.atomic
def verify_organizations(*, by: User, organizations: Iterable[Organization]) -> BulkResult:
    """The programme office checked the business licences: mark them verified.

    Organizations already verified are left as they are and counted as skipped.
    """
    if not by.is_staff:
        raise NotAllowedError
    selected = {org.pk for org in organizations}
    pending = list(Organization.objects.select_for_update().filter(pk__in=selected, verified=False))
    Organization.objects.filter(pk__in=[org.pk for org in pending]).update(verified=True)
    for org in pending:
        org.verified = True
    audit.record_each(by, "organization.verified", pending)
    return BulkResult(done=len(pending), skipped=len(selected) - len(pending))
