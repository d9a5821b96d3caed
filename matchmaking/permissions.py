"""Who may call which REST endpoint (matchmaking.api).

Reading is filtered by the viewsets' querysets (a record the caller may not see is a
404); these classes decide the writes that are not about one record — posting a new
need or solution, creating organizations — and who may edit an organization.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from matchmaking import selectors
from matchmaking.models import Membership, Organization, User

NEED = "need"
SOLUTION = "solution"


def may_post(organization: Organization, kind: str) -> bool:
    """Enterprises post needs, providers post solutions (organizations of kind "both", either)."""
    return organization.is_enterprise if kind == NEED else organization.is_provider


def posting_organizations(user: User, kind: str) -> list[Organization]:
    """The organizations the user may post a record of `kind` for, oldest membership first."""
    if not user.is_authenticated:
        return []
    memberships = (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("organization")
        .order_by("created_at", "pk")
    )
    return [m.organization for m in memberships if may_post(m.organization, kind)]


def is_owner(user: User, organization: Organization) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user=user,
            organization=organization,
            role=Membership.Role.OWNER,
            status=Membership.Status.ACTIVE,
        ).exists()
    )


def is_organization_insider(user: User, organization: Organization) -> bool:
    """Members of the organization and staff: they see its private fields (the USCC)."""
    return user.is_authenticated and (user.is_staff or selectors.is_member(user, organization.pk))


class CanPostRecord(permissions.BasePermission):
    """Posting a need takes an enterprise membership, a solution a provider membership (or staff).

    The viewset names its record kind in `record_kind`.
    """

    messages = {
        NEED: _("Only members of an enterprise can post scenario needs."),
        SOLUTION: _("Only members of an AI solution provider can post solutions."),
    }

    def has_permission(self, request, view) -> bool:
        if view.action != "create":
            return True
        user = request.user
        if not user.is_authenticated:
            return False
        if user.is_staff or posting_organizations(user, view.record_kind):
            return True
        self.message = self.messages[view.record_kind]
        return False


class OrganizationPermission(permissions.BasePermission):
    """Everyone reads; staff create; an organization's owners (and staff) edit it."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if view.action == "create":
            self.message = _("Organizations register through the sign-up page.")
            return user.is_authenticated and user.is_staff
        return user.is_authenticated

    def has_object_permission(self, request, view, obj: Organization) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = _("Only an owner of the organization can change its details.")
        return request.user.is_staff or is_owner(request.user, obj)
