"""Meeting requests at a docking event: ask, answer, cancel, expire, and introductions.

A request pairs an enterprise with a provider at one event (one request per pair:
the database refuses a second). Participants send them while registration is open;
the other side accepts or declines; unanswered ones are nudged, then expire after
MEETING_REQUEST_EXPIRY_DAYS or when registration closes (both sides are told). Accepted introductions from matching (double opt-in already
given) become accepted requests on their own. Accepted requests are what the meeting
scheduler places into slots and tables.

The per-organization meeting limit is checked when a request is accepted, with both
organizations' registrations locked, so two simultaneous accepts cannot both take an
organization's last place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import rules
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.emails import queue_email
from core.enums import Side
from core.errors import DomainError, NotAllowedError
from core.models import Membership, Organization, User
from core.selectors import is_member
from events.models import Event, Meeting, MeetingRequest, Registration
from matchmaking.models import Interest, Match, Need, Solution
from matchmaking.models import Status as CatalogStatus

# Participants send and answer requests while registration is open (Event.REQUESTS_OPEN);
# introductions still turn into requests until the schedule is under way.
INTRODUCTIONS_OPEN = Event.SCHEDULABLE
ATTENDING = Registration.ATTENDING


# --------------------------------------------------------------------------- helpers


def members_of(organization_id: int) -> QuerySet[User]:
    """The people who act for an organization: who receives its event emails."""
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__status=Membership.Status.ACTIVE,
    ).order_by("pk")


def event_link(event: Event) -> str:
    return settings.SITE_URL + reverse("event-detail", args=[event.pk])


def _registration(event: Event, organization_id: int) -> Registration | None:
    return Registration.objects.filter(event=event, organization_id=organization_id).first()


def meeting_limit(event: Event, registration: Registration) -> int:
    """How many accepted meetings an organization may have at the event."""
    if registration.meeting_limit is not None:
        return registration.meeting_limit
    if event.meeting_limit is not None:
        return event.meeting_limit
    return event.slot_count


def accepted_count(event: Event, organization_id: int) -> int:
    return MeetingRequest.objects.filter(
        Q(enterprise_id=organization_id) | Q(provider_id=organization_id),
        event=event,
        status=MeetingRequest.Status.ACCEPTED,
    ).count()


def best_match(enterprise_id: int, provider_id: int) -> Match | None:
    """The highest-scoring active match between the enterprise's needs and the provider's solutions."""
    return (
        Match.objects.active()
        .filter(need__organization_id=enterprise_id, solution__organization_id=provider_id)
        .select_related("need", "solution")
        .order_by("-score", "need_id", "solution_id")
        .first()
    )


def _notify(request: MeetingRequest, *, to_side: str, template: str, version: str) -> None:
    organization = request.party(to_side)
    context = {
        "meeting_request": request,
        "event": request.event,
        "from_org": request.party(Side.PROVIDER if to_side == Side.ENTERPRISE else Side.ENTERPRISE),
        "to_org": organization,
        "link": event_link(request.event),
    }
    for user in members_of(organization.pk):
        queue_email(
            to=user.email,
            user=user,
            template=template,
            context=context,
            key=f"{template}:{request.pk}:{version}:{user.pk}",
        )


# ------------------------------------------------------------------------ requesting


@transaction.atomic
def request_meeting(
    *,
    event: Event,
    from_org: Organization,
    to_org: Organization,
    by: User,
    message: str = "",
    need: Need | None = None,
    solution: Solution | None = None,
) -> MeetingRequest:
    """Ask another registered participant of the other side for a 1:1 meeting.

    Asking again for a pending request is harmless (the same request comes back); if
    the other side had already asked, this accepts their request.
    """
    if not rules.has_perm("core.act_for_organization", by, from_org):
        raise NotAllowedError(_("You do not act for this organization."))
    if event.status not in Event.REQUESTS_OPEN:
        raise DomainError(_("Meeting requests are only possible while registration is open."))
    mine = _registration(event, from_org.pk)
    theirs = _registration(event, to_org.pk)
    if mine is None or not mine.is_attending:
        raise DomainError(_("Register for the event before you request meetings."))
    if theirs is None or not theirs.is_attending:
        raise DomainError(_("This organization is not registered for the event."))
    if mine.side == theirs.side:
        raise DomainError(_("Meetings pair an enterprise with an AI provider."))
    side = mine.side
    enterprise, provider = (from_org, to_org) if side == Side.ENTERPRISE else (to_org, from_org)
    if need is not None and (
        need.organization_id != enterprise.pk or need.status != CatalogStatus.APPROVED
    ):
        raise DomainError(_("The need must be a published need of the enterprise."))
    if solution is not None and (
        solution.organization_id != provider.pk or solution.status != CatalogStatus.APPROVED
    ):
        raise DomainError(_("The solution must be a published solution of the provider."))

    request = (
        MeetingRequest.objects.select_for_update()
        .filter(event=event, enterprise=enterprise, provider=provider)
        .first()
    )
    if request is not None and request.status == MeetingRequest.Status.ACCEPTED:
        return request
    if request is not None and request.status == MeetingRequest.Status.REQUESTED:
        if request.requested_by_side != side:
            return answer_request(request=request, accept=True, by=by)
        return request
    limit = meeting_limit(event, mine)
    if accepted_count(event, from_org.pk) >= limit:
        raise DomainError(
            _(
                "Your organization already has %(limit)s accepted meetings at this event, "
                "its limit. Cancel one to ask for another."
            )
            % {"limit": limit}
        )

    match = best_match(enterprise.pk, provider.pk)
    if need is None and solution is None and match is not None:
        need, solution = match.need, match.solution
    now = timezone.now()
    event_start = event.slot_start(0)
    values = {
        "requested_by_side": side,
        "need": need,
        "solution": solution,
        "message": message.strip()[:1000],
        "source": MeetingRequest.Source.PARTICIPANT,
        "priority": match.score if match is not None else 0.0,
        "created_by": by,
        "responded_at": None,
        "expires_at": min(now + timedelta(days=settings.MEETING_REQUEST_EXPIRY_DAYS), event_start),
        "nudged_at": None,
        # A renewed request waits afresh: its reminder counts from now.
        "created_at": now,
    }
    if request is None:
        try:
            with transaction.atomic():
                request = MeetingRequest.objects.create(
                    event=event, enterprise=enterprise, provider=provider, **values
                )
        except IntegrityError:
            # The other side asked at the same moment: answer theirs instead.
            request = MeetingRequest.objects.select_for_update().get(
                event=event, enterprise=enterprise, provider=provider
            )
            if request.status == MeetingRequest.Status.REQUESTED and (
                request.requested_by_side != side
            ):
                return answer_request(request=request, accept=True, by=by)
            return request
    else:
        request.move_to(MeetingRequest.Status.REQUESTED)
        for name, value in values.items():
            setattr(request, name, value)
        request.save()
    record(by, "meeting_request.requested", request)
    other = Side.PROVIDER if side == Side.ENTERPRISE else Side.ENTERPRISE
    _notify(
        request,
        to_side=other,
        template="event_meeting_request",
        version=f"{request.status}:{request.expires_at.isoformat()}",
    )
    return request


def _lock_registrations(event: Event, organization_ids: list[int]) -> dict[int, Registration]:
    """Lock the registrations in a fixed order (by primary key), so accepts never deadlock."""
    registrations = (
        Registration.objects.select_for_update()
        .filter(event=event, organization_id__in=organization_ids)
        .order_by("pk")
    )
    return {r.organization_id: r for r in registrations}


@transaction.atomic
def answer_request(*, request: MeetingRequest, accept: bool, by: User) -> MeetingRequest:
    """The asked side accepts or declines; accepting respects both meeting limits."""
    request = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise", "provider")
        .get(pk=request.pk)
    )
    event = request.event
    if not rules.has_perm("events.answer_meeting_request", by, request):
        raise NotAllowedError(_("Only the asked organization can answer this request."))
    # Raises unless the request still waits for an answer.
    request.move_to(MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED)
    if event.status not in Event.REQUESTS_OPEN or (
        request.expires_at is not None and request.expires_at <= timezone.now()
    ):
        raise DomainError(_("This request has expired: registration for the event has closed."))
    if accept:
        registrations = _lock_registrations(event, [request.enterprise_id, request.provider_id])
        for organization in (request.enterprise, request.provider):
            registration = registrations.get(organization.pk)
            if registration is None or not registration.is_attending:
                raise DomainError(
                    _("%(org)s is no longer registered for the event.")
                    % {"org": organization.display_name}
                )
            limit = meeting_limit(event, registration)
            if accepted_count(event, organization.pk) >= limit:
                raise DomainError(
                    _(
                        "%(org)s already has %(limit)s accepted meetings at this event, "
                        "its limit. Cancel one of them before accepting this one."
                    )
                    % {"org": organization.display_name, "limit": limit}
                )
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    record(by, f"meeting_request.{request.status}", request)
    _notify(
        request,
        to_side=request.requested_by_side,
        template="event_meeting_request_answered",
        version=f"{request.status}:{request.responded_at.isoformat()}",
    )
    return request


@transaction.atomic
def cancel_request(*, request: MeetingRequest, by: User) -> MeetingRequest:
    """Either side withdraws a pending or accepted request; its meeting is cancelled too.

    The event row is locked first, as the scheduler does, so a schedule being written
    cannot place the meeting of a request cancelled at the same moment.
    """
    event = Event.objects.select_for_update().get(pk=request.event_id)
    request = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("enterprise", "provider")
        .get(pk=request.pk)
    )
    request.event = event
    sides = [s for s in (Side.ENTERPRISE, Side.PROVIDER) if is_member(by, request.party(s).pk)]
    if not rules.has_perm("events.withdraw_meeting_request", by, request):
        raise NotAllowedError(_("Only the two organizations can cancel this request."))
    if event.status in (Event.Status.RUNNING, Event.Status.FINISHED):
        raise DomainError(_("The event is under way or over; meetings can no longer change."))
    was_accepted = request.status == MeetingRequest.Status.ACCEPTED
    request.move_to(MeetingRequest.Status.CANCELLED)
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    meetings = Meeting.objects.filter(request=request, status=Meeting.Status.SCHEDULED).update(
        status=Meeting.Status.CANCELLED, updated_at=timezone.now()
    )
    record(by, "meeting_request.cancelled", request, meetings_cancelled=meetings)
    if was_accepted:
        for side in (Side.ENTERPRISE, Side.PROVIDER):
            if side not in sides:
                _notify(
                    request,
                    to_side=side,
                    template="event_meeting_request_cancelled",
                    version=request.responded_at.isoformat(),
                )
    return request


@transaction.atomic
def _expire_one(pk: int, now) -> bool:
    request = (
        MeetingRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event", "enterprise", "provider")
        .filter(pk=pk, status=MeetingRequest.Status.REQUESTED)
        .first()
    )
    if request is None:
        return False
    request.move_to(MeetingRequest.Status.EXPIRED)
    request.save(update_fields=["status"])
    record(None, "meeting_request.expired", request)
    for side in (Side.ENTERPRISE, Side.PROVIDER):
        _notify(
            request,
            to_side=side,
            template="event_meeting_request_expired",
            version=f"expired:{request.expires_at.isoformat() if request.expires_at else ''}",
        )
    return True


def expire_requests(*, now=None) -> int:
    """Requests nobody answered in time (MEETING_REQUEST_EXPIRY_DAYS), or before
    registration closed, expire; both sides are told. Returns how many expired."""
    now = now or timezone.now()
    due = (
        MeetingRequest.objects.filter(status=MeetingRequest.Status.REQUESTED)
        .filter(Q(expires_at__lte=now) | ~Q(event__status__in=Event.REQUESTS_OPEN))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_expire_one(pk, now) for pk in due)


# ---------------------------------------------------------------------- introductions


def _accept_introduced(request: MeetingRequest, now) -> bool:
    """Turn an existing request of an introduced pair into an accepted one.

    Both sides already said yes to the introduction; a decline or a cancellation at
    this event is still respected.
    """
    if request.status == MeetingRequest.Status.EXPIRED:
        request.move_to(MeetingRequest.Status.REQUESTED)
    if request.status != MeetingRequest.Status.REQUESTED:
        return False
    request.move_to(MeetingRequest.Status.ACCEPTED)
    request.responded_at = now
    request.save(update_fields=["status", "responded_at"])
    record(None, "meeting_request.accepted", request, via="introduction")
    return True


@transaction.atomic
def requests_from_introductions(event: Event, *, organization: Organization | None = None) -> int:
    """Accepted introductions between attending participants become accepted requests.

    Called by the scheduler before it builds, and worth calling when an organization
    registers (pass it to look at its pairs only). Returns how many requests it created
    or accepted; running it again changes nothing.
    """
    if event.status not in INTRODUCTIONS_OPEN:
        return 0
    attending = dict(
        Registration.objects.filter(event=event, status__in=ATTENDING).values_list(
            "organization_id", "side"
        )
    )
    enterprises = [o for o, side in attending.items() if side == Side.ENTERPRISE]
    providers = [o for o, side in attending.items() if side == Side.PROVIDER]
    interests = Interest.objects.filter(
        status=Interest.Status.ACCEPTED,
        need__organization_id__in=enterprises,
        solution__organization_id__in=providers,
    )
    if organization is not None:
        interests = interests.filter(
            Q(need__organization_id=organization.pk) | Q(solution__organization_id=organization.pk)
        )
    best: dict[tuple[int, int], dict] = {}
    for row in interests.values(
        "need_id",
        "solution_id",
        "score",
        "initiated_by_side",
        "created_by_id",
        "need__organization_id",
        "solution__organization_id",
    ).order_by("pk"):
        pair = (row["need__organization_id"], row["solution__organization_id"])
        if pair not in best or (row["score"] or 0) > (best[pair]["score"] or 0):
            best[pair] = row
    if not best:
        return 0
    # Locked in one order (by primary key), so concurrent callers cannot deadlock.
    locked = (
        MeetingRequest.objects.select_for_update()
        .filter(
            event=event,
            enterprise_id__in={e for e, _p in best},
            provider_id__in={p for _e, p in best},
        )
        .order_by("pk")
    )
    existing = {(r.enterprise_id, r.provider_id): r for r in locked}
    now = timezone.now()
    changed = 0
    new = []
    for (enterprise_id, provider_id), row in best.items():
        request = existing.get((enterprise_id, provider_id))
        if request is not None:
            changed += _accept_introduced(request, now)
            continue
        new.append(
            MeetingRequest(
                event=event,
                enterprise_id=enterprise_id,
                provider_id=provider_id,
                requested_by_side=row["initiated_by_side"],
                need_id=row["need_id"],
                solution_id=row["solution_id"],
                status=MeetingRequest.Status.ACCEPTED,
                source=MeetingRequest.Source.INTRODUCTION,
                priority=row["score"] or 0.0,
                created_by_id=row["created_by_id"],
                responded_at=now,
            )
        )
    # A participant's request for the same pair may land meanwhile: keep theirs.
    created = MeetingRequest.objects.bulk_create(new, ignore_conflicts=True)
    if created:
        record(None, "event.requests_from_introductions", event, created=len(created))
    return changed + len(created)


def on_introduction_accepted(interest: Interest) -> None:
    """An accepted introduction (matchmaking.signals.introduction_accepted): the pair
    meets at every event both attend."""
    enterprise_id = interest.need.organization_id
    provider_id = interest.solution.organization_id
    events = Event.objects.filter(
        status__in=INTRODUCTIONS_OPEN,
        registrations__organization_id=enterprise_id,
        registrations__side=Side.ENTERPRISE,
        registrations__status__in=ATTENDING,
    ).filter(
        registrations__organization_id=provider_id,
        registrations__side=Side.PROVIDER,
        registrations__status__in=ATTENDING,
    )
    for event in events.distinct():
        requests_from_introductions(event, organization=interest.need.organization)


@transaction.atomic
def on_introduction_withdrawn(interest: Interest) -> None:
    """A withdrawn introduction (matchmaking.signals.introduction_withdrawn): drop its
    meeting requests, unless the two organizations still have another accepted one."""
    enterprise_id = interest.need.organization_id
    provider_id = interest.solution.organization_id
    still_introduced = Interest.objects.filter(
        status=Interest.Status.ACCEPTED,
        need__organization_id=enterprise_id,
        solution__organization_id=provider_id,
    ).exists()
    if still_introduced:
        return
    requests = MeetingRequest.objects.filter(
        enterprise_id=enterprise_id,
        provider_id=provider_id,
        source=MeetingRequest.Source.INTRODUCTION,
        status=MeetingRequest.Status.ACCEPTED,
        event__status__in=INTRODUCTIONS_OPEN,
    )
    for request in requests:
        event = Event.objects.select_for_update().get(pk=request.event_id)
        request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != MeetingRequest.Status.ACCEPTED or event.status not in (
            INTRODUCTIONS_OPEN
        ):
            continue
        request.move_to(MeetingRequest.Status.CANCELLED)
        request.save(update_fields=["status"])
        Meeting.objects.filter(request=request, status=Meeting.Status.SCHEDULED).update(
            status=Meeting.Status.CANCELLED, updated_at=timezone.now()
        )
        record(None, "meeting_request.cancelled", request, via="introduction_withdrawn")


# ------------------------------------------------------------------------ the office


@transaction.atomic
def set_must_meet(requests: Iterable[MeetingRequest], *, must_meet: bool, by: User) -> int:
    """Mark requests the scheduler places before all others (or no longer); returns how
    many changed. The schedule changes only when it is built again."""
    changed = list(
        MeetingRequest.objects.select_for_update()
        .filter(pk__in=[r.pk for r in requests])
        .exclude(must_meet=must_meet)
        .order_by("pk")
    )
    for request in changed:
        request.must_meet = must_meet
        request.save(update_fields=["must_meet"])
        record(
            by, "meeting_request.must_meet" if must_meet else "meeting_request.may_meet", request
        )
    return len(changed)
