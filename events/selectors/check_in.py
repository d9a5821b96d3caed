"""The check-in page's reads: who is expected at the door, and how many came per side."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from core.enums import Side
from events.models import Event, Registration
from events.models.registrations import normalize_check_in_code

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


def registration_by_code(event: Event, scanned: str | None) -> Registration | None:
    """The event's registration whose check-in code (or, on older badges, RSVP code)
    was scanned or typed, if any."""
    if not scanned:
        return None
    registrations = event.registrations.select_related("organization")
    code = normalize_check_in_code(scanned)
    if code is not None:
        return registrations.filter(check_in_code=code).first()
    return registrations.filter(rsvp_token=scanned).first()


def event_of_code(scanned: str | None) -> Event | None:
    """The event a check-in code belongs to (to say "this code is for another event")."""
    code = normalize_check_in_code(scanned or "")
    registration = (
        Registration.objects.select_related("event").filter(check_in_code=code).first()
        if code
        else None
    )
    return registration.event if registration else None


def codes_of(organization_id: int, event: Event | None = None) -> dict[int, str]:
    """The organization's check-in codes (as displayed) by event, where it attends."""
    registrations = Registration.objects.filter(
        organization_id=organization_id, status__in=Registration.ATTENDING
    )
    if event is not None:
        registrations = registrations.filter(event=event)
    return {
        event_id: f"{code[:4]}-{code[4:]}"
        for event_id, code in registrations.values_list("event_id", "check_in_code")
    }
