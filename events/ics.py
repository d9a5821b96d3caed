"""Calendar files (.ics, RFC 5545) of an organization's docking events and meetings.

One VEVENT per meeting, with a UID that stays the same when the meeting moves, so a
calendar that imported the schedule (or subscribes to the feed) updates the entry
instead of adding a second one. Times are in Asia/Shanghai with a VTIMEZONE, which is
what Chinese calendar clients (WeChat Work, DingTalk, Outlook) expect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from core.models import Organization
from events.models import Event, Meeting

PRODID = "-//AI+ Supply-Demand Platform//Docking events//ZH"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "aiplus.local"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{_host()}"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{_host()}"


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def _event_bounds(event: Event) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(event.date, event.start_time), zone)
    end = timezone.make_aware(datetime.combine(event.date, event.end_time), zone)
    return start, end


def _location(event: Event, table: str | None = None) -> str:
    parts = []
    if event.venue is not None:
        parts.append(event.venue.name)
        if event.venue.address:
            parts.append(event.venue.address)
    if event.format == Event.Format.ONLINE and not parts:
        parts.append(str(_("Online")))
    if table is not None:
        parts.append(_("Table %(table)s") % {"table": table})
    return " · ".join(parts)


def _sequence(updated: datetime | None, created: datetime | None) -> int:
    """A revision number that grows with every change, so clients take the newer copy."""
    if updated is None or created is None:
        return 0
    return max(0, int((updated - created).total_seconds()))


def _code_line(codes: Mapping[int, str], event_id: int) -> list[str]:
    code = codes.get(event_id)
    return [_("Check-in code: %(code)s (show it at the door)") % {"code": code}] if code else []


def _meeting_vevent(
    organization: Organization, meeting: Meeting, codes: Mapping[int, str]
) -> VEvent:
    event = meeting.event
    ours_is_enterprise = meeting.enterprise_id == organization.pk
    counterpart = meeting.provider if ours_is_enterprise else meeting.enterprise
    lines = [event.title]
    request = meeting.request if meeting.request_id else None
    if request is not None and request.need_id:
        lines.append(_("Need: %(title)s") % {"title": request.need.title})
    if request is not None and request.solution_id:
        lines.append(_("Solution: %(title)s") % {"title": request.solution.title})
    side = _("Provider") if ours_is_enterprise else _("Enterprise")
    lines.append(f"{side}: {counterpart.display_name}")
    location = _location(event, meeting.table_label)
    page = settings.SITE_URL + reverse("event-detail", args=[event.pk])
    if meeting.video_url:
        # Online or hybrid: the link is where the meeting is, and what a client opens.
        lines.append(_("Video link: %(url)s") % {"url": meeting.video_url})
        location = " · ".join(part for part in (location, meeting.video_url) if part)
    lines += _code_line(codes, event.pk)
    return VEvent.new(
        uid=meeting_uid(meeting),
        summary=_("1:1 meeting with %(org)s") % {"org": counterpart.display_name},
        start=_local(meeting.starts_at),
        end=_local(meeting.ends_at),
        location=location,
        description="\n".join(lines),
        stamp=timezone.now(),
        last_modified=meeting.updated_at,
        sequence=_sequence(meeting.updated_at, meeting.created_at),
        status="CONFIRMED",
        url=meeting.video_url or page,
    )


def _event_vevent(event: Event, codes: Mapping[int, str]) -> VEvent:
    start, end = _event_bounds(event)
    description = [event.title]
    if event.theme:
        description.append(event.theme)
    description += _code_line(codes, event.pk)
    return VEvent.new(
        uid=event_uid(event),
        summary=event.title,
        start=start,
        end=end,
        location=_location(event),
        description="\n".join(description),
        stamp=timezone.now(),
        last_modified=event.updated_at,
        sequence=_sequence(event.updated_at, event.created_at),
        status="CONFIRMED",
        url=settings.SITE_URL + reverse("event-detail", args=[event.pk]),
    )


def ics_for(
    organization: Organization,
    events_or_meetings: Iterable[Event | Meeting],
    *,
    language: str | None = None,
    check_in_codes: Mapping[int, str] | None = None,
) -> bytes:
    """A calendar of the given meetings (and whole events) from `organization`'s side.

    `check_in_codes` (event id → the organization's check-in code, as displayed) puts
    each event's code in the descriptions, for the door.

    Pass meetings for a schedule; pass an event for a session the organization attends
    without meetings of its own. Cancelled meetings are left out: a subscribed calendar
    then drops them. Load meetings with ``select_related("event__venue", "enterprise",
    "provider", "request__need", "request__solution")`` to keep the queries constant.
    """
    codes = check_in_codes or {}
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        calendar = Calendar.new(
            prodid=PRODID,
            method="PUBLISH",
            name=_("%(org)s · docking events") % {"org": organization.display_name},
            uid=f"calendar-{organization.pk}@{_host()}",
        )
        items = sorted(
            events_or_meetings,
            key=lambda item: (
                item.starts_at if isinstance(item, Meeting) else _event_bounds(item)[0]
            ),
        )
        for item in items:
            if isinstance(item, Meeting):
                if item.status == Meeting.Status.CANCELLED:
                    continue
                if organization.pk not in (item.enterprise_id, item.provider_id):
                    raise ValueError(f"meeting {item.pk} does not involve {organization.pk}")
                calendar.add_component(_meeting_vevent(organization, item, codes))
            else:
                calendar.add_component(_event_vevent(item, codes))
        calendar.add_missing_timezones()
        return calendar.to_ical()
