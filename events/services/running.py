"""Running an event: start and finish it, check organizations in, mark no-shows, record
what came of each meeting (成果).

Who is where is the registration's status (Registration.TRANSITIONS); whether a
meeting took place follows from it (`settle_meetings`): a meeting with a no-show
side is a no-show, and when the event finishes, a meeting whose two organizations
were checked in was held. A participant's first outcome for a meeting also counts it
as held — at an online event nobody is checked in. Every change is written to the
audit log by the service that makes it. (The programme dashboard's figures are reads:
events.selectors.dashboard.)
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.enums import Side
from core.errors import DomainError, InvalidTransitionError, NotAllowedError
from core.models import User
from core.selectors import is_member
from events.models import Event, Meeting, Outcome, Registration
from events.services import day

RegStatus = Registration.Status
EventStatus = Event.Status

# An organization that never answered, was waiting-listed or declined may still turn
# up at the door: checking it in registers it first.
WALK_IN = frozenset({RegStatus.INVITED, RegStatus.WAITLISTED, RegStatus.DECLINED})


def _locked_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "organization")
        .get(pk=registration.pk)
    )


def _locked_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def settle_meetings(event: Event, organization_ids: Iterable[int] | None = None) -> int:
    """Derive the meetings' status from who came (for the given organizations, or all).

    Idempotent: run after every check-in, no-show and when the event finishes.
    Returns how many meetings changed.
    """
    presence = dict(
        Registration.objects.filter(event=event).values_list("organization_id", "status")
    )
    meetings = Meeting.objects.filter(event=event).exclude(status=Meeting.Status.CANCELLED)
    if organization_ids is not None:
        ids = list(organization_ids)
        meetings = meetings.filter(Q(enterprise_id__in=ids) | Q(provider_id__in=ids))
    finished = event.status == EventStatus.FINISHED
    # A meeting someone reported on took place, whatever the check-in says.
    reported = set(
        Outcome.objects.filter(meeting__in=meetings).values_list("meeting_id", flat=True)
    )
    changes: dict[str, list[int]] = {}
    for pk, current, enterprise_id, provider_id in meetings.values_list(
        "pk", "status", "enterprise_id", "provider_id"
    ):
        sides = (presence.get(enterprise_id), presence.get(provider_id))
        both_came = all(status == RegStatus.CHECKED_IN for status in sides)
        if current == Meeting.Status.HELD and pk in reported:
            target = current
        elif RegStatus.NO_SHOW in sides:
            target = Meeting.Status.NO_SHOW
        elif finished and both_came:
            target = Meeting.Status.HELD
        elif current == Meeting.Status.NO_SHOW:
            # The no-show was corrected: the meeting is back on.
            target = Meeting.Status.SCHEDULED
        else:
            target = current
        if target != current:
            if not Meeting.allows(current, target):
                raise InvalidTransitionError(
                    Meeting(status=current).refusal(target)  # a bug here, never a user's
                )
            changes.setdefault(target, []).append(pk)
    for status, pks in changes.items():
        Meeting.objects.filter(pk__in=pks).update(status=status, updated_at=timezone.now())
    return sum(len(pks) for pks in changes.values())


# --- event life ----------------------------------------------------------------------


@transaction.atomic
def start_event(event: Event, *, by: User, override: bool = False) -> Event:
    """Scheduled → under way: the doors are open (check-in works before this too).

    Not before the event's day, unless staff override it (events.services.day).
    """
    event = _locked_event(event)
    if event.status == EventStatus.FINISHED:
        # Only undoing a finish (events.services.undo) takes a finished event back.
        raise InvalidTransitionError(event.refusal(EventStatus.RUNNING))
    event.move_to(EventStatus.RUNNING)
    early = day.require_event_day(event, day.START, by=by, override=override)
    event.started_at = day.now()
    event.save(update_fields=["status", "started_at", "updated_at"])
    record(by, "event.running", event, early=early)
    return event


@transaction.atomic
def finish_event(event: Event, *, by: User, override: bool = False) -> Event:
    """Under way → finished; meetings whose two organizations were checked in were held.

    Not before the event's day, unless staff override it. The feedback requests go
    out from the periodic job once the event has also ended by the clock.
    """
    event = _locked_event(event)
    event.move_to(EventStatus.FINISHED)
    early = day.require_event_day(event, day.FINISH, by=by, override=override)
    event.finished_at = day.now()
    event.save(update_fields=["status", "finished_at", "updated_at"])
    held = settle_meetings(event)
    record(by, "event.finished", event, meetings_settled=held, early=early)
    return event


# --- check-in and no-shows -----------------------------------------------------------


@transaction.atomic
def check_in(*, registration: Registration, by: User, override: bool = False) -> Registration:
    """Check an organization in at the door; checking in twice changes nothing.

    A walk-in (invited, waiting-listed or declined) is registered on the spot: the
    programme office decides at the door, capacity is about seats booked in advance.
    Not before the event's day, unless staff override it.
    """
    registration = _locked_registration(registration)
    event = registration.event
    if not event.check_in_open:
        raise DomainError(
            _("Check-in is not open: the event is “%(status)s”.")
            % {"status": event.get_status_display()}
        )
    if registration.status == RegStatus.CHECKED_IN:
        return registration
    early = day.require_event_day(event, day.CHECK_IN, by=by, override=override)
    if registration.status in WALK_IN:
        registration.move_to(RegStatus.REGISTERED)
        registration.responded_at = registration.responded_at or timezone.now()
    registration.move_to(RegStatus.CHECKED_IN)
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = by
    registration.no_show_at = None
    registration.save(
        update_fields=["status", "responded_at", "checked_in_at", "checked_in_by", "no_show_at"]
    )
    settle_meetings(event, [registration.organization_id])
    record(by, "registration.checked_in", registration, early=early)
    return registration


@transaction.atomic
def undo_check_in(*, registration: Registration, by: User) -> Registration:
    """Take back a check-in made by mistake: the organization is expected again."""
    registration = _locked_registration(registration)
    if registration.status != RegStatus.CHECKED_IN:
        raise DomainError(
            _("%(organization)s is not checked in.") % {"organization": registration.organization}
        )
    registration.move_to(RegStatus.REGISTERED)
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    settle_meetings(registration.event, [registration.organization_id])
    record(by, "registration.check_in_undone", registration)
    return registration


def _require_under_way(event: Event, *, by: User, override: bool) -> bool:
    if not event.is_under_way:
        raise DomainError(
            _("No-shows are recorded once the event is under way; it is “%(status)s”.")
            % {"status": event.get_status_display()}
        )
    return day.require_event_day(event, day.NO_SHOW, by=by, override=override)


@transaction.atomic
def mark_no_show(*, registration: Registration, by: User, override: bool = False) -> Registration:
    """One organization did not come (or a check-in is corrected); its meetings did not happen.

    Not before the event has started, unless staff override it; undone on the same
    day by events.services.undo.undo_no_show.
    """
    registration = _locked_registration(registration)
    early = _require_under_way(registration.event, by=by, override=override)
    if registration.status == RegStatus.NO_SHOW:
        return registration
    previous = registration.status
    registration.move_to(RegStatus.NO_SHOW)
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.no_show_at = day.now()
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by", "no_show_at"])
    settle_meetings(registration.event, [registration.organization_id])
    record(by, "registration.no_show", registration, previous=previous, early=early)
    return registration


@transaction.atomic
def mark_no_shows(event: Event, *, by: User, override: bool = False) -> int:
    """Everyone registered but not checked in at an event under way is a no-show.

    Returns how many registrations became no-shows; their meetings become no-shows too.
    The count is what the invitation pages show as the organization's no-show history.
    An organization that reported on one of its meetings evidently came (an online
    event has no check-in) and is left as it is.
    """
    event = _locked_event(event)
    early = _require_under_way(event, by=by, override=override)
    reporters = {
        enterprise_id if side == Side.ENTERPRISE else provider_id
        for side, enterprise_id, provider_id in Outcome.objects.filter(
            meeting__event=event
        ).values_list("side", "meeting__enterprise_id", "meeting__provider_id")
    }
    absent = list(
        Registration.objects.select_for_update(of=("self",))
        .filter(event=event, status=RegStatus.REGISTERED)
        .exclude(organization_id__in=reporters)
        .select_related("organization")
    )
    marked_at = day.now()
    for registration in absent:
        registration.move_to(RegStatus.NO_SHOW)
        registration.no_show_at = marked_at
    Registration.objects.bulk_update(absent, ["status", "no_show_at"])
    settle_meetings(event, [r.organization_id for r in absent])
    record(by, "event.no_shows_marked", event, count=len(absent), early=early)
    return len(absent)


# --- outcomes ------------------------------------------------------------------------


def check_outcome_allowed(*, meeting: Meeting, side: str, stage: str, by: User) -> None:
    """Raise the reason why `by` may not report this side's outcome now (or return).

    Forms call it to show the refusal next to the fields; `record_outcome` calls it
    again under the meeting's lock.
    """
    if side not in Side.values:
        raise DomainError(_("Unknown side."))
    if stage not in Outcome.Stage.values:
        raise DomainError(_("Unknown feedback stage."))
    organization = meeting.party(side)
    if not rules.has_perm("events.report_outcome_for", by, organization):
        raise NotAllowedError(
            _("Only members of %(organization)s can report its outcome of this meeting.")
            % {"organization": organization}
        )
    event = meeting.event
    if stage == Outcome.Stage.EVENT and not event.feedback_open():
        raise DomainError(_("Feedback opens when the event starts."))
    if stage == Outcome.Stage.FOLLOW_UP and not event.feedback_open(followup=True):
        raise DomainError(_("The follow-up opens after the event has finished."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError(_("This meeting was cancelled."))
    if meeting.status == Meeting.Status.NO_SHOW:
        raise DomainError(_no_show_advice(by))


def _no_show_advice(by: User) -> str:
    """What to do about a meeting recorded as a no-show that did take place: the office
    corrects the check-in itself; a participant asks the office to."""
    if by.is_staff:
        return _(
            "This meeting is recorded as a no-show because a side was marked absent. If it "
            "took place, check that organization in on the check-in page (that takes the "
            "no-show back), then record the outcome here."
        )
    return _(
        "This meeting is recorded as a no-show because your organization or the other "
        "one was marked absent. If it took place, reply to your schedule email or tell "
        "the programme office at the event: once they correct the check-in, you can "
        "report the outcome here."
    )


@transaction.atomic
def record_outcome(
    *,
    meeting: Meeting,
    side: str,
    by: User,
    rating: int,
    next_step: str,
    deal_value: int | None = None,
    note: str = "",
    stage: str = Outcome.Stage.EVENT,
) -> Outcome:
    """Save one side's outcome of a meeting for a stage (after the event, or 90 days on).

    One outcome per (meeting, side, stage): submitting again edits it. The meeting
    row is locked, so two members of the same organization submitting at once end
    with one outcome, the later one.
    """
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise", "provider")
        .get(pk=meeting.pk)
    )
    organization = meeting.party(side)
    check_outcome_allowed(meeting=meeting, side=side, stage=stage, by=by)
    if meeting.status == Meeting.Status.SCHEDULED:
        meeting.move_to(Meeting.Status.HELD)
        meeting.save(update_fields=["status", "updated_at"])
    outcome = Outcome.objects.filter(meeting=meeting, side=side, stage=stage).first() or Outcome(
        meeting=meeting, side=side, stage=stage
    )
    outcome.rating = rating
    outcome.next_step = next_step
    outcome.deal_value = deal_value
    outcome.note = note
    outcome.submitted_by = by
    # The meeting's lock and the unique constraint guard the one-per-side rule.
    outcome.full_clean(validate_unique=False, validate_constraints=False)
    outcome.save()
    record(
        by,
        "outcome.recorded",
        outcome,
        side=side,
        stage=stage,
        on_behalf=not is_member(by, organization.pk),
    )
    return outcome
