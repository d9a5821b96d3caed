"""Reading schedules: an organization's meetings, an event's published meetings, who
attends, and why a pair was left out of a schedule (from its stored report)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import scheduling
from events.models import Event, Meeting, Registration

# A reason the schedule's own bookkeeping adds to the scheduler's.
REASON_NOT_ATTENDING = "not_attending"

REASON_MESSAGES = {
    scheduling.REASON_SAME_ORGANIZATION: gettext_lazy("%(org_name)s cannot meet itself."),
    scheduling.REASON_CAPACITY: gettext_lazy(
        "The event is full: all %(slots)s slots × %(tables)s tables are taken."
    ),
    scheduling.REASON_NO_COMMON_FREE_SLOT: gettext_lazy(
        "%(enterprise_name)s and %(provider_name)s have no free time slot in common."
    ),
    scheduling.REASON_ORG_LIMIT: gettext_lazy(
        "%(org_name)s has reached its limit of %(limit)s meetings."
    ),
    scheduling.REASON_ORG_SATURATED: gettext_lazy(
        "%(org_name)s has %(requests)s accepted meetings but only %(free_slots)s free time slots."
    ),
    scheduling.REASON_DISPLACED: gettext_lazy(
        "The common free time slots are taken by higher-priority meetings of the two organizations."
    ),
    scheduling.REASON_TIME_LIMIT: gettext_lazy(
        "The scheduler ran out of time (%(seconds)s s) before placing this meeting; "
        "build the schedule again."
    ),
    REASON_NOT_ATTENDING: gettext_lazy("%(org_name)s is not attending the event."),
}


def describe_unscheduled(entry: dict[str, Any]) -> str:
    """Which pair was left out of the schedule and why, in the current language.

    ``entry`` is one item of ``Event.schedule_report["unscheduled"]``.
    """
    params = {"org_name": "?", "enterprise_name": "?", "provider_name": "?"}
    params |= entry.get("params") or {}
    message = REASON_MESSAGES.get(entry.get("reason", ""))
    if message is None:
        reason = _("Not scheduled (%(reason)s).") % {"reason": entry.get("reason", "?")}
    else:
        try:
            reason = str(message) % params
        except (KeyError, TypeError, ValueError):
            reason = str(message)
    if "enterprise_name" not in entry or "provider_name" not in entry:
        return reason
    return _("%(enterprise)s ↔ %(provider)s: %(reason)s") % {
        "enterprise": entry["enterprise_name"],
        "provider": entry["provider_name"],
        "reason": reason,
    }


def unscheduled_for(event: Event, organization_id: int) -> list[dict[str, Any]]:
    """The report's unscheduled entries of one organization, each with its explanation."""
    entries = (event.schedule_report or {}).get("unscheduled", [])
    return [
        {**entry, "explanation": describe_unscheduled(entry)}
        for entry in entries
        if organization_id in (entry.get("enterprise"), entry.get("provider"))
    ]


# --------------------------------------------------------------------------- publish


def meetings_of(
    organization_id: int, *, event: Event | None = None, published_only: bool = True
) -> QuerySet[Meeting]:
    """An organization's live meetings, loaded for pages and calendars (constant queries)."""
    meetings = (
        Meeting.objects.filter(Q(enterprise_id=organization_id) | Q(provider_id=organization_id))
        .exclude(status=Meeting.Status.CANCELLED)
        .exclude(event__status__in=[Event.Status.DRAFT, Event.Status.CANCELLED])
        .select_related(
            "event", "event__venue", "enterprise", "provider", "request__need", "request__solution"
        )
        .order_by("event__date", "event__start_time", "slot")
    )
    if event is not None:
        meetings = meetings.filter(event=event)
    if published_only:
        meetings = meetings.filter(published=True)
    return meetings


def meetings_of_event(event: Event) -> QuerySet[Meeting]:
    """The event's published, live meetings by slot and table (for emails and exports)."""
    return (
        event.meetings.filter(published=True)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("enterprise", "provider", "request__need", "request__solution")
        .order_by("slot", "table")
    )


def attending(event: Event) -> list[Registration]:
    """The organizations registered or checked in, by side and name."""
    return list(
        Registration.objects.filter(event=event, status__in=Registration.ATTENDING)
        .select_related("organization")
        .order_by("side", "organization__name")
    )


def with_labels(event: Event, meetings: list[Meeting], organization_id: int) -> list[Meeting]:
    """Give each meeting its time label and the organization on the other side."""
    for meeting in meetings:
        meeting.event = event
        meeting.time_label = event.slot_label(meeting.slot)
        meeting.counterpart = (
            meeting.provider if meeting.enterprise_id == organization_id else meeting.enterprise
        )
    return meetings
