"""The check-in page's reads: who is expected at the door, and how many came per side."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from core.enums import Side
from events.models import Event, Registration

RegStatus = Registration.Status
# Attending first (who is expected at the door), then the walk-in candidates.
STATUS_ORDER = Case(
    When(status=RegStatus.REGISTERED, then=Value(0)),
    When(status=RegStatus.CHECKED_IN, then=Value(1)),
    When(status=RegStatus.NO_SHOW, then=Value(2)),
    When(status=RegStatus.WAITLISTED, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def check_in_list(event: Event, query: str = "") -> QuerySet[Registration]:
    """The event's registrations as the door sees them: expected first, then walk-ins.

    A search looks in the organization's names and the attendees; without one, the
    organizations that declined are left out.
    """
    registrations = (
        event.registrations.select_related("organization")
        .annotate(order=STATUS_ORDER)
        .order_by("order", "organization__name")
    )
    if query:
        return registrations.filter(
            Q(organization__name__icontains=query)
            | Q(organization__name_en__icontains=query)
            | Q(attendees__icontains=query)
        )
    return registrations.exclude(status=RegStatus.DECLINED)


def check_in_counts(event: Event) -> list[dict[str, Any]]:
    """Per side: how many are checked in of how many are expected (one query)."""
    counts = {
        (row["side"], row["status"]): row["n"]
        for row in event.registrations.values("side", "status").annotate(n=Count("pk"))
    }
    return [
        {
            "label": label,
            "checked_in": counts.get((side, RegStatus.CHECKED_IN), 0),
            "expected": counts.get((side, RegStatus.CHECKED_IN), 0)
            + counts.get((side, RegStatus.REGISTERED), 0),
        }
        for side, label in Side.choices
    ]


def registration_by_code(event: Event, token: str | None) -> Registration | None:
    """The event's registration whose RSVP code was scanned or typed, if any."""
    if not token:
        return None
    return event.registrations.select_related("organization").filter(rsvp_token=token).first()
