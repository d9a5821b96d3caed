"""The events app's part of tests/test_audit_coverage.py: for each service that changes
a status, a scenario that calls it and names the entry it must write; for each admin
action, what it acts on and the entry it must write.

A scenario returns (actor, action, record): the audit log must hold an entry of that
action by that actor (None: a job or an RSVP link, nobody signed in) about that record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from core.enums import Side
from events.models import Event, Meeting, MeetingRequest, Outcome, Registration
from events.services import day, registration, requests, running, schedule, season, undo
from matchmaking.models import Interest
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    NeedFactory,
    RegistrationFactory,
    SeasonFactory,
    SolutionFactory,
    StaffFactory,
    attended_meeting,
    holiday,
    in_days,
    member_of,
)

Status = Event.Status


# --- services ------------------------------------------------------------------------


def _register():
    event = EventFactory()
    organization = RegistrationFactory(event=event, invited=True).organization
    user = member_of(organization)
    done = registration.register(event=event, organization=organization, side=None, by=user)
    return user, "registration.registered", done


def _respond_rsvp():
    invited = RegistrationFactory(invited=True)
    done = registration.respond_rsvp(registration=invited, attending=False)
    return None, "registration.answered", done


def _pair(event: Event) -> tuple[Registration, Registration]:
    return RegistrationFactory(event=event), RegistrationFactory(event=event, provider=True)


def _request_meeting():
    enterprise, provider = _pair(EventFactory())
    user = member_of(enterprise.organization)
    asked = requests.request_meeting(
        event=enterprise.event,
        from_org=enterprise.organization,
        to_org=provider.organization,
        by=user,
    )
    return user, "meeting_request.requested", asked


def _asked() -> tuple[MeetingRequest, object]:
    enterprise, provider = _pair(EventFactory())
    asked = requests.request_meeting(
        event=enterprise.event,
        from_org=enterprise.organization,
        to_org=provider.organization,
        by=member_of(enterprise.organization),
    )
    return asked, member_of(provider.organization)


def _answer_request():
    asked, provider_member = _asked()
    requests.answer_request(request=asked, accept=True, by=provider_member)
    return provider_member, "meeting_request.accepted", asked


def _cancel_request():
    asked, provider_member = _asked()
    requests.cancel_request(request=asked, by=provider_member)
    return provider_member, "meeting_request.cancelled", asked


def _expire_requests():
    asked, _provider_member = _asked()
    MeetingRequest.objects.filter(pk=asked.pk).update(expires_at=timezone.now())
    requests.expire_requests()
    return None, "meeting_request.expired", asked


def _introduced_pair(event: Event) -> Interest:
    enterprise, provider = _pair(event)
    need = NeedFactory(organization=enterprise.organization)
    solution = SolutionFactory(organization=provider.organization)
    return Interest.objects.create(
        need=need,
        solution=solution,
        initiated_by_side=Side.PROVIDER,
        status=Interest.Status.ACCEPTED,
    )


def _requests_from_introductions():
    event = EventFactory()
    _introduced_pair(event)
    requests.requests_from_introductions(event)
    return None, "event.requests_from_introductions", event


def _on_introduction_accepted():
    event = EventFactory()
    requests.on_introduction_accepted(_introduced_pair(event))
    return None, "event.requests_from_introductions", event


def _on_introduction_withdrawn():
    event = EventFactory()
    interest = _introduced_pair(event)
    requests.requests_from_introductions(event)
    Interest.objects.filter(pk=interest.pk).update(status=Interest.Status.WITHDRAWN)
    requests.on_introduction_withdrawn(interest)
    return None, "meeting_request.cancelled", MeetingRequest.objects.get(event=event)


def _staff_on(make: Callable[[], object], service: Callable, action: str):
    def scenario():
        staff, target = StaffFactory(), make()
        service(target, by=staff)
        return staff, action, target

    return scenario


def _check_in():
    staff, registered = StaffFactory(), RegistrationFactory(event__status=Status.SCHEDULED)
    running.check_in(registration=registered, by=staff)
    return staff, "registration.checked_in", registered


def _undo_check_in():
    staff = StaffFactory()
    checked_in = RegistrationFactory(
        event__status=Status.SCHEDULED, status=Registration.Status.CHECKED_IN
    )
    running.undo_check_in(registration=checked_in, by=staff)
    return staff, "registration.check_in_undone", checked_in


def _mark_no_show():
    staff, registered = StaffFactory(), RegistrationFactory(event__status=Status.RUNNING)
    running.mark_no_show(registration=registered, by=staff)
    return staff, "registration.no_show", registered


def _undo_start():
    staff, event = StaffFactory(), EventFactory(scheduled=True)
    running.start_event(event, by=staff, override=True)
    undo.undo_start(event, by=staff)
    return staff, "event.start_undone", event


def _undo_finish():
    staff, event = StaffFactory(), EventFactory(status=Status.RUNNING)
    running.finish_event(event, by=staff)
    undo.undo_finish(event, by=staff)
    return staff, "event.finish_undone", event


def _undo_no_show():
    staff, registered = StaffFactory(), RegistrationFactory(event__status=Status.RUNNING)
    running.mark_no_show(registration=registered, by=staff)
    undo.undo_no_show(registration=registered, by=staff)
    return staff, "registration.no_show_undone", registered


def _undo_no_shows():
    staff, registered = StaffFactory(), RegistrationFactory(event__status=Status.RUNNING)
    running.mark_no_shows(registered.event, by=staff)
    undo.undo_no_shows(registered.event, by=staff)
    return staff, "event.no_shows_undone", registered.event


def _cancel_meeting():
    staff, meeting = StaffFactory(), MeetingFactory()
    undo.cancel_meeting(meeting=meeting, by=staff)
    return staff, "meeting.cancelled", meeting


def _restore_meeting():
    staff, meeting = StaffFactory(), MeetingFactory()
    undo.cancel_meeting(meeting=meeting, by=staff)
    undo.restore_meeting(meeting=meeting, by=staff)
    return staff, "meeting.restored", meeting


def _record_outcome():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Status.RUNNING))
    user = member_of(meeting.enterprise)
    outcome = running.record_outcome(
        meeting=meeting,
        side=Side.ENTERPRISE,
        by=user,
        rating=4,
        next_step=Outcome.NextStep.NDA,
    )
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD
    return user, "outcome.recorded", outcome


def _fail_schedule():
    event = EventFactory(schedule_status=Event.ScheduleStatus.BUILDING)
    schedule.fail_schedule(event.pk, "worker lost")
    return None, "event.schedule_failed", event


def _run_scheduler():
    event = MeetingRequestFactory().event
    schedule.run_scheduler(event.pk)
    return None, "event.schedule_built", event


def _record_planning_failure():
    planned = SeasonFactory()
    season.record_planning_failure(season_id=planned.pk, error="no venue")
    return None, "season.planning_failed", planned


def _run_planner():
    planned = SeasonFactory()
    season.run_planner(planned.pk)
    return None, "season.planned", planned


def _draft():
    return EventFactory(status=Status.DRAFT)


def _publish_events():
    staff, draft = StaffFactory(), _draft()
    season.publish_events([draft], by=staff)
    return staff, "event.published", draft


def _publish_drafts():
    staff, planned = StaffFactory(), SeasonFactory()
    draft = EventFactory(season=planned, status=Status.DRAFT)
    season.publish_drafts(planned, by=staff)
    return staff, "event.published", draft


def _second_meeting_due():
    """An NDA reached at a past event; the pair attends the next event of the domain."""
    from events.models import Outcome  # noqa: PLC0415
    from tests.factories import OutcomeFactory  # noqa: PLC0415

    past = EventFactory(date=in_days(-30), status=Status.FINISHED)
    meeting = MeetingFactory(event=past, status="held")
    OutcomeFactory(meeting=meeting, next_step=Outcome.NextStep.NDA)
    upcoming = EventFactory(date=in_days(20), domain=past.domain)
    RegistrationFactory(event=upcoming, organization=meeting.enterprise)
    RegistrationFactory(event=upcoming, organization=meeting.provider, provider=True)
    return upcoming, meeting


def _second_meeting_carried():
    from events.services import second_meetings  # noqa: PLC0415

    upcoming, _meeting = _second_meeting_due()
    second_meetings.carry_second_meetings(event=upcoming)
    return upcoming, upcoming.meeting_requests.get()


def _carry_second_meetings():
    from events.services import second_meetings  # noqa: PLC0415

    upcoming, _meeting = _second_meeting_due()
    second_meetings.carry_second_meetings(event=upcoming)
    return None, "meeting_request.second_meeting", upcoming.meeting_requests.get()


def _remove_second_meetings():
    from events.services import second_meetings  # noqa: PLC0415

    _upcoming, request = _second_meeting_carried()
    staff = StaffFactory()
    second_meetings.remove_second_meetings([request], by=staff)
    return staff, "meeting_request.second_meeting_removed", request


SCENARIOS: dict[str, Callable[[], tuple]] = {
    "events.services.second_meetings.carry_second_meetings": _carry_second_meetings,
    "events.services.second_meetings.remove_second_meetings": _remove_second_meetings,
    "events.services.registration.register": _register,
    "events.services.registration.respond_rsvp": _respond_rsvp,
    "events.services.requests.answer_request": _answer_request,
    "events.services.requests.cancel_request": _cancel_request,
    "events.services.requests.expire_requests": _expire_requests,
    "events.services.requests.on_introduction_accepted": _on_introduction_accepted,
    "events.services.requests.on_introduction_withdrawn": _on_introduction_withdrawn,
    "events.services.requests.request_meeting": _request_meeting,
    "events.services.requests.requests_from_introductions": _requests_from_introductions,
    "events.services.running.check_in": _check_in,
    "events.services.running.finish_event": _staff_on(
        lambda: EventFactory(status=Status.RUNNING), running.finish_event, "event.finished"
    ),
    "events.services.running.mark_no_show": _mark_no_show,
    "events.services.running.mark_no_shows": _staff_on(
        lambda: RegistrationFactory(event__status=Status.RUNNING).event,
        running.mark_no_shows,
        "event.no_shows_marked",
    ),
    "events.services.running.record_outcome": _record_outcome,
    "events.services.running.start_event": _staff_on(
        lambda: EventFactory(scheduled=True), running.start_event, "event.running"
    ),
    "events.services.running.undo_check_in": _undo_check_in,
    "events.services.undo.cancel_meeting": _cancel_meeting,
    "events.services.undo.restore_meeting": _restore_meeting,
    "events.services.undo.undo_finish": _undo_finish,
    "events.services.undo.undo_start": _undo_start,
    "events.services.undo.undo_no_show": _undo_no_show,
    "events.services.undo.undo_no_shows": _undo_no_shows,
    "events.services.schedule.build_schedule": _staff_on(
        EventFactory, schedule.build_schedule, "event.schedule_requested"
    ),
    "events.services.schedule.fail_schedule": _fail_schedule,
    "events.services.schedule.run_scheduler": _run_scheduler,
    "events.services.schedule.send_schedules": _staff_on(
        lambda: EventFactory(schedule_status=Event.ScheduleStatus.BUILT),
        schedule.send_schedules,
        "event.schedule_sent",
    ),
    "events.services.season.plan_season": _staff_on(
        SeasonFactory, season.plan_season, "season.planning_requested"
    ),
    "events.services.season.publish_drafts": _publish_drafts,
    "events.services.season.publish_events": _publish_events,
    "events.services.season.record_planning_failure": _record_planning_failure,
    "events.services.season.run_planner": _run_planner,
}

EXEMPT = {
    "events.services.running.settle_meetings": (
        "derives the meetings' status from who came, inside the audited check-in, "
        "no-show, finish and undo services that call it"
    ),
    "events.services.demo.seed_events": (
        "the demo's events move through the services above (planner, publish, RSVP, "
        "requests, schedule), each of which logs; its own writes are demo introductions, "
        "logged as they are made"
    ),
}


# --- admin actions -------------------------------------------------------------------


def _invited_event() -> Event:
    event = EventFactory()
    member_of(RegistrationFactory(event=event, invited=True).organization)
    return event


def _season_with(status: str):
    planned = SeasonFactory()
    EventFactory(season=planned, status=status, date=in_days(20))
    return planned


# Event-day actions run once their confirmation page is posted back.
CONFIRMED = {"post": "yes"}


def _started_today() -> Event:
    return EventFactory(scheduled=True, status=Status.RUNNING, started_at=_today_clock())


def _finished_today() -> Event:
    return EventFactory(status=Status.FINISHED, finished_at=_today_clock())


def _no_show_today() -> Registration:
    return RegistrationFactory(
        event__status=Status.RUNNING,
        status=Registration.Status.NO_SHOW,
        no_show_at=_today_clock(),
    )


def _today_clock():
    return day.now()


# (model label, action) → (what it acts on, extra form data, the entry it must write)
ADMIN_CASES: dict[tuple[str, str], tuple[Callable[[], object], dict, str]] = {
    ("events.CalendarDay", "confirm_selected"): (
        lambda: holiday(dt.date(2031, 10, 1), provisional=True),
        {},
        "calendar_day.confirmed",
    ),
    ("events.Event", "publish_selected"): (_draft, {}, "event.published"),
    ("events.Event", "send_invitations"): (_invited_event, {}, "event.invitations_sent"),
    ("events.Event", "build_schedule"): (EventFactory, {}, "event.schedule_requested"),
    ("events.Event", "send_schedules"): (
        lambda: EventFactory(schedule_status=Event.ScheduleStatus.BUILT),
        {},
        "event.schedule_sent",
    ),
    ("events.Event", "start_selected"): (
        lambda: EventFactory(scheduled=True),
        CONFIRMED,
        "event.running",
    ),
    ("events.Event", "finish_selected"): (
        lambda: EventFactory(status=Status.RUNNING),
        CONFIRMED,
        "event.finished",
    ),
    ("events.Event", "mark_no_shows"): (
        lambda: EventFactory(status=Status.RUNNING),
        CONFIRMED,
        "event.no_shows_marked",
    ),
    ("events.Event", "undo_start_selected"): (
        _started_today,
        CONFIRMED,
        "event.start_undone",
    ),
    ("events.Event", "undo_finish_selected"): (
        _finished_today,
        CONFIRMED,
        "event.finish_undone",
    ),
    ("events.Event", "undo_no_shows_selected"): (
        lambda: _no_show_today().event,
        CONFIRMED,
        "event.no_shows_undone",
    ),
    ("events.Meeting", "cancel_selected"): (MeetingFactory, CONFIRMED, "meeting.cancelled"),
    ("events.Meeting", "restore_selected"): (
        lambda: _cancel_meeting()[2],
        CONFIRMED,
        "meeting.restored",
    ),
    **{
        ("events.Event", f"export_{kind}_{fmt}"): (EventFactory, {}, "event.exported")
        for kind in ("attendees", "schedule")
        for fmt in ("xlsx", "csv")
    },
    ("events.Registration", "check_in_selected"): (
        lambda: RegistrationFactory(event__status=Status.SCHEDULED),
        CONFIRMED,
        "registration.checked_in",
    ),
    ("events.Registration", "mark_no_show_selected"): (
        lambda: RegistrationFactory(event__status=Status.RUNNING),
        CONFIRMED,
        "registration.no_show",
    ),
    ("events.Registration", "undo_no_show_selected"): (
        _no_show_today,
        CONFIRMED,
        "registration.no_show_undone",
    ),
    ("events.Event", "carry_second_meetings"): (
        lambda: _second_meeting_due()[0],
        {},
        "meeting_request.second_meeting",
    ),
    ("events.MeetingRequest", "remove_second_meetings"): (
        lambda: _second_meeting_carried()[1],
        {},
        "meeting_request.second_meeting_removed",
    ),
    ("events.MeetingRequest", "set_must_meet"): (
        MeetingRequestFactory,
        {},
        "meeting_request.must_meet",
    ),
    ("events.MeetingRequest", "clear_must_meet"): (
        lambda: MeetingRequestFactory(must_meet=True),
        {},
        "meeting_request.may_meet",
    ),
    ("events.Season", "plan_selected"): (SeasonFactory, {}, "season.planning_requested"),
    ("events.Season", "publish_drafts"): (
        lambda: _season_with(Status.DRAFT),
        {},
        "event.published",
    ),
    ("events.Season", "send_invitations"): (
        lambda: _season_with(Status.PUBLISHED),
        {},
        "event.invitations_sent",
    ),
}
# Actions whose entries are about the season's events, not the season itself.
ABOUT_OTHER_RECORDS = {
    ("events.Event", "carry_second_meetings"),
    ("events.Season", "publish_drafts"),
    ("events.Season", "send_invitations"),
}
