"""Second meetings: a first meeting that reached an NDA or a pilot meets again.

When either side reported an NDA or a pilot (at the event or at the 90-day follow-up)
for a meeting, the pair is carried into the *next* event of the same domain as a
must-meet meeting (an accepted request with source “second meeting”), so that a
first meeting leads to a technical follow-up. The meeting scheduler places must-meet
requests before all others (events.scheduling: a hard lexicographic first level).
Both organizations must attend that event; the programme office sees these requests
in admin (filter by source) and may remove them — a removed one is cancelled and
never carried again, because the request of a pair at an event is unique.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.enums import Side
from core.errors import DomainError
from core.models import User
from events.models import Event, Meeting, MeetingRequest, Outcome, Registration

# The steps of the funnel that call for a technical second meeting (a contract is past it).
SECOND_MEETING_STEPS = (Outcome.NextStep.NDA, Outcome.NextStep.PILOT)


def _next_event(domain_id: int, after) -> int | None:
    return (
        Event.objects.filter(domain_id=domain_id, date__gt=after)
        .exclude(status=Event.Status.CANCELLED)
        .order_by("date", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def candidate_pairs(event: Event) -> dict[tuple[int, int], dict]:
    """Pairs that reached an NDA or pilot at an earlier event of the domain, for which
    this is the next event of the domain: {(enterprise, provider): their meeting}."""
    if event.domain_id is None:
        return {}
    rows = (
        Outcome.objects.filter(
            next_step__in=SECOND_MEETING_STEPS,
            meeting__event__domain_id=event.domain_id,
            meeting__event__date__lt=event.date,
        )
        .values(
            "meeting__enterprise_id",
            "meeting__provider_id",
            "meeting__event_id",
            "meeting__event__date",
            "meeting__request__need_id",
            "meeting__request__solution_id",
        )
        .order_by("-meeting__event__date", "meeting_id")
    )
    next_after: dict = {}
    pairs: dict[tuple[int, int], dict] = {}
    for row in rows:
        pair = (row["meeting__enterprise_id"], row["meeting__provider_id"])
        if pair in pairs:
            continue  # the latest meeting of the pair counts
        after = row["meeting__event__date"]
        if after not in next_after:
            next_after[after] = _next_event(event.domain_id, after)
        if next_after[after] == event.pk:
            pairs[pair] = row
    return pairs


@transaction.atomic
def carry_second_meetings(*, event: Event, by: User | None = None) -> int:
    """Make the must-meet requests of the pairs due a second meeting at this event.

    Called before the scheduler builds, and by the office's admin action; returns how
    many requests it created or marked. Running it again changes nothing.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status not in Event.SCHEDULABLE:
        return 0
    pairs = candidate_pairs(event)
    if not pairs:
        return 0
    attending = set(
        Registration.objects.filter(event=event, status__in=Registration.ATTENDING).values_list(
            "organization_id", "side"
        )
    )
    existing = {
        (r.enterprise_id, r.provider_id): r
        for r in MeetingRequest.objects.select_for_update()
        .filter(event=event, enterprise_id__in={e for e, _p in pairs})
        .order_by("pk")
    }
    now = timezone.now()
    changed = 0
    for (enterprise_id, provider_id), row in sorted(pairs.items()):
        if (enterprise_id, Side.ENTERPRISE) not in attending or (
            provider_id,
            Side.PROVIDER,
        ) not in attending:
            continue
        request = existing.get((enterprise_id, provider_id))
        if request is None:
            request = MeetingRequest.objects.create(
                event=event,
                enterprise_id=enterprise_id,
                provider_id=provider_id,
                requested_by_side=Side.ENTERPRISE,
                need_id=row["meeting__request__need_id"],
                solution_id=row["meeting__request__solution_id"],
                status=MeetingRequest.Status.ACCEPTED,
                source=MeetingRequest.Source.SECOND_MEETING,
                must_meet=True,
                priority=1.0,
                responded_at=now,
            )
        elif request.status == MeetingRequest.Status.ACCEPTED and not request.must_meet:
            request.must_meet = True
            request.save(update_fields=["must_meet"])
        else:
            # Already a must-meet, or declined, cancelled or removed by the office: respected.
            continue
        record(by, "meeting_request.second_meeting", request, first_event=row["meeting__event_id"])
        changed += 1
    return changed


@transaction.atomic
def remove_second_meetings(requests: Iterable[MeetingRequest], *, by: User) -> int:
    """The office takes carried second meetings off the event (cancelled, never carried
    again); returns how many it removed."""
    removed = 0
    for request in (
        MeetingRequest.objects.select_for_update()
        .select_related("event")
        .filter(pk__in=[r.pk for r in requests], source=MeetingRequest.Source.SECOND_MEETING)
        .exclude(status=MeetingRequest.Status.CANCELLED)
        .order_by("pk")
    ):
        if request.event.status not in Event.SCHEDULABLE:
            raise DomainError(
                _("The event is under way or over; its meetings can no longer change.")
            )
        request.move_to(MeetingRequest.Status.CANCELLED)
        request.must_meet = False
        request.responded_at = timezone.now()
        request.save(update_fields=["status", "must_meet", "responded_at"])
        cancelled = Meeting.objects.filter(request=request, status=Meeting.Status.SCHEDULED).update(
            status=Meeting.Status.CANCELLED, updated_at=timezone.now()
        )
        record(by, "meeting_request.second_meeting_removed", request, meetings_cancelled=cancelled)
        removed += 1
    return removed
