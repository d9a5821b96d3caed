"""Demo events for `make run`: a planned season whose first events are published and
filled, so that the demo enterprise and provider each have a meeting schedule.

Runs after the catalog demo (matchmaking.services.demo), on its `demo_catalog_ready`
signal, with the regular services: planner, publishing, invitations, RSVP, requests,
scheduler.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from core.audit import record
from core.models import User
from events.models import Event, Registration, Season, Venue
from events.services import registration, requests, schedule, season
from matchmaking.models import Interest, Match, Need, Solution, Status

# Pairs of (need key, solution key) introduced to each other in the demo: both sides
# said yes, so they meet at the docking event that holds the need.
DEMO_INTRODUCTIONS = (
    ("need-caohejing-cnc-defect", "sol-shuheng-vision-qc"),
    ("need-caohejing-weld", "sol-shuheng-weld"),
    ("need-caohejing-maintenance", "sol-shuheng-maintenance"),
)
# Demo enterprises ask for meetings with up to three providers matching at least this.
DEMO_MEETING_SCORE = 0.45
VENUES = (
    ("漕河泾会议中心", "上海市徐汇区宜山路 1618 号", 20, 30),
    ("徐汇西岸 AI 大厦", "上海市徐汇区云锦路 701 号（模速空间）", 16, 24),
)


def _introduce(staff: User) -> int:
    """Accepted introductions between the featured demo enterprise and provider."""
    made = 0
    for need_key, solution_key in DEMO_INTRODUCTIONS:
        need = Need.objects.filter(source_key=need_key, status=Status.APPROVED).first()
        solution = Solution.objects.filter(source_key=solution_key, status=Status.APPROVED).first()
        if need is None or solution is None:
            continue
        score = (
            Match.objects.active()
            .filter(need=need, solution=solution)
            .values_list("score", flat=True)
            .first()
        )
        interest, _created = Interest.objects.update_or_create(
            need=need,
            solution=solution,
            defaults={
                "initiated_by_side": "provider",
                "status": Interest.Status.ACCEPTED,
                "created_by": staff,
                "responded_by": staff,
                "score": score,
            },
        )
        record(staff, "interest.accepted", interest, via="demo")
        made += 1
    return made


def seed_events(*, staff: User) -> Event | None:
    """Plan the demo season, publish it, and run its first shared event up to a schedule.

    Returns the event where the featured enterprise and provider meet. Demo emails
    (invitations, schedules) go to an in-memory mailbox, not to the console.
    """
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        with transaction.atomic():
            venues = [
                Venue.objects.get_or_create(
                    name=name, defaults={"address": address, "tables": tables, "capacity": capacity}
                )[0]
                for name, address, tables, capacity in VENUES
            ]
            _introduce(staff)
            # The season starts a week after the day the demo is loaded (never in the past).
            start = timezone.localdate() + timedelta(days=7)
            demo_season, _created = Season.objects.get_or_create(
                name=f"{start:%Y-%m} 起 · 大模型+ 供需对接季",
                defaults={
                    "start": start,
                    "end": start + timedelta(days=210),
                    "target_events": 6,
                    "weekly_cap": 2,
                },
            )
            demo_season.venues.set(venues)
        season.run_planner(demo_season.pk)
        events = list(demo_season.events.filter(status=Event.Status.DRAFT))
        season.publish_events(events, by=staff)
        shared = _event_of_featured_pair(demo_season)
        for event in demo_season.events.all():
            registration.send_invitations(event, by=staff)
        if shared is not None:
            _run_up_to_schedule(shared, staff=staff)
    return shared


def _event_of_featured_pair(demo_season: Season) -> Event | None:
    need = Need.objects.filter(source_key=DEMO_INTRODUCTIONS[0][0]).first()
    solution = Solution.objects.filter(source_key=DEMO_INTRODUCTIONS[0][1]).first()
    if need is None or solution is None:
        return None
    return (
        demo_season.events.filter(registrations__organization=need.organization)
        .filter(registrations__organization=solution.organization)
        .order_by("date")
        .first()
    )


def _run_up_to_schedule(event: Event, *, staff: User) -> None:
    """Everybody invited says yes, enterprises ask their best-matched providers to meet,
    the providers accept, introductions become requests, and the schedule goes out."""
    for invited in event.registrations.filter(status=Registration.Status.INVITED):
        registration.respond_rsvp(registration=invited, attending=True, attendees="")
    attending = event.registrations.filter(status=Registration.Status.REGISTERED).select_related(
        "organization"
    )
    providers = [r.organization for r in attending if r.side == "provider"]
    for enterprise in (r.organization for r in attending if r.side == "enterprise"):
        ranked = sorted(
            (
                (match.score, provider)
                for provider in providers
                if (match := requests.best_match(enterprise.pk, provider.pk)) is not None
            ),
            key=lambda pair: -pair[0],
        )
        for score, provider in ranked[:3]:
            if score < DEMO_MEETING_SCORE:
                break
            asked = requests.request_meeting(
                event=event, from_org=enterprise, to_org=provider, by=staff
            )
            if asked.status == asked.Status.REQUESTED:
                requests.answer_request(request=asked, accept=True, by=staff)
    requests.requests_from_introductions(event)
    schedule.run_scheduler(event.pk)
    schedule.send_schedules(Event.objects.get(pk=event.pk), by=staff)
