"""Running an event: start and finish it, check organizations in, mark no-shows, record
what came of each meeting (成果), and the programme dashboard's figures.

Who is where is the registration's status (Registration.TRANSITIONS); whether a
meeting took place follows from it (`_settle_meetings`): a meeting with a no-show
side is a no-show, and when the event finishes, a meeting whose two organizations
were checked in was held. A participant's first outcome for a meeting also counts it
as held — at an online event nobody is checked in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from core.enums import Side
from core.errors import DomainError, InvalidTransitionError, NotAllowedError
from core.models import User
from core.selectors import is_member
from events.models import Event, Meeting, Outcome, Registration, Season

RegStatus = Registration.Status
EventStatus = Event.Status

# Check-in opens with publication (walk-ins on the day) and stays open after the
# event for corrections; drafts and cancelled events have nobody to check in.
CHECK_IN_OPEN = frozenset(
    {
        EventStatus.PUBLISHED,
        EventStatus.REGISTRATION_CLOSED,
        EventStatus.SCHEDULED,
        EventStatus.RUNNING,
        EventStatus.FINISHED,
    }
)
UNDER_WAY = frozenset({EventStatus.RUNNING, EventStatus.FINISHED})
# An organization that never answered, was waiting-listed or declined may still turn
# up at the door: checking it in registers it first.
WALK_IN = frozenset({RegStatus.INVITED, RegStatus.WAITLISTED, RegStatus.DECLINED})

# How far a meeting got, by the furthest next step either side reported.
STEP_RANK = {
    Outcome.NextStep.NONE: 0,
    Outcome.NextStep.FOLLOW_UP: 1,
    Outcome.NextStep.NDA: 2,
    Outcome.NextStep.PILOT: 3,
    Outcome.NextStep.CONTRACT: 4,
}
FUNNEL = (
    ("met", _("Met")),
    ("follow_up", _("Follow-up talks")),
    ("nda", _("NDA signed")),
    ("pilot", _("Pilot (POC)")),
    ("contract", _("Contract")),
)
DEFAULT_TARGET = 50


# --- state machines ------------------------------------------------------------------


def _move_event(event: Event, status: str) -> None:
    if not event.can_become(status):
        raise InvalidTransitionError(
            _("The event is “%(current)s” and cannot become “%(target)s”.")
            % {"current": event.get_status_display(), "target": EventStatus(status).label}
        )
    event.status = status


def _move_registration(registration: Registration, status: str) -> None:
    if status not in Registration.TRANSITIONS[registration.status]:
        raise InvalidTransitionError(
            _("%(organization)s is “%(current)s” and cannot become “%(target)s”.")
            % {
                "organization": registration.organization,
                "current": registration.get_status_display(),
                "target": RegStatus(status).label,
            }
        )
    registration.status = status


def _audit(by: User | None, action: str, obj, **details: Any) -> None:
    """Staff operations on events go to the audit log (participants' own answers do not)."""
    if by is not None and by.is_staff:
        audit.record(by, action, obj, **details)


def _locked_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "organization")
        .get(pk=registration.pk)
    )


def _locked_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _settle_meetings(event: Event, organization_ids: Iterable[int] | None = None) -> int:
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
            changes.setdefault(target, []).append(pk)
    for status, pks in changes.items():
        Meeting.objects.filter(pk__in=pks).update(status=status, updated_at=timezone.now())
    return sum(len(pks) for pks in changes.values())


# --- event life ----------------------------------------------------------------------


@transaction.atomic
def start_event(event: Event, *, by: User) -> Event:
    """Scheduled → under way: the doors are open (check-in works before this too)."""
    event = _locked_event(event)
    _move_event(event, EventStatus.RUNNING)
    event.save(update_fields=["status", "updated_at"])
    _audit(by, "event.running", event)
    return event


@transaction.atomic
def finish_event(event: Event, *, by: User) -> Event:
    """Under way → finished; meetings whose two organizations were checked in were held.

    The feedback requests go out from the periodic job that looks for finished events.
    """
    event = _locked_event(event)
    _move_event(event, EventStatus.FINISHED)
    event.save(update_fields=["status", "updated_at"])
    held = _settle_meetings(event)
    _audit(by, "event.finished", event, meetings_settled=held)
    return event


# --- check-in and no-shows -----------------------------------------------------------


@transaction.atomic
def check_in(*, registration: Registration, by: User) -> Registration:
    """Check an organization in at the door; checking in twice changes nothing.

    A walk-in (invited, waiting-listed or declined) is registered on the spot: the
    programme office decides at the door, capacity is about seats booked in advance.
    """
    registration = _locked_registration(registration)
    event = registration.event
    if event.status not in CHECK_IN_OPEN:
        raise DomainError(
            _("Check-in is not open: the event is “%(status)s”.")
            % {"status": event.get_status_display()}
        )
    if registration.status == RegStatus.CHECKED_IN:
        return registration
    if registration.status in WALK_IN:
        _move_registration(registration, RegStatus.REGISTERED)
        registration.responded_at = registration.responded_at or timezone.now()
    _move_registration(registration, RegStatus.CHECKED_IN)
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = by
    registration.save(update_fields=["status", "responded_at", "checked_in_at", "checked_in_by"])
    _settle_meetings(event, [registration.organization_id])
    _audit(by, "registration.checked_in", registration)
    return registration


@transaction.atomic
def undo_check_in(*, registration: Registration, by: User) -> Registration:
    """Take back a check-in made by mistake: the organization is expected again."""
    registration = _locked_registration(registration)
    if registration.status != RegStatus.CHECKED_IN:
        raise DomainError(
            _("%(organization)s is not checked in.") % {"organization": registration.organization}
        )
    _move_registration(registration, RegStatus.REGISTERED)
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    _settle_meetings(registration.event, [registration.organization_id])
    _audit(by, "registration.check_in_undone", registration)
    return registration


def _require_under_way(event: Event) -> None:
    if event.status not in UNDER_WAY:
        raise DomainError(
            _("No-shows are recorded once the event is under way; it is “%(status)s”.")
            % {"status": event.get_status_display()}
        )


@transaction.atomic
def mark_no_show(*, registration: Registration, by: User) -> Registration:
    """One organization did not come (or a check-in is corrected); its meetings did not happen."""
    registration = _locked_registration(registration)
    _require_under_way(registration.event)
    if registration.status == RegStatus.NO_SHOW:
        return registration
    previous = registration.status
    _move_registration(registration, RegStatus.NO_SHOW)
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    _settle_meetings(registration.event, [registration.organization_id])
    _audit(by, "registration.no_show", registration, previous=previous)
    return registration


@transaction.atomic
def mark_no_shows(event: Event, *, by: User) -> int:
    """Everyone registered but not checked in at an event under way is a no-show.

    Returns how many registrations became no-shows; their meetings become no-shows too.
    The count is what the invitation pages show as the organization's no-show history.
    An organization that reported on one of its meetings evidently came (an online
    event has no check-in) and is left as it is.
    """
    event = _locked_event(event)
    _require_under_way(event)
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
    for registration in absent:
        _move_registration(registration, RegStatus.NO_SHOW)
    Registration.objects.bulk_update(absent, ["status"])
    _settle_meetings(event, [r.organization_id for r in absent])
    _audit(by, "event.no_shows_marked", event, count=len(absent))
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
    organization = meeting.enterprise if side == Side.ENTERPRISE else meeting.provider
    if not (by.is_staff or is_member(by, organization.pk)):
        raise NotAllowedError(
            _("Only members of %(organization)s can report its outcome of this meeting.")
            % {"organization": organization}
        )
    event = meeting.event
    if stage == Outcome.Stage.EVENT and event.status not in UNDER_WAY:
        raise DomainError(_("Feedback opens when the event starts."))
    if stage == Outcome.Stage.FOLLOW_UP and event.status != EventStatus.FINISHED:
        raise DomainError(_("The follow-up opens after the event has finished."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError(_("This meeting was cancelled."))
    if meeting.status == Meeting.Status.NO_SHOW:
        raise DomainError(
            _(
                "This meeting is recorded as a no-show. If it took place, "
                "ask the programme office to correct the check-in."
            )
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
    organization = meeting.enterprise if side == Side.ENTERPRISE else meeting.provider
    check_outcome_allowed(meeting=meeting, side=side, stage=stage, by=by)
    if meeting.status == Meeting.Status.SCHEDULED:
        meeting.status = Meeting.Status.HELD
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
    if by.is_staff and not is_member(by, organization.pk):
        _audit(by, "outcome.recorded", outcome, side=side, stage=stage)
    return outcome


# --- the programme dashboard ---------------------------------------------------------


def _rank_expression() -> Case:
    return Case(
        *(When(next_step=step, then=rank) for step, rank in STEP_RANK.items()),
        default=0,
        output_field=IntegerField(),
    )


def _per_meeting(aggregate) -> Subquery:
    """One value per meeting over its outcomes (both sides, both stages)."""
    return Subquery(
        Outcome.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(value=aggregate)
        .values("value")
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def dashboard_figures(*, season: Season | None = None) -> dict[str, Any]:
    """Every figure of the programme dashboard, for one season or all of them.

    Five aggregate queries whatever the number of events: events, registrations,
    meetings with their furthest reported step and deal value, outcomes, and (for
    all seasons) the target. The funnel counts held meetings by the furthest next
    step either side reported at either stage, cumulatively (a contract also counts
    as follow-up, NDA and pilot); a meeting's deal value is the largest reported.
    """
    events = Event.objects.all()
    registrations = Registration.objects.all()
    meetings = Meeting.objects.all()
    outcomes = Outcome.objects.all()
    if season is not None:
        events = events.filter(season=season)
        registrations = registrations.filter(event__season=season)
        meetings = meetings.filter(event__season=season)
        outcomes = outcomes.filter(meeting__event__season=season)
        target = season.target_events
    else:
        target = Season.objects.aggregate(total=Sum("target_events"))["total"] or DEFAULT_TARGET

    live = ~Q(status=EventStatus.CANCELLED)
    rows: dict[int | None, dict[str, Any]] = {}

    def row(domain_id: int | None) -> dict[str, Any]:
        return rows.setdefault(domain_id, {"code": "", "name_zh": "", "name_en": ""})

    for item in (
        events.order_by()
        .values("domain_id", "domain__code", "domain__name_zh", "domain__name_en")
        .annotate(
            events_planned=Count("pk", filter=live),
            events_published=Count("pk", filter=live & ~Q(status=EventStatus.DRAFT)),
            events_held=Count("pk", filter=Q(status=EventStatus.FINISHED)),
            events_cancelled=Count("pk", filter=Q(status=EventStatus.CANCELLED)),
        )
    ):
        entry = row(item["domain_id"])
        entry.update(
            code=item["domain__code"] or "",
            name_zh=item["domain__name_zh"] or "",
            name_en=item["domain__name_en"] or "",
        )
        for key in ("events_planned", "events_published", "events_held", "events_cancelled"):
            entry[key] = item[key]

    for item in (
        registrations.order_by()
        .values("event__domain_id")
        .annotate(
            registrations=Count(
                "pk",
                filter=Q(
                    status__in=[RegStatus.REGISTERED, RegStatus.CHECKED_IN, RegStatus.NO_SHOW]
                ),
            ),
            checked_in=Count("pk", filter=Q(status=RegStatus.CHECKED_IN)),
            no_shows=Count("pk", filter=Q(status=RegStatus.NO_SHOW)),
        )
    ):
        row(item["event__domain_id"]).update(
            {key: item[key] for key in ("registrations", "checked_in", "no_shows")}
        )

    held = Q(status=Meeting.Status.HELD)
    for item in (
        meetings.order_by()
        .annotate(
            furthest=_per_meeting(Max(_rank_expression())),
            deal=_per_meeting(Max("deal_value")),
        )
        .values("event__domain_id")
        .annotate(
            meetings_scheduled=Count("pk", filter=~Q(status=Meeting.Status.CANCELLED)),
            met=Count("pk", filter=held),
            meetings_no_show=Count("pk", filter=Q(status=Meeting.Status.NO_SHOW)),
            follow_up=Count("pk", filter=held & Q(furthest__gte=1)),
            nda=Count("pk", filter=held & Q(furthest__gte=2)),
            pilot=Count("pk", filter=held & Q(furthest__gte=3)),
            contract=Count("pk", filter=held & Q(furthest__gte=4)),
            deal_value=Sum("deal", filter=held),
        )
    ):
        entry = row(item["event__domain_id"])
        for key in (
            "meetings_scheduled",
            "met",
            "meetings_no_show",
            "follow_up",
            "nda",
            "pilot",
            "contract",
        ):
            entry[key] = item[key]
        entry["deal_value"] = item["deal_value"] or 0

    for item in (
        outcomes.order_by()
        .values("meeting__event__domain_id")
        .annotate(feedback=Count("pk"), rating_sum=Sum("rating"))
    ):
        row(item["meeting__event__domain_id"]).update(
            feedback=item["feedback"], rating_sum=item["rating_sum"]
        )

    counters = (
        "events_planned",
        "events_published",
        "events_held",
        "events_cancelled",
        "registrations",
        "checked_in",
        "no_shows",
        "meetings_scheduled",
        "met",
        "meetings_no_show",
        "follow_up",
        "nda",
        "pilot",
        "contract",
        "deal_value",
        "feedback",
        "rating_sum",
    )
    totals: dict[str, Any] = dict.fromkeys(counters, 0)
    domains = []
    for domain_id, entry in rows.items():
        for key in counters:
            entry.setdefault(key, 0)
            totals[key] += entry[key]
        _derive(entry)
        entry["domain_id"] = domain_id
        domains.append(entry)
    _derive(totals)
    totals["target"] = target
    totals["target_share"] = _ratio(totals["events_planned"], target)
    domains.sort(
        key=lambda entry: (-entry["events_planned"], entry["domain_id"] is None, entry["code"])
    )
    return {"season": season, "target": target, "totals": totals, "domains": domains}


def _derive(entry: dict[str, Any]) -> None:
    """Rates and the funnel of one row of counts (in place)."""
    entry["no_show_rate"] = _ratio(entry["no_shows"], entry["checked_in"] + entry["no_shows"])
    entry["average_rating"] = (
        round(entry["rating_sum"] / entry["feedback"], 2) if entry["feedback"] else None
    )
    entry["funnel"] = [{"key": key, "label": label, "count": entry[key]} for key, label in FUNNEL]
