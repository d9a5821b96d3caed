"""The meeting schedule of an event: build it, publish and send it, remind, follow up.

`build_schedule` records the job; `run_scheduler` (the job) reads the event's
accepted requests, attendance, unavailability and limits, lets the pure scheduler
(events.scheduling) place them, and writes the meetings in one transaction with the
event row locked. Meetings participants have already seen (published) are pinned
and stay where they are unless a late change makes that impossible. The three
partial unique constraints on Meeting are the last word on double booking: a bug
here would roll the transaction back, never double-book a table or an organization.

`send_schedules` publishes the meetings and emails every attending organization its
schedule with an .ics file. The periodic jobs send reminders (24 h and 1 h before),
the feedback request after the event and the 90-day follow-up, each once per event.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails import Attachment, queue_email
from core.errors import DomainError, InvalidTransitionError
from core.models import Organization, OutgoingEmail, User
from core.outbox import enqueue
from events import scheduling
from events.ics import ics_for
from events.models import (
    Event,
    Meeting,
    MeetingRequest,
    Registration,
    Unavailability,
)
from events.services import feeds
from events.services.requests import (
    event_link,
    members_of,
    requests_from_introductions,
)
from events.tasks import schedule as schedule_tasks

logger = logging.getLogger(__name__)

# A schedule can be (re)built from the moment the event is open until it starts.
SCHEDULABLE = (Event.Status.PUBLISHED, Event.Status.REGISTRATION_CLOSED, Event.Status.SCHEDULED)
DEFAULT_TIME_LIMIT = 20.0  # seconds the exact solver may take on one event
REASON_NOT_ATTENDING = "not_attending"
FOLLOWUP_AFTER = timedelta(days=90)

REQUEST_TO_MEETING_SOURCE = {
    MeetingRequest.Source.PARTICIPANT: Meeting.Source.REQUEST,
    MeetingRequest.Source.INTRODUCTION: Meeting.Source.MATCH,
    MeetingRequest.Source.ORGANIZER: Meeting.Source.ORGANIZER,
}


def _set_status(event: Event, to: str) -> None:
    if not event.can_become(to):
        raise InvalidTransitionError(
            _("The event is “%(status)s” and cannot become “%(to)s”.")
            % {"status": event.get_status_display(), "to": Event.Status(to).label}
        )
    event.status = to


# ---------------------------------------------------------------------------- build


@transaction.atomic
def build_schedule(event: Event, *, by: User | None) -> None:
    """Queue a (re)build of the event's meeting schedule; pressing twice queues one job."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status not in SCHEDULABLE:
        raise InvalidTransitionError(
            _("A schedule can only be built for an event that is open or closed for registration.")
        )
    event.schedule_status = Event.ScheduleStatus.BUILDING
    event.schedule_progress = 0
    event.save(update_fields=["schedule_status", "schedule_progress", "updated_at"])
    task = schedule_tasks.schedule_event_meetings
    enqueue(task, kwargs={"event_id": event.pk}, key=f"{task.name}:{event.pk}")


def _progress(event_id: int, percent: int) -> None:
    Event.objects.filter(pk=event_id).update(
        schedule_status=Event.ScheduleStatus.BUILDING, schedule_progress=percent
    )


def fail_schedule(event_id: int, error: str) -> None:
    """The job failed for good: say so on the event, keep the last report."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    report = dict(event.schedule_report or {})
    report["error"] = error[:500]
    Event.objects.filter(pk=event_id).update(
        schedule_status=Event.ScheduleStatus.FAILED, schedule_progress=0, schedule_report=report
    )


def run_scheduler(event_id: int, *, time_limit: float | None = None) -> dict[str, Any]:
    """The job: schedule every accepted request that can be, explain the rest.

    Reads and writes under a lock on the event row, so concurrent builds take turns
    and each sees the meetings the previous one wrote. Returns the stored report.
    """
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return {"skipped": "missing"}
    if event.status in SCHEDULABLE:
        _progress(event_id, 10)
        requests_from_introductions(event)
        _progress(event_id, 20)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.status not in SCHEDULABLE:
            has_meetings = event.meetings.exclude(status=Meeting.Status.CANCELLED).exists()
            event.schedule_status = (
                Event.ScheduleStatus.BUILT if has_meetings else Event.ScheduleStatus.NONE
            )
            event.schedule_progress = 100 if has_meetings else 0
            event.save(update_fields=["schedule_status", "schedule_progress", "updated_at"])
            return {"skipped": event.status}
        snapshot = _Snapshot.read(event)
        problem = snapshot.problem(
            time_limit
            if time_limit is not None
            else getattr(settings, "EVENTS_SCHEDULER_TIME_LIMIT", DEFAULT_TIME_LIMIT)
        )
        result = scheduling.schedule_meetings(problem)
        changes = snapshot.write(result)
        report = snapshot.report(problem, result, changes)
        event.schedule_report = report
        event.schedule_status = Event.ScheduleStatus.BUILT
        event.schedule_progress = 100
        event.save(
            update_fields=["schedule_report", "schedule_status", "schedule_progress", "updated_at"]
        )
    logger.info(
        "event %s: %s of %s meetings scheduled (%s)",
        event_id,
        report["scheduled"],
        report["requests"],
        report["method"],
    )
    return report


class _Snapshot:
    """What the scheduler needs of one event, read once under the event lock."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.registrations: dict[int, Registration] = {}  # attending ones
        self.statuses: dict[int, str] = {}  # every registration's status
        self.requests: dict[int, MeetingRequest] = {}
        self.absent: list[tuple[MeetingRequest, int]] = []  # (request, organization absent)
        self.by_request: dict[int, Meeting] = {}
        self.loose: dict[str, Meeting] = {}  # live meetings without a request, by key
        self.organizations: dict[int, Organization] = {}

    @classmethod
    def read(cls, event: Event) -> _Snapshot:
        snapshot = cls(event)
        for registration in Registration.objects.filter(event=event).select_related("organization"):
            snapshot.organizations[registration.organization_id] = registration.organization
            snapshot.statuses[registration.organization_id] = registration.status
            if registration.is_attending:
                snapshot.registrations[registration.organization_id] = registration
        accepted = MeetingRequest.objects.filter(
            event=event, status=MeetingRequest.Status.ACCEPTED
        ).select_related("enterprise", "provider")
        for request in accepted.order_by("pk"):
            snapshot.organizations.setdefault(request.enterprise_id, request.enterprise)
            snapshot.organizations.setdefault(request.provider_id, request.provider)
            missing = [
                org
                for org in (request.enterprise_id, request.provider_id)
                if org not in snapshot.registrations
            ]
            if missing:
                snapshot.absent.append((request, missing[0]))
            else:
                snapshot.requests[request.pk] = request
        for meeting in Meeting.objects.filter(event=event).select_related("enterprise", "provider"):
            if meeting.request_id is not None:
                snapshot.by_request[meeting.request_id] = meeting
            elif meeting.status != Meeting.Status.CANCELLED:
                snapshot.loose[f"m{meeting.pk}"] = meeting
                snapshot.organizations.setdefault(meeting.enterprise_id, meeting.enterprise)
                snapshot.organizations.setdefault(meeting.provider_id, meeting.provider)
        return snapshot

    def problem(self, time_limit: float) -> scheduling.SchedulingProblem:
        event = self.event
        unavailable: dict[int, set[int]] = defaultdict(set)
        for organization_id, slot in Unavailability.objects.filter(
            registration__event=event, registration__status__in=Registration.ATTENDING
        ).values_list("registration__organization_id", "slot"):
            unavailable[organization_id].add(slot)
        requests = [
            scheduling.MeetingRequest(
                id=r.pk,
                enterprise=r.enterprise_id,
                provider=r.provider_id,
                priority=float(r.priority or 0.0),
                must_meet=r.must_meet,
            )
            for r in self.requests.values()
        ]
        # Meetings the programme office placed by hand hold their place like must-meets.
        requests += [
            scheduling.MeetingRequest(
                id=key, enterprise=m.enterprise_id, provider=m.provider_id, must_meet=True
            )
            for key, m in self.loose.items()
        ]
        pinned: dict[Any, tuple[int, int]] = {
            request_id: (m.slot, m.table)
            for request_id, m in self.by_request.items()
            if request_id in self.requests and m.published and m.status == Meeting.Status.SCHEDULED
        }
        pinned |= {key: (m.slot, m.table) for key, m in self.loose.items() if m.published}
        return scheduling.SchedulingProblem(
            slots=event.slot_count,
            tables=event.tables,
            requests=requests,
            unavailable={org: frozenset(slots) for org, slots in unavailable.items()},
            meeting_limit=event.meeting_limit,
            meeting_limits={
                org: r.meeting_limit
                for org, r in self.registrations.items()
                if r.meeting_limit is not None
            },
            pinned=pinned,
            time_limit_seconds=time_limit,
        )

    def write(self, result: scheduling.SchedulingResult) -> dict[str, int]:
        """Make the meetings match the result: keep, move, create, cancel or delete.

        Rows that change are first taken out of the constraints (status cancelled, in
        one statement), then put back at their new place: every intermediate state is a
        subset of the final, valid one, so no unique constraint trips on the way.
        """
        now = timezone.now()
        target = {a.request_id: (a.slot, a.table) for a in result.assignments}
        rows: dict[Any, Meeting] = {**self.by_request, **self.loose}
        keep, move, remove = [], [], []
        for key, meeting in rows.items():
            place = target.get(key)
            live = meeting.status != Meeting.Status.CANCELLED
            if place is None:
                if live:
                    remove.append(meeting)
            elif live and (meeting.slot, meeting.table) == place:
                keep.append(meeting)
            else:
                move.append((meeting, place))
        out = [m.pk for m in remove] + [m.pk for m, _place in move]
        Meeting.objects.filter(pk__in=out).exclude(status=Meeting.Status.CANCELLED).update(
            status=Meeting.Status.CANCELLED, updated_at=now
        )
        # Never seen by anyone: gone. Seen: cancelled, so participants learn of it.
        Meeting.objects.filter(pk__in=[m.pk for m in remove if not m.published]).delete()
        for meeting, (slot, table) in move:
            meeting.slot, meeting.table = slot, table
            meeting.status = Meeting.Status.SCHEDULED
            meeting.published = False
            meeting.save(update_fields=["slot", "table", "status", "published", "updated_at"])
        new = [
            Meeting(
                event=self.event,
                request=request,
                enterprise_id=request.enterprise_id,
                provider_id=request.provider_id,
                slot=target[request_id][0],
                table=target[request_id][1],
                source=REQUEST_TO_MEETING_SOURCE.get(request.source, Meeting.Source.REQUEST),
            )
            for request_id, request in self.requests.items()
            if request_id in target and request_id not in rows
        ]
        Meeting.objects.bulk_create(new)
        return {
            "kept": len(keep),
            "moved": len(move),
            "created": len(new),
            "cancelled": sum(1 for m in remove if m.published),
            "deleted": sum(1 for m in remove if not m.published),
        }

    def _names(self, params: dict[str, Any]) -> dict[str, Any]:
        named = dict(params)
        for key in ("org", "enterprise", "provider"):
            if key in params and params[key] in self.organizations:
                named[f"{key}_name"] = self.organizations[params[key]].name
        return named

    def report(
        self,
        problem: scheduling.SchedulingProblem,
        result: scheduling.SchedulingResult,
        changes: dict[str, int],
    ) -> dict[str, Any]:
        unscheduled = []
        for entry in result.unscheduled:
            request = self.requests.get(entry.request_id)
            meeting = self.loose.get(entry.request_id) if request is None else None
            pair = request or meeting
            unscheduled.append(
                {
                    "request": entry.request_id,
                    "enterprise": pair.enterprise_id,
                    "provider": pair.provider_id,
                    "enterprise_name": self.organizations[pair.enterprise_id].name,
                    "provider_name": self.organizations[pair.provider_id].name,
                    "reason": entry.reason,
                    "params": self._names(dict(entry.params)),
                }
            )
        for request, organization_id in self.absent:
            unscheduled.append(
                {
                    "request": request.pk,
                    "enterprise": request.enterprise_id,
                    "provider": request.provider_id,
                    "enterprise_name": request.enterprise.name,
                    "provider_name": request.provider.name,
                    "reason": REASON_NOT_ATTENDING,
                    "params": self._names(
                        {
                            "org": organization_id,
                            "status": self.statuses.get(organization_id, ""),
                        }
                    ),
                }
            )
        stats = result.stats
        return {
            "built_at": timezone.now().isoformat(),
            "method": result.method,
            "optimal": result.optimal,
            "upper_bound": result.upper_bound,
            "requests": len(problem.requests) + len(self.absent),
            "scheduled": result.scheduled_count,
            "unscheduled_count": len(unscheduled),
            "slots": problem.slots,
            "tables": problem.tables,
            "seconds": round(stats.runtime_seconds, 3),
            "solver_status": stats.solver_status,
            "pinned": len(problem.pinned),
            "kept_pinned": stats.kept_pinned,
            "moved_pinned": stats.moved_pinned,
            **changes,
            "unscheduled": unscheduled,
        }


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


def meetings_of(organization_id: int, *, event: Event | None = None, published_only: bool = True):
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


def _schedule_digest(event: Event, meetings: list[Meeting]) -> str:
    """Changes whenever what the organization would read in its schedule changes."""
    parts = [f"{event.date}{event.start_time}{event.slot_minutes}{event.venue_id}"]
    parts += [f"{m.pk}:{m.slot}:{m.table}" for m in meetings]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _attending(event: Event) -> list[Registration]:
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


@transaction.atomic
def send_schedules(event: Event, *, by: User | None) -> int:
    """Publish the built schedule and email each attending organization its meetings.

    Publishing closes registration if it is still open (unanswered requests then
    expire) and marks the event “schedule published”. Emails carry an .ics file; an
    organization whose schedule did not change since the last sending is not emailed
    again. Returns how many organizations were emailed.
    """
    event = Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)
    if event.schedule_status != Event.ScheduleStatus.BUILT:
        raise DomainError(_("Build the schedule first, then send it."))
    if event.status == Event.Status.PUBLISHED:
        _set_status(event, Event.Status.REGISTRATION_CLOSED)
        MeetingRequest.objects.filter(event=event, status=MeetingRequest.Status.REQUESTED).update(
            status=MeetingRequest.Status.EXPIRED
        )
    if event.status != Event.Status.SCHEDULED:
        _set_status(event, Event.Status.SCHEDULED)
    now = timezone.now()
    event.meetings.filter(status=Meeting.Status.SCHEDULED, published=False).update(
        published=True, updated_at=now
    )
    event.schedule_sent_at = now
    event.save(update_fields=["status", "schedule_sent_at", "updated_at"])
    by_org: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings_of_event(event):
        by_org[meeting.enterprise_id].append(meeting)
        by_org[meeting.provider_id].append(meeting)
    emailed = 0
    for registration in _attending(event):
        organization = registration.organization
        meetings = with_labels(event, by_org.get(organization.pk, []), organization.pk)
        digest = _schedule_digest(event, meetings)
        unscheduled = unscheduled_for(event, organization.pk)
        sent = False
        for user in members_of(organization.pk):
            key = f"event_schedule:{event.pk}:{organization.pk}:{digest}:{user.pk}"
            if OutgoingEmail.objects.filter(idempotency_key=key).exists():
                continue  # this very schedule already went to this person
            calendar = ics_for(organization, meetings or [event], language=user.language)
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
                },
                attachments=[Attachment("schedule.ics", calendar, "text/calendar")],
                key=key,
            )
            sent = True
        emailed += sent
    return emailed


def meetings_of_event(event: Event):
    return (
        event.meetings.filter(published=True)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("enterprise", "provider", "request__need", "request__solution")
        .order_by("slot", "table")
    )


def feed_items(organization: Organization) -> list[Event | Meeting]:
    """What the subscription feed holds: published meetings, and the events the
    organization attends where it has none (three queries)."""
    meetings = list(meetings_of(organization.pk))
    with_meetings = {m.event_id for m in meetings}
    events = (
        Event.objects.visible()
        .filter(
            registrations__organization=organization,
            registrations__status__in=Registration.ATTENDING,
        )
        .exclude(pk__in=with_meetings)
        .select_related("venue")
    )
    return [*meetings, *events]


# ------------------------------------------------------------------ periodic emails


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
) -> int:
    """Email every attending organization (optionally only those with meetings)."""
    by_org: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings_of_event(event):
        by_org[meeting.enterprise_id].append(meeting)
        by_org[meeting.provider_id].append(meeting)
    sent = 0
    for registration in _attending(event):
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
                },
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
        status__in=[
            Event.Status.PUBLISHED,
            Event.Status.REGISTRATION_CLOSED,
            Event.Status.SCHEDULED,
        ],
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


def send_feedback_requests(*, now: datetime | None = None) -> int:
    """Ask the organizations that met at a finished event how their meetings went."""
    now = now or timezone.now()
    due = Event.objects.filter(status=Event.Status.FINISHED, feedback_requested_at__isnull=True)
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
