"""The programme dashboard's figures (项目看板): events against the season's target,
attendance, meetings and how far they got (the outcome funnel)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, Subquery, Sum, When
from django.utils.translation import gettext_lazy as _

from core.enums import Side
from events.models import Event, Meeting, Outcome, Registration, Season
from matchmaking.models import FilingStatus, Solution, Status

RegStatus = Registration.Status
EventStatus = Event.Status

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


def seasons() -> list[Season]:
    """The seasons the dashboard can show, latest first (the first is the default)."""
    return list(Season.objects.order_by("-start", "-pk"))


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


def filing_figures(*, season: Season | None = None) -> dict[str, int]:
    """The programme's headline: filed models (备案) of providers taking part, and how far they got.

    A provider takes part when it registered for an event (of the season); its filed
    models are its published solutions whose filing is verified. Reached a pilot or
    contract: a held meeting of the provider whose furthest reported step is a pilot or
    a contract (for models: the meeting's request named that solution). Two queries.
    """
    registrations = Registration.objects.filter(
        side=Side.PROVIDER,
        status__in=[RegStatus.REGISTERED, RegStatus.CHECKED_IN, RegStatus.NO_SHOW],
    )
    meetings = Meeting.objects.filter(status=Meeting.Status.HELD)
    if season is not None:
        registrations = registrations.filter(event__season=season)
        meetings = meetings.filter(event__season=season)
    filed = Solution.objects.filter(
        status=Status.APPROVED,
        filing_status=FilingStatus.VERIFIED,
        organization__in=registrations.values("organization"),
    )
    landed = meetings.annotate(furthest=_per_meeting(Max(_rank_expression()))).filter(
        furthest__gte=STEP_RANK[Outcome.NextStep.PILOT],
        provider__in=filed.values("organization"),
    )
    figures = filed.aggregate(
        filed_models=Count("pk"),
        filed_providers=Count("organization", distinct=True),
        landed_models=Count("pk", filter=Q(pk__in=landed.values("request__solution"))),
    )
    figures["landed_providers"] = landed.values("provider").distinct().count()
    return figures
