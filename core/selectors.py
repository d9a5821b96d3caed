"""Reads about people and the organizations they act for."""

from __future__ import annotations

from django.db import models

from core.models import Membership


def member_org_ids(user) -> models.QuerySet:
    """The organizations a user acts for, as a subquery."""
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values(
        "organization_id"
    )


def is_member(user, organization_id: int | None) -> bool:
    """Whether the user is an active member of the organization (cached on the user)."""
    if not user.is_authenticated or organization_id is None:
        return False
    # The memberships the acting organization is chosen from: one query per request.
    from core.acting import active_memberships  # noqa: PLC0415 — acting uses this module's models

    return any(m.organization_id == organization_id for m in active_memberships(user))
