"""Who may call which REST endpoint (matchmaking.api).

Reading is filtered by the viewsets' querysets (a record the caller may not see is a
404); these classes decide the writes that are not about one record — posting a new
need or solution, creating organizations — and who may edit an organization.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from core.models import Membership, Organization, User

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
