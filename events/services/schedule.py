"""The meeting schedule of an event: build it, then publish and send it.

`build_schedule` records the job; `run_scheduler` (the job) reads the event's
accepted requests, attendance, unavailability and limits, lets the pure scheduler
(events.scheduling) place them, and writes the meetings in one transaction with the
event row locked. Meetings participants have already seen (published) are pinned
and stay where they are unless a late change makes that impossible. The three
partial unique constraints on Meeting are the last word on double booking: a bug
here would roll the transaction back, never double-book a table or an organization.

`send_schedules` publishes the meetings and has every attending organization emailed
its schedule with an .ics file (events.services.notifications, which also sends the
reminders, feedback requests and follow-ups).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record
from core.errors import DomainError, InvalidTransitionError
from core.models import Organization, User
from core.outbox import enqueue
from events import scheduling
from events.models import Event, Meeting, MeetingRequest, Registration, Unavailability
from events.selectors.schedules import REASON_NOT_ATTENDING
from events.services import notifications, second_meetings
from events.services.requests import requests_from_introductions
from events.tasks import schedule as schedule_tasks

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 20.0  # seconds the exact solver may take on one event

REQUEST_TO_MEETING_SOURCE = {
    MeetingRequest.Source.PARTICIPANT: Meeting.Source.REQUEST,
    MeetingRequest.Source.INTRODUCTION: Meeting.Source.MATCH,
    MeetingRequest.Source.ORGANIZER: Meeting.Source.ORGANIZER,
}


# --- build ---------------------------------------------------------------------------


@transaction.atomic
def build_schedule(event: Event, *, by: User | None) -> None:
    """Queue a (re)build of the event's meeting schedule; pressing twice queues one job."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status not in Event.SCHEDULABLE:
        raise InvalidTransitionError(
            _("A schedule can only be built for an event that is open or closed for registration.")
        )
    event.schedule_status = Event.ScheduleStatus.BUILDING
    event.schedule_progress = 0
    event.save(update_fields=["schedule_status", "schedule_progress", "updated_at"])
    record(by, "event.schedule_requested", event)
    task = schedule_tasks.schedule_event_meetings
    enqueue(task, kwargs={"event_id": event.pk}, key=f"{task.name}:{event.pk}")


def _progress(event_id: int, percent: int) -> None:
    Event.objects.filter(pk=event_id).update(
        schedule_status=Event.ScheduleStatus.BUILDING, schedule_progress=percent
    )


@transaction.atomic
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
    record(None, "event.schedule_failed", event, error=report["error"])


def run_scheduler(event_id: int, *, time_limit: float | None = None) -> dict[str, Any]:
    """The job: schedule every accepted request that can be, explain the rest.

    Reads and writes under a lock on the event row, so concurrent builds take turns
    and each sees the meetings the previous one wrote. Returns the stored report.
    """
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return {"skipped": "missing"}
    if event.status in Event.SCHEDULABLE:
        _progress(event_id, 10)
        requests_from_introductions(event)
        second_meetings.carry_second_meetings(event=event)
        _progress(event_id, 20)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.status not in Event.SCHEDULABLE:
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
        record(
            None,
            "event.schedule_built",
            event,
            scheduled=report["scheduled"],
            requests=report["requests"],
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


# --- publish -------------------------------------------------------------------------


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
    expired = 0
    if event.status == Event.Status.PUBLISHED:
        event.move_to(Event.Status.REGISTRATION_CLOSED)
        expired = MeetingRequest.objects.filter(
            event=event, status=MeetingRequest.Status.REQUESTED
        ).update(status=MeetingRequest.Status.EXPIRED)
    if event.status in Event.UNDER_WAY:
        # Under way goes back to “schedule published” only by undoing today's start.
        raise InvalidTransitionError(event.refusal(Event.Status.SCHEDULED))
    if event.status != Event.Status.SCHEDULED:
        event.move_to(Event.Status.SCHEDULED)
    now = timezone.now()
    published = event.meetings.filter(status=Meeting.Status.SCHEDULED, published=False).update(
        published=True, updated_at=now
    )
    event.schedule_sent_at = now
    event.save(update_fields=["status", "schedule_sent_at", "updated_at"])
    emailed = notifications.email_schedules(event)
    record(
        by,
        "event.schedule_sent",
        event,
        meetings_published=published,
        requests_expired=expired,
        organizations_emailed=emailed,
    )
    return emailed
