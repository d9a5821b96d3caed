"""What participants see of an event: their registration, the counterparts worth
meeting, their meeting requests, their events, and the meetings to give feedback on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet

from core.enums import Side
from core.models import Organization, User
from core.selectors import member_org_ids
from events.models import Event, Meeting, MeetingRequest, Outcome, Registration
from matchmaking.models import Match, Need, Solution


def registration_of(event: Event, organization: Organization | None) -> Registration | None:
    """The organization's registration for the event, if it has one."""
    if organization is None:
        return None
    return Registration.objects.filter(event=event, organization=organization).first()


def attending_registration(event: Event, user: User) -> Registration | None:
    """The first registration of the user's organizations that attends the event."""
    return (
        Registration.objects.filter(
            event=event,
            organization_id__in=member_org_ids(user),
            status__in=Registration.ATTENDING,
        )
        .select_related("organization")
        .order_by("pk")
        .first()
    )


def upcoming_events(today: date) -> QuerySet[Event]:
    """Events open to the public eye that participants can still look forward to."""
    return (
        Event.objects.filter(status__in=Event.UPCOMING, date__gte=today)
        .select_related("venue", "domain")
        .order_by("date", "start_time", "pk")
    )


def my_registrations(user: User, today: date) -> tuple[list[Registration], list[Registration]]:
    """The user's organizations' registrations (drafts left out), each with its number of
    published meetings: the upcoming ones soonest first, then the past ones latest first."""
    registrations = (
        Registration.objects.filter(organization_id__in=member_org_ids(user))
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event", "event__venue", "organization")
        .annotate(
            meeting_count=Count(
                "event__meetings",
                filter=(
                    Q(event__meetings__enterprise_id=F("organization_id"))
                    | Q(event__meetings__provider_id=F("organization_id"))
                )
                & Q(event__meetings__published=True)
                & ~Q(event__meetings__status=Meeting.Status.CANCELLED),
            )
        )
        .order_by("event__date", "event__start_time", "pk")
    )
    upcoming, past = [], []
    for registration in registrations:
        (past if registration.event.is_past(today) else upcoming).append(registration)
    past.reverse()
    return upcoming, past


def requests_of(event: Event, organization: Organization, side: str) -> dict[str, list]:
    """The organization's meeting requests at the event, grouped as the page shows them:
    incoming and outgoing (waiting for an answer), accepted, and closed."""
    mine = Q(enterprise=organization) if side == Side.ENTERPRISE else Q(provider=organization)
    groups: dict[str, list] = {"incoming": [], "outgoing": [], "accepted": [], "closed": []}
    for item in (
        MeetingRequest.objects.filter(mine, event=event)
        .select_related("enterprise", "provider", "need", "solution")
        .order_by("-created_at", "-pk")
    ):
        item.counterpart = item.provider if side == Side.ENTERPRISE else item.enterprise
        if item.status == MeetingRequest.Status.ACCEPTED:
            groups["accepted"].append(item)
        elif item.status == MeetingRequest.Status.REQUESTED:
            groups["outgoing" if item.requested_by_side == side else "incoming"].append(item)
        else:
            groups["closed"].append(item)
    return groups


def my_meeting_requests(user: User) -> QuerySet[MeetingRequest]:
    """Meeting requests in which one of the user's organizations is a side."""
    mine = member_org_ids(user)
    return MeetingRequest.objects.filter(Q(enterprise_id__in=mine) | Q(provider_id__in=mine))


@dataclass
class FeedbackRow:
    """One of the organization's meetings at the event, with its outcome so far."""

    meeting: Meeting
    side: str
    counterpart: Organization
    outcome: Outcome | None


def feedback_rows(event: Event, organization: Organization, stage: str) -> list[FeedbackRow]:
    """The organization's live meetings at the event (by slot), with its side's outcome
    of each for the stage (two queries)."""
    meetings = (
        Meeting.objects.filter(event=event)
        .filter(Q(enterprise=organization) | Q(provider=organization))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("enterprise", "provider")
        .order_by("slot")
    )
    outcomes = {
        (outcome.meeting_id, outcome.side): outcome
        for outcome in Outcome.objects.filter(meeting__in=meetings, stage=stage)
    }
    rows = []
    for meeting in meetings:
        meeting.event = event
        side = Side.ENTERPRISE if meeting.enterprise_id == organization.pk else Side.PROVIDER
        rows.append(
            FeedbackRow(
                meeting=meeting,
                side=side,
                counterpart=meeting.provider if side == Side.ENTERPRISE else meeting.enterprise,
                outcome=outcomes.get((meeting.pk, side)),
            )
        )
    return rows


@dataclass
class Suggestion:
    """A registered participant of the other side, with the best match between us."""

    registration: Registration
    organization: Organization
    score: float | None
    need: Need | None
    solution: Solution | None
    request: MeetingRequest | None

    @property
    def can_request(self) -> bool:
        return self.request is None or self.request.status in MeetingRequest.CLOSED


def suggested_counterparts(event: Event, organization: Organization) -> list[Suggestion]:
    """Attending organizations of the other side, best match first (then by name).

    The score is the best active match between our needs and their solutions (or their
    needs and our solutions); counterparts without a match come last. Four queries,
    however many participants.
    """
    mine = Registration.objects.filter(event=event, organization=organization).first()
    if mine is None or not mine.is_attending:
        return []
    other_side = Side.PROVIDER if mine.side == Side.ENTERPRISE else Side.ENTERPRISE
    registrations = list(
        Registration.objects.filter(event=event, side=other_side, status__in=Registration.ATTENDING)
        .exclude(organization=organization)
        .select_related("organization")
    )
    ids = [r.organization_id for r in registrations]
    if mine.side == Side.ENTERPRISE:
        matches = Match.objects.active().filter(
            need__organization=organization, solution__organization_id__in=ids
        )
        key = "solution__organization_id"
        pairs = Q(enterprise=organization, provider_id__in=ids)
    else:
        matches = Match.objects.active().filter(
            solution__organization=organization, need__organization_id__in=ids
        )
        key = "need__organization_id"
        pairs = Q(provider=organization, enterprise_id__in=ids)
    best: dict[int, Match] = {}
    for match in matches.select_related("need", "solution").order_by(
        "-score", "need_id", "solution_id"
    ):
        best.setdefault(_path(match, key), match)
    requests = {
        (r.provider_id if mine.side == Side.ENTERPRISE else r.enterprise_id): r
        for r in MeetingRequest.objects.filter(pairs, event=event)
    }
    suggestions = []
    for registration in registrations:
        match = best.get(registration.organization_id)
        suggestions.append(
            Suggestion(
                registration=registration,
                organization=registration.organization,
                score=match.score if match else None,
                need=match.need if match else None,
                solution=match.solution if match else None,
                request=requests.get(registration.organization_id),
            )
        )
    suggestions.sort(key=lambda s: (s.score is None, -(s.score or 0), s.organization.name))
    return suggestions


def _path(match: Match, key: str) -> int:
    if key == "solution__organization_id":
        return match.solution.organization_id
    return match.need.organization_id


def waiting_position(registration: Registration) -> int | None:
    """Where a waiting-listed registration stands in its side's queue (1 = next)."""
    if registration.status != Registration.Status.WAITLISTED or not registration.responded_at:
        return None
    ahead = registration.event.registrations.filter(
        side=registration.side,
        status=Registration.Status.WAITLISTED,
        responded_at__lt=registration.responded_at,
    )
    return ahead.count() + 1


def themed_needs(registration: Registration) -> QuerySet[Need] | list[Need]:
    """The enterprise's needs the event was themed on (why it is invited)."""
    if registration.side != Side.ENTERPRISE:
        return []
    return registration.event.needs.filter(organization=registration.organization).only("title")


def events_visible_to(user: User) -> QuerySet[Event]:
    """Events the user may read: staff all of them, everyone else the visible ones."""
    events = Event.objects.select_related("domain", "venue")
    return events if user.is_staff else events.visible()


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Meetings the user may read: staff all of them, members their organizations'
    published meetings at visible events."""
    meetings = Meeting.objects.select_related("event", "enterprise", "provider")
    if user.is_staff:
        return meetings
    mine = member_org_ids(user)
    return meetings.filter(
        Q(enterprise_id__in=mine) | Q(provider_id__in=mine),
        published=True,
        event__status__in=Event.VISIBLE,
    )
