"""Season planning: read the catalog into the planner, write its draft events back, publish.

The planner itself (`events.planning`) is pure; this module is its Django side:

- `plan_season` marks a season as planning and records the job in the outbox (the
  Celery task `events.plan_events` runs `run_planner` after commit);
- `run_planner` builds a `PlanningInput` from the database (approved needs, their
  top-10 matched provider organizations from the active generation of matches,
  accepted introductions, the working-day calendar, venues, the engine's TF-IDF rows
  for theme naming), runs the planner and replaces the season's *draft* events with its
  plan — published events are never touched, and re-planning fills around them;
- `publish_events` moves reviewed drafts to "open for registration".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import record
from core.enums import Side
from core.errors import DomainError, InvalidTransitionError
from core.models import Capability, Industry, User
from core.outbox import enqueue
from events import planning
from events.calendar_cn import WorkCalendar
from events.models import CalendarDay, Event, Registration, Season, Venue
from events.selectors.plan_report import OTHER_INDUSTRY, OTHER_INDUSTRY_NAMES, stored_quality
from events.tasks import season as season_tasks
from matchmaking.models import Interest, Match, Need, Status
from matchmaking.services.matching import engine_config, need_records, need_vectors

logger = logging.getLogger(__name__)


# --- starting a planning run ---------------------------------------------------------------


@transaction.atomic
def plan_season(season: Season, *, by: User | None) -> None:
    """Mark the season as planning and enqueue the planner job (runs after commit).

    A second request while the job is still queued or running keeps the one job
    (the outbox key dedupes it), so a double click plans once.
    """
    season = Season.objects.select_for_update().get(pk=season.pk)
    _check_window(season)
    season.plan_status = Season.PlanStatus.PLANNING
    season.plan_progress = 0
    season.save(update_fields=["plan_status", "plan_progress"])
    record(by, "season.planning_requested", season)
    task = season_tasks.plan_events
    enqueue(task, kwargs={"season_id": season.pk}, key=f"{task.name}:{season.pk}")
    logger.info("season %s: planning requested by %s", season.pk, getattr(by, "pk", None))


def _check_window(season: Season) -> None:
    if season.start > season.end:
        raise DomainError(_("The season's first possible date is after its last possible date."))


# --- the job body --------------------------------------------------------------------------


def run_planner(season_id: int) -> planning.SeasonPlan:
    """Plan the season from the database and write the draft events (the job's body).

    Runs outside a transaction until the final write, so that staff watching the
    season in admin see its progress; a failure is recorded on the season (status
    "failed", the error in the planner notes) and re-raised for the job's retry policy.
    """
    try:
        _progress(season_id, 5, plan_status=Season.PlanStatus.PLANNING)
        season = Season.objects.get(pk=season_id)
        _check_window(season)
        inp, notes, kept_events = planning_input(season)
        _progress(season_id, 30)
        plan = planning.plan_season(inp)
        _progress(season_id, 85)
        _write_plan(season_id, plan, notes, kept_events)
    except Exception as exc:
        record_planning_failure(season_id=season_id, error=_error_text(exc))
        raise
    return plan


@transaction.atomic
def record_planning_failure(*, season_id: int, error: str) -> None:
    """Make a failed planning run visible on the season (admin shows status and notes)."""
    season = Season.objects.filter(pk=season_id).first()
    if season is None:
        return
    Season.objects.filter(pk=season_id).update(
        plan_status=Season.PlanStatus.FAILED,
        plan_progress=0,
        plan_notes=store_notes(
            [planning.Note(gettext_noop("Planning failed: %(error)s"), {"error": error})]
        ),
    )
    record(None, "season.planning_failed", season, error=error[:500])


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return str(exc.message)
    return f"{type(exc).__name__}: {exc}"


def _progress(season_id: int, percent: int, **extra: object) -> None:
    Season.objects.filter(pk=season_id).update(plan_progress=percent, **extra)


def _kept_events(season: Season):
    """The season's events staff have published (or moved further): re-planning keeps them."""
    return season.events.visible()


def planning_input(season: Season) -> tuple[planning.PlanningInput, list[planning.Note], int]:
    """Read everything the planner needs; returns the input, notes for admins, kept events.

    Needs already placed in the season's published events are left out, those events'
    dates are blocked, and the target shrinks by their number: re-planning fills the
    rest of the season around what staff already published.
    """
    notes: list[planning.Note] = []
    kept = _kept_events(season)
    kept_count = kept.count()
    kept_need_ids = set(kept.values_list("needs", flat=True)) - {None}
    target = max(season.target_events - kept_count, 0)
    if kept_count:
        notes.append(
            planning.Note(
                gettext_noop(
                    "%(kept)d published events kept with their %(needs)d needs; "
                    "planning the remaining %(target)d."
                ),
                {"kept": kept_count, "needs": len(kept_need_ids), "target": target},
            )
        )

    queryset = Need.objects.filter(status=Status.APPROVED).exclude(pk__in=kept_need_ids)
    records = need_records(queryset) if target else []
    matches = _top_providers(records)
    needs = [
        planning.PlanNeed(
            id=record.id,
            organization_id=record.organization_id,
            industry=record.industry or OTHER_INDUSTRY,
            capabilities=record.capabilities,
            matches=matches.get(record.id, ()),
            vector_row=row,
        )
        for row, record in enumerate(records)
    ]
    vectors, feature_names = need_vectors(records, notes)
    if target == 0:
        notes.append(
            planning.Note(
                gettext_noop("The season already has its target number of events: nothing to plan.")
            )
        )

    venues, venue_notes = _venues(season)
    notes.extend(venue_notes)
    calendar_days = list(CalendarDay.objects.filter(date__range=(season.start, season.end)))
    provisional = sorted({d.date.year for d in calendar_days if d.provisional})
    if provisional:
        notes.append(
            planning.Note(
                gettext_noop(
                    "The holiday calendar of %(years)s is provisional: confirm it in admin "
                    "once the State Council publishes it."
                ),
                {"years": ", ".join(str(y) for y in provisional)},
            )
        )
    industry_names = {
        i.code: (i.name_zh, i.name_en) for i in Industry.objects.only("code", "name_zh", "name_en")
    }
    industry_names[OTHER_INDUSTRY] = OTHER_INDUSTRY_NAMES
    inp = planning.PlanningInput(
        needs=needs,
        start=season.start,
        end=season.end,
        venues=venues,
        calendar=WorkCalendar.from_days(calendar_days),
        introductions=_introductions({n.id for n in needs}),
        target_events=max(target, 1),
        weekly_cap=season.weekly_cap,
        blackout_dates=_blackout_dates(season, notes),
        max_providers_per_event=season.max_providers_per_event,
        need_vectors=vectors,
        feature_names=feature_names,
        industry_names=industry_names,
        capability_names={
            c.code: (c.name_zh, c.name_en)
            for c in Capability.objects.only("code", "name_zh", "name_en")
        },
        related_industries=planning.related_from_pairs(engine_config().related_industries),
    )
    return inp, notes, kept_count


def _top_providers(records) -> dict[int, tuple[planning.ProviderMatch, ...]]:
    """Each need's best matched provider organizations (top 10), from the active matches.

    The engine ranks solutions; a provider with several matching solutions is one
    organization at one table, so solutions collapse to organizations (best score).
    """
    org_of_need = {r.id: r.organization_id for r in records}
    rows: dict[int, list[tuple[int, float]]] = {}
    active = (
        Match.objects.active()
        .filter(need__status=Status.APPROVED)
        .order_by("need_id", F("rank_for_need").asc(nulls_last=True), "-score", "solution_id")
        .values_list("need_id", "solution__organization_id", "score")
    )
    for need_id, provider_id, score in active.iterator(chunk_size=5000):
        if need_id in org_of_need and provider_id != org_of_need[need_id]:
            rows.setdefault(need_id, []).append((provider_id, score))
    return {
        need_id: planning.collapse_matches(pairs, limit=planning.TOP_K)
        for need_id, pairs in rows.items()
    }


def _introductions(need_ids: set[int]) -> list[planning.Introduction]:
    """Accepted introductions (double opt-in) about the needs being planned."""
    pairs = (
        Interest.objects.filter(status=Interest.Status.ACCEPTED, need_id__in=need_ids)
        .order_by("pk")
        .values_list("need__organization_id", "solution__organization_id", "need_id")
    )
    return [planning.Introduction(e, p, n) for e, p, n in dict.fromkeys(pairs)]


def _venues(season: Season) -> tuple[list[planning.Venue], list[planning.Note]]:
    notes = []
    venues = list(season.venues.all())
    if not venues:
        venues = list(Venue.objects.all())
        if venues:
            notes.append(
                planning.Note(gettext_noop("The season lists no venues: planned with every venue."))
            )
    if not venues:
        raise DomainError(_("There is no venue to hold events: add one in admin first."))
    busy: dict[int, set[date]] = {v.pk: set() for v in venues}
    taken = (
        Event.objects.filter(venue__in=venues, date__range=(season.start, season.end))
        .exclude(status=Event.Status.CANCELLED)
        .exclude(season=season, status=Event.Status.DRAFT)
        .values_list("venue_id", "date")
    )
    for venue_id, day in taken:
        busy[venue_id].add(day)
    return [
        planning.Venue(v.pk, v.name, v.capacity, unavailable=frozenset(busy[v.pk])) for v in venues
    ], notes


def _blackout_dates(season: Season, notes: list[planning.Note]) -> frozenset[date]:
    """The season's blackout dates plus days that already hold an event (one a day)."""
    days: set[date] = set()
    for value in season.blackout_dates or []:
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            notes.append(
                planning.Note(
                    gettext_noop(
                        "Ignored the date without events “%(value)s”: not a date (YYYY-MM-DD)."
                    ),
                    {"value": str(value)},
                )
            )
    days.update(
        Event.objects.filter(date__range=(season.start, season.end))
        .exclude(status=Event.Status.CANCELLED)
        .exclude(season=season, status=Event.Status.DRAFT)
        .values_list("date", flat=True)
    )
    return frozenset(days)


def store_notes(notes: Iterable[tuple[str, dict]]) -> str:
    """The notes as the season keeps them: one JSON object a line, worded when shown
    (events/selectors/plan_report.py) in the reader's language."""
    return "\n".join(
        json.dumps({"message": message, "values": dict(values)}, ensure_ascii=False)
        for message, values in notes
    )


# Why a need was left out of the plan, by the planner's reason code.
UNPLACED_NOTES = {
    planning.SEASON_FULL: gettext_noop(
        "Need #%(need)s not placed: the events of its industry are full."
    ),
    planning.NO_DATE: gettext_noop(
        "Need #%(need)s not placed: no working day with a free venue was left in the season."
    ),
    "": gettext_noop("Need #%(need)s not placed."),
}


# --- writing the plan ----------------------------------------------------------------------


@transaction.atomic
def _write_plan(
    season_id: int, plan: planning.SeasonPlan, notes: list[planning.Note], kept_events: int
) -> None:
    """Replace the season's draft events (and their draft invitations) with the plan."""
    season = Season.objects.select_for_update().get(pk=season_id)
    # Lock the drafts before deleting them: one that staff publish at this very moment
    # is re-read after their commit, is no longer a draft, and stays.
    drafts = list(
        season.events.select_for_update()
        .filter(status=Event.Status.DRAFT)
        .values_list("pk", flat=True)
    )
    Event.objects.filter(pk__in=drafts).delete()
    if _kept_events(season).count() != kept_events:
        notes.append(
            planning.Note(
                gettext_noop(
                    "Events were published while the planner ran: plan again so that the "
                    "drafts leave out their needs."
                )
            )
        )
    venues = Venue.objects.in_bulk([e.venue_id for e in plan.events])
    industries = {i.code: i for i in Industry.objects.all()}
    need_links, registrations = [], []
    for planned in plan.events:
        venue = venues[planned.venue_id]
        domain = next((industries[c] for c in planned.industries if c in industries), None)
        event = Event.objects.create(
            season=season,
            planner_key=planned.key[:60],
            title_zh=planned.title_zh[:150],
            title_en=planned.title_en[:200],
            domain=domain,
            theme=planned.theme_zh[:80],
            theme_en=planned.theme_en[:120],
            date=planned.date,
            venue=venue,
            tables=venue.tables,
            capacity_per_side=venue.capacity,
            status=Event.Status.DRAFT,
        )
        need_links += [Event.needs.through(event=event, need_id=n) for n in planned.need_ids]
        invited = dict.fromkeys(planned.enterprise_ids, Side.ENTERPRISE)
        for org in planned.provider_ids:
            # One registration per organization: an organization of both kinds that
            # brings a need comes as an enterprise.
            invited.setdefault(org, Side.PROVIDER)
        registrations += [
            Registration(
                event=event,
                organization_id=org,
                side=side,
                status=Registration.Status.INVITED,
                source=Registration.Source.PLANNER,
            )
            for org, side in invited.items()
        ]
    Event.needs.through.objects.bulk_create(need_links, batch_size=2000)
    Registration.objects.bulk_create(registrations, batch_size=2000)

    quality = asdict(plan.quality)
    quality.update(
        meets_targets=plan.quality.meets_targets,
        needs_unplaced=len(plan.unplaced),
        kept_events=kept_events,
    )
    unplaced = [
        planning.Note(UNPLACED_NOTES.get(u.reason, UNPLACED_NOTES[""]), {"need": u.need_id})
        for u in plan.unplaced[:50]
    ]
    if len(plan.unplaced) > len(unplaced):
        unplaced.append(
            planning.Note(
                gettext_noop("… and %(more)d more needs not placed."),
                {"more": len(plan.unplaced) - len(unplaced)},
            )
        )
    season.plan_status = Season.PlanStatus.PLANNED
    season.plan_progress = 100
    season.plan_quality = quality
    season.plan_notes = store_notes([*notes, *plan.notes, *unplaced])
    season.planned_at = timezone.now()
    season.save(
        update_fields=["plan_status", "plan_progress", "plan_quality", "plan_notes", "planned_at"]
    )
    record(None, "season.planned", season, events=len(plan.events), drafts_replaced=len(drafts))


def quality_report(season: Season) -> str:
    """The plan's three quality figures against their targets, as the command prints them."""
    quality = stored_quality(season)
    return planning.format_quality(quality) if quality else ""


# --- publishing ----------------------------------------------------------------------------


@transaction.atomic
def publish_events(events: Iterable[Event], *, by: User | None) -> int:
    """Open reviewed events for registration (draft → published); returns how many changed.

    All or nothing: if one selected event cannot be published, none is, and the error
    names it. Events already open for registration are left as they are (a double
    click publishes once).
    """
    ids = [e.pk for e in events]
    locked = list(Event.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    target = Event.Status.PUBLISHED
    problems = []
    today = timezone.localdate()
    for event in locked:
        if event.status == target:
            continue
        if not event.can_become(target):
            # One message naming every event that cannot be published, not the first.
            problems.append(
                _("“%(title)s” is “%(status)s” and cannot be opened for registration.")
                % {"title": event.title, "status": event.get_status_display()}
            )
        elif event.date < today:
            problems.append(
                _("“%(title)s” is dated %(date)s, in the past.")
                % {"title": event.title, "date": event.date.isoformat()}
            )
        elif event.venue_id is None and event.format != Event.Format.ONLINE:
            problems.append(
                _("“%(title)s” has no venue: choose one or make it an online event.")
                % {"title": event.title}
            )
    if problems:
        raise InvalidTransitionError(" ".join(problems))
    changed = [e for e in locked if e.status != target]
    for event in changed:
        event.move_to(target)
        event.save(update_fields=["status", "updated_at"])
        record(by, "event.published", event)
    logger.info("published %d events by %s", len(changed), getattr(by, "pk", None))
    return len(changed)


def publish_drafts(season: Season, *, by: User | None) -> int:
    """Open every draft event of the season for registration (all or none)."""
    return publish_events(season.events.filter(status=Event.Status.DRAFT), by=by)


def upcoming_published_events(seasons: Iterable[Season]) -> QuerySet[Event]:
    """The seasons' events open for registration and still ahead: whom to invite to."""
    return Event.objects.filter(
        season__in=list(seasons), status__in=Event.REGISTRATION_OPEN, date__gte=timezone.localdate()
    ).order_by("date", "pk")


# --- the holiday calendar ------------------------------------------------------------------


@transaction.atomic
def confirm_calendar_days(days: Iterable[CalendarDay], *, by: User | None) -> int:
    """Mark provisional holidays / working days as confirmed by the State Council's notice."""
    confirmed = list(
        CalendarDay.objects.select_for_update().filter(
            pk__in=[d.pk for d in days], provisional=True
        )
    )
    CalendarDay.objects.filter(pk__in=[d.pk for d in confirmed]).update(provisional=False)
    for day in confirmed:
        record(by, "calendar_day.confirmed", day)
    return len(confirmed)
