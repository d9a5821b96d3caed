"""Unanswered introductions: one reminder to the asked side, then expiry.

An introduction nobody answered is nudged after INTRODUCTION_NUDGE_DAYS (one email to
the side that was asked) and expires after INTRODUCTION_EXPIRY_DAYS, with a notice to
both sides; either side may ask again afterwards. Both steps are beat jobs
(matchmaking.follow_up_interests) that look at the clock they are given, so a test
moves time by passing `now`; each row is locked and re-checked, each email has a key,
so a second or concurrent run changes and sends nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import audit
from core.enums import Side
from matchmaking.models import Interest
from matchmaking.services.interests import _notify


def _due(days: int, now: datetime):
    return Interest.objects.filter(
        status=Interest.Status.PENDING, created_at__lte=now - timedelta(days=days)
    ).order_by("pk")


@transaction.atomic
def _nudge_one(pk: int, now: datetime) -> bool:
    interest = (
        Interest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("need", "solution")
        .filter(pk=pk, status=Interest.Status.PENDING, nudged_at__isnull=True)
        .first()
    )
    if interest is None:
        return False
    interest.nudged_at = now
    interest.save(update_fields=["nudged_at"])
    audit.record(None, "interest.nudged", interest)
    _notify(interest, to_side=interest.responding_side, template="interest_nudge")
    return True


@transaction.atomic
def _expire_one(pk: int, now: datetime) -> bool:
    interest = (
        Interest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("need", "solution")
        .filter(pk=pk, status=Interest.Status.PENDING)
        .first()
    )
    if interest is None:
        return False
    previous = interest.status
    interest.status = Interest.Status.EXPIRED
    interest.responded_by = None
    interest.responded_at = now
    interest.save(update_fields=["status", "responded_by", "responded_at"])
    audit.record(None, "interest.expired", interest, previous=previous)
    for side in (Side.ENTERPRISE, Side.PROVIDER):
        _notify(interest, to_side=side, template="interest_expired")
    return True


def nudge_interests(*, now: datetime | None = None) -> int:
    """Remind the asked side of introductions left unanswered; returns how many."""
    now = now or timezone.now()
    due = _due(settings.INTRODUCTION_NUDGE_DAYS, now).filter(nudged_at__isnull=True)
    # Ones about to expire are not nudged first: the expiry notice says it all.
    due = due.exclude(created_at__lte=now - timedelta(days=settings.INTRODUCTION_EXPIRY_DAYS))
    return sum(_nudge_one(pk, now) for pk in due.values_list("pk", flat=True))


def expire_interests(*, now: datetime | None = None) -> int:
    """Expire introductions unanswered for too long, telling both sides; returns how many."""
    now = now or timezone.now()
    due = _due(settings.INTRODUCTION_EXPIRY_DAYS, now)
    return sum(_expire_one(pk, now) for pk in due.values_list("pk", flat=True))


def follow_up_interests(*, now: datetime | None = None) -> dict[str, int]:
    """The beat job's body: expire first, then nudge what is left."""
    now = now or timezone.now()
    return {"expired": expire_interests(now=now), "nudged": nudge_interests(now=now)}
