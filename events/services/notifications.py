"""Emails to an event's participants: their schedules, the reminders before the event,
the feedback request after it and the 90-day follow-up.

Each periodic email goes out once per event (the event records when) and each email
has an idempotency key, so a job that runs twice sends nothing twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from core.emails import Attachment, queue_email
from core.models import OutgoingEmail
from events import qr
from events.ics import ics_for
from events.models import Event, Meeting, Registration
from events.models.events import LOCAL_TIME_ZONE
from events.selectors.schedules import attending, meetings_of_event, unscheduled_for, with_labels
from events.services import feeds
from events.services.requests import event_link, members_of

FOLLOWUP_AFTER = timedelta(days=90)


def _by_organization(event: Event) -> dict[int, list[Meeting]]:
    by_org: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings_of_event(event):
        by_org[meeting.enterprise_id].append(meeting)
        by_org[meeting.provider_id].append(meeting)
    return by_org


QR_CONTENT_ID = "check-in-qr@aiplus"


def check_in_context(registration: Registration) -> dict[str, str]:
    """What the schedule and reminder emails say about the door: the check-in code, its
    QR image and the printable schedule. The HTML body shows the QR from the email
    itself (`cid:`, see `qr_attachment`): mail programs block remote images and data:
    URIs; the plain-text body gives the code as text."""
    return {
        "check_in_code": registration.check_in_code_display,
        "check_in_qr_src": f"cid:{QR_CONTENT_ID}",
        "printable_url": settings.SITE_URL
        + reverse("event-schedule-print", args=[registration.rsvp_token]),
    }


def qr_attachment(registration: Registration) -> Attachment:
    """The check-in QR as an inline image of the HTML body (check-in-code.png)."""
    return Attachment(
        "check-in-code.png",
        qr.png(registration.check_in_code),
        "image/png",
        content_id=QR_CONTENT_ID,
    )


def _schedule_digest(event: Event, meetings: list[Meeting]) -> str:
    """Changes whenever what the organization would read in its schedule changes."""
    parts = [f"{event.date}{event.start_time}{event.slot_minutes}{event.venue_id}"]
    parts += [f"{m.pk}:{m.slot}:{m.table}" for m in meetings]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def email_schedules(event: Event) -> int:
    """Email each attending organization its published meetings with an .ics file.

    An organization whose schedule did not change since the last sending is not
    emailed again. Returns how many organizations were emailed.
    """
    by_org = _by_organization(event)
    emailed = 0
    for registration in attending(event):
        organization = registration.organization
        meetings = with_labels(event, by_org.get(organization.pk, []), organization.pk)
        digest = _schedule_digest(event, meetings)
        unscheduled = unscheduled_for(event, organization.pk)
        sent = False
        for user in members_of(organization.pk):
            key = f"event_schedule:{event.pk}:{organization.pk}:{digest}:{user.pk}"
            if OutgoingEmail.objects.filter(idempotency_key=key).exists():
                continue  # this very schedule already went to this person
            calendar = ics_for(
                organization,
                meetings or [event],
                language=user.language,
                check_in_codes={event.pk: registration.check_in_code_display},
            )
            queue_email(
                to=user.email,
                user=user,
                template="event_schedule",
                context={
                    "event": event,
                    "organization": organization,
                    "meetings": meetings,
                    "unscheduled_count": len(unscheduled),
                    "feed_url": feeds.feed_url(
                        feeds.calendar_feed_for(user=user, organization=organization)
                    ),
                    "link": event_link(event),
                    **check_in_context(registration),
                },
                attachments=[
                    Attachment("schedule.ics", calendar, "text/calendar"),
                    qr_attachment(registration),
                ],
                key=key,
            )
            sent = True
        emailed += sent
    return emailed


# --- periodic emails -----------------------------------------------------------------


def _first_start(event: Event) -> datetime:
    """When the event's first meeting starts (the event's start if there is none)."""
    first = (
        event.meetings.exclude(status=Meeting.Status.CANCELLED)
        .aggregate(first=Min("slot"))
        .get("first")
    )
    return event.slot_start(first or 0)


def _email_participants(
    event: Event,
    *,
    template: str,
    kind: str,
    link: str,
    with_meetings_only: bool,
    with_code: bool = False,
) -> int:
    """Email every attending organization (optionally only those with meetings)."""
    by_org = _by_organization(event)
    sent = 0
    for registration in attending(event):
        organization = registration.organization
        meetings = with_labels(event, by_org.get(organization.pk, []), organization.pk)
        if with_meetings_only and not meetings:
            continue
        for user in members_of(organization.pk):
            queue_email(
                to=user.email,
                user=user,
                template=template,
                context={
                    "event": event,
                    "organization": organization,
                    "meetings": meetings,
                    "kind": kind,
                    "link": link,
                    **(check_in_context(registration) if with_code else {}),
                },
                attachments=[qr_attachment(registration)] if with_code else None,
                key=f"{template}:{event.pk}:{kind}:{user.pk}",
            )
            sent += 1
    return sent


@transaction.atomic
def _remind(event_id: int, kind: str, now: datetime) -> int:
    field = "reminded_24h_at" if kind == "24h" else "reminded_1h_at"
    event = (
        Event.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("venue")
        .filter(pk=event_id, **{f"{field}__isnull": True})
        .first()
    )
    if event is None:
        return 0
    sent = _email_participants(
        event,
        template="event_reminder",
        kind=kind,
        link=event_link(event),
        with_meetings_only=False,
        with_code=True,
    )
    setattr(event, field, now)
    event.save(update_fields=[field, "updated_at"])
    return sent


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind attending organizations 24 hours and 1 hour before the first meeting.

    Each reminder goes out once per event (the event records when); a missed 24-hour
    window is not made up once the 1-hour one has begun. Returns emails queued.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = Event.objects.filter(
        status__in=Event.SCHEDULABLE,
        date__gte=today,
        date__lte=today + timedelta(days=2),
        reminded_1h_at__isnull=True,
    )
    sent = 0
    for event in candidates:
        first = _first_start(event)
        if first <= now:
            continue
        if now >= first - timedelta(hours=1):
            sent += _remind(event.pk, "1h", now)
        elif now >= first - timedelta(hours=24) and event.reminded_24h_at is None:
            sent += _remind(event.pk, "24h", now)
    return sent


def feedback_link(event: Event, *, stage: str = "event") -> str:
    url = settings.SITE_URL + reverse("event-feedback", kwargs={"pk": event.pk})
    return f"{url}?stage=followup" if stage == "followup" else url


@transaction.atomic
def _ask(event_id: int, *, field: str, template: str, stage: str, now: datetime) -> int:
    event = (
        Event.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("venue")
        .filter(pk=event_id, status=Event.Status.FINISHED, **{f"{field}__isnull": True})
        .first()
    )
    if event is None:
        return 0
    sent = _email_participants(
        event,
        template=template,
        kind=stage,
        link=feedback_link(event, stage=stage),
        with_meetings_only=True,
    )
    setattr(event, field, now)
    event.save(update_fields=[field, "updated_at"])
    return sent


def ended_by(now: datetime):
    """Events whose day and hours are over at `now` (Beijing time): finishing an event
    early — by mistake, or by an override before its day — sends nothing yet."""
    local = now.astimezone(LOCAL_TIME_ZONE)
    return Q(date__lt=local.date()) | Q(date=local.date(), end_time__lte=local.time())


def send_feedback_requests(*, now: datetime | None = None) -> int:
    """Ask the organizations that met at a finished event how their meetings went,
    once the event has really ended: finished, and past its end time."""
    now = now or timezone.now()
    due = Event.objects.filter(
        ended_by(now), status=Event.Status.FINISHED, feedback_requested_at__isnull=True
    )
    return sum(
        _ask(
            pk,
            field="feedback_requested_at",
            template="event_feedback_request",
            stage="event",
            now=now,
        )
        for pk in due.values_list("pk", flat=True)
    )


def send_followups(*, now: datetime | None = None) -> int:
    """About 90 days after an event, ask what came of its meetings (the second stage)."""
    now = now or timezone.now()
    due = Event.objects.filter(
        status=Event.Status.FINISHED,
        followup_requested_at__isnull=True,
        date__lte=timezone.localdate(now) - FOLLOWUP_AFTER,
    )
    return sum(
        _ask(
            pk,
            field="followup_requested_at",
            template="event_followup",
            stage="followup",
            now=now,
        )
        for pk in due.values_list("pk", flat=True)
    )
