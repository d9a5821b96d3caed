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
    cache = user.__dict__.setdefault("_member_org_ids", None)
    if cache is None:
        cache = set(
            Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list(
                "organization_id", flat=True
            )
        )
        user.__dict__["_member_org_ids"] = cache
    return organization_id in cache
