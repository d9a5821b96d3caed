"""Event-day actions that cannot be taken back by doing something else — starting or
finishing an event, marking no-shows, cancelling a meeting — and their undo, on the
same day.

The pages ask for confirmation before each of them; a mistake noticed the same day
(Beijing time) is undone here, audited like the action. Later the day's record is
what the dashboard, the no-show history and the feedback emails went by, and is left
as it is.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.errors import DomainError
from core.models import User
from events.models import Event, Meeting, Registration
from events.services import day
from events.services.running import settle_meetings

RegStatus = Registration.Status
MeetingStatus = Meeting.Status

NOT_TODAY = _("Only what was done today can be undone.")


# --- starting ------------------------------------------------------------------------


@transaction.atomic
def undo_start(event: Event, *, by: User) -> Event:
    """Started by mistake (the wrong event, too early) → schedule published again, the
    same day. Check-ins stay: they belong to the event's day, not to its start.

    Refused once something that needs the event under way was done: no-shows marked
    (undo them first) or outcomes recorded.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.RUNNING:
        raise DomainError(_("The event is not under way."))
    if not day.is_same_local_day(event.started_at):
        raise DomainError(NOT_TODAY)
    if Registration.objects.filter(event=event, status=RegStatus.NO_SHOW).exists():
        raise DomainError(_("No-shows were marked at this event; undo today's no-shows first."))
    if Meeting.objects.filter(event=event, outcomes__isnull=False).exists():
        raise DomainError(_("Outcomes were recorded at this event; it stays under way."))
    event.move_to(Event.Status.SCHEDULED)
    started_at, event.started_at = event.started_at, None
    event.save(update_fields=["status", "started_at", "updated_at"])
    record(by, "event.start_undone", event, started_at=started_at.isoformat())
    return event


# --- finishing -----------------------------------------------------------------------


@transaction.atomic
def undo_finish(event: Event, *, by: User) -> Event:
    """Finished by mistake → under way again, on the same day and before feedback went out.

    The meetings the finish counted as held go back to scheduled unless a side has
    already reported on them.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.FINISHED:
        raise DomainError(_("The event is not finished."))
    if not day.is_same_local_day(event.finished_at):
        raise DomainError(NOT_TODAY)
    if event.feedback_requested_at is not None:
        raise DomainError(
            _("The feedback requests have already gone out; the event stays finished.")
        )
    event.move_to(Event.Status.RUNNING)
    event.finished_at = None
    event.save(update_fields=["status", "finished_at", "updated_at"])
    reopened = (
        Meeting.objects.filter(event=event, status=MeetingStatus.HELD, outcomes__isnull=True)
        .distinct()
        .update(status=MeetingStatus.SCHEDULED)
    )
    record(by, "event.finish_undone", event, meetings_reopened=reopened)
    return event


# --- no-shows ------------------------------------------------------------------------


def _undo_no_shows(registrations: list[Registration]) -> list[Registration]:
    undone = []
    for registration in registrations:
        if registration.status != RegStatus.NO_SHOW:
            continue
        if not day.is_same_local_day(registration.no_show_at):
            continue
        registration.move_to(RegStatus.REGISTERED)
        registration.no_show_at = None
        undone.append(registration)
    Registration.objects.bulk_update(undone, ["status", "no_show_at"])
    return undone


@transaction.atomic
def undo_no_show(*, registration: Registration, by: User) -> Registration:
    """A no-show marked today by mistake: the organization is expected again."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "organization")
        .get(pk=registration.pk)
    )
    if registration.status != RegStatus.NO_SHOW:
        raise DomainError(
            _("%(organization)s is not marked as a no-show.")
            % {"organization": registration.organization}
        )
    if not _undo_no_shows([registration]):
        raise DomainError(NOT_TODAY)
    settle_meetings(registration.event, [registration.organization_id])
    record(by, "registration.no_show_undone", registration)
    return registration


@transaction.atomic
def undo_no_shows(event: Event, *, by: User) -> int:
    """Every no-show marked at the event today is expected again; returns how many."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    registrations = list(
        Registration.objects.select_for_update(of=("self",)).filter(
            event=event, status=RegStatus.NO_SHOW
        )
    )
    undone = _undo_no_shows(registrations)
    if not undone:
        raise DomainError(_("No no-show was marked at this event today."))
    settle_meetings(event, [r.organization_id for r in undone])
    record(by, "event.no_shows_undone", event, count=len(undone))
    return len(undone)


# --- meetings ------------------------------------------------------------------------


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise", "provider")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, by: User) -> Meeting:
    """The programme office calls a meeting off (a side cannot come, a table is lost).

    Its slot and table become free; undone on the same day by `restore_meeting`.
    """
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError(
            _("Only a scheduled meeting can be cancelled; this one is “%(status)s”.")
            % {"status": meeting.get_status_display()}
        )
    meeting.move_to(MeetingStatus.CANCELLED)
    meeting.cancelled_at = day.now()
    meeting.save(update_fields=["status", "cancelled_at", "updated_at"])
    record(by, "meeting.cancelled", meeting)
    return meeting


@transaction.atomic
def restore_meeting(*, meeting: Meeting, by: User) -> Meeting:
    """Undo today's cancellation by the office: the meeting is back in its slot and table.

    Refused when the slot, the table or one of the sides has been given to another
    meeting since (the database's constraints say so).
    """
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.CANCELLED or meeting.cancelled_at is None:
        raise DomainError(_("Only a meeting the programme office cancelled can be restored."))
    if not day.is_same_local_day(meeting.cancelled_at):
        raise DomainError(NOT_TODAY)
    meeting.move_to(MeetingStatus.SCHEDULED)
    meeting.cancelled_at = None
    try:
        with transaction.atomic():
            meeting.save(update_fields=["status", "cancelled_at", "updated_at"])
    except IntegrityError:
        raise DomainError(
            _("The meeting's time slot or table has been given to another meeting since.")
        ) from None
    settle_meetings(meeting.event, [meeting.enterprise_id, meeting.provider_id])
    record(by, "meeting.restored", meeting)
    return meeting
