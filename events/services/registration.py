"""Invitations, RSVP, capacity and the waiting list, unavailability, self-registration.

Capacity is per side (enterprises, providers): registered and checked-in organizations
of a side count against `Event.capacity_per_side`. Every change that can take or free a
seat locks the event row first (`select_for_update`), so concurrent answers queue up
behind one another and the count they see is the count they write against: capacity
holds under any concurrency. Beyond capacity an answer lands on the waiting list; a
seat freed by a decline goes to the first on the list of that side, who is told by email.

Invitations and RSVP links need no login: the RSVP token (a random secret on the
registration) is the organization's key to its own answer.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import rules
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record
from core.emails import queue_email
from core.enums import Side
from core.errors import DomainError, InvalidTransitionError, NotAllowedError
from core.models import Membership, Organization, User
from events.models import Event, Registration, Unavailability
from matchmaking.models import Match

logger = logging.getLogger(__name__)

REASONS_SHOWN = 5  # needs named in an invitation; "and N more" after that


def rsvp_url(registration: Registration) -> str:
    """The organization's personal answer page (works without signing in)."""
    return settings.SITE_URL + reverse("event-rsvp", args=[registration.rsvp_token])


# --- invitations ---------------------------------------------------------------------------


@dataclass
class _Invitee:
    people: list[User] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)  # titles: why the organization is invited


@transaction.atomic
def send_invitations(event: Event, *, by: User | None) -> int:
    """Email every organization invited to a published event its RSVP link.

    Each organization hears why it is invited: an enterprise its needs placed in the
    event, a provider the event's needs its solutions matched. The email goes to the
    people who posted those needs or solutions (still members), else to the
    organization's owners. Returns the number of organizations invited by this call;
    a second call invites nobody twice (`invited_at` and the email keys say who was).
    """
    event = Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)
    if not event.registration_open:
        raise InvalidTransitionError(
            _("Invitations go out only for events open for registration; this one is “%(status)s”.")
            % {"status": event.get_status_display()}
        )
    pending = list(
        event.registrations.filter(status=Registration.Status.INVITED, invited_at__isnull=True)
        .select_related("organization")
        .order_by("pk")
    )
    invitees = _invitees(event, pending)
    now = timezone.now()
    invited = []
    for registration in pending:
        invitee = invitees[registration.pk]
        for user in invitee.people:
            queue_email(
                to=user.email,
                user=user,
                template="event_invitation",
                context={
                    "event": event,
                    "registration": registration,
                    "organization": registration.organization,
                    "reasons": invitee.needs[:REASONS_SHOWN],
                    "more_reasons": max(len(invitee.needs) - REASONS_SHOWN, 0),
                    "link": rsvp_url(registration),
                },
                key=f"event_invitation:{registration.pk}:{user.pk}",
            )
        if invitee.people:
            invited.append(registration.pk)
        else:
            logger.warning(
                "event %s: nobody to invite at organization %s",
                event.pk,
                registration.organization_id,
            )
    Registration.objects.filter(pk__in=invited).update(invited_at=now)
    if invited:
        event.invitations_sent_at = now
        event.save(update_fields=["invitations_sent_at", "updated_at"])
    record(by, "event.invitations_sent", event, organizations=len(invited))
    logger.info("event %s: %d invitations by %s", event.pk, len(invited), getattr(by, "pk", None))
    return len(invited)


def _invitees(event: Event, registrations: list[Registration]) -> dict[int, _Invitee]:
    """Who to email at each organization and why it is invited, in four queries."""
    org_ids = {r.organization_id for r in registrations}
    members: dict[int, dict[int, User]] = defaultdict(dict)
    owners: dict[int, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            organization_id__in=org_ids,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("created_at", "pk")
    ):
        members[membership.organization_id][membership.user_id] = membership.user
        if membership.role == Membership.Role.OWNER:
            owners[membership.organization_id].append(membership.user)

    authors: dict[int, list[int]] = defaultdict(list)
    needs: dict[int, list[str]] = defaultdict(list)
    for org_id, title, author_id in event.needs.filter(organization_id__in=org_ids).values_list(
        "organization_id", "title", "created_by_id"
    ):
        authors[org_id].append(author_id)
        needs[org_id].append(title)
    provider_rows = (
        Match.objects.active()
        .filter(need__events=event, solution__organization_id__in=org_ids)
        .order_by("rank_for_need", "-score")
        .values_list("solution__organization_id", "need__title", "solution__created_by_id")
    )
    provider_needs: dict[int, list[str]] = defaultdict(list)
    for org_id, title, author_id in provider_rows:
        authors[org_id].append(author_id)
        provider_needs[org_id].append(title)

    result = {}
    for registration in registrations:
        org = registration.organization_id
        people = [members[org][a] for a in dict.fromkeys(authors[org]) if a in members[org]]
        why = needs[org] if registration.side == Side.ENTERPRISE else provider_needs[org]
        result[registration.pk] = _Invitee(people or owners[org], list(dict.fromkeys(why)))
    return result


# --- answering: RSVP, self-registration ----------------------------------------------------


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _require_open(event: Event) -> None:
    if not event.registration_open:
        raise DomainError(
            _(
                "Registration for this event is closed (“%(status)s”). "
                "Please contact the programme office."
            )
            % {"status": event.get_status_display()}
        )


def _seats_taken(event: Event, side: str) -> int:
    return event.registrations.filter(side=side, status__in=Registration.ATTENDING).count()


def _attend(event: Event, registration: Registration) -> None:
    """Take a seat if the side has one, else join the waiting list (event row locked)."""
    if registration.status in Registration.ATTENDING:
        return
    has_seat = _seats_taken(event, registration.side) < event.capacity_per_side
    if registration.status == Registration.Status.WAITLISTED and not has_seat:
        return
    registration.move_to(
        Registration.Status.REGISTERED if has_seat else Registration.Status.WAITLISTED
    )


def _promote_waitlisted(event: Event, side: str) -> list[Registration]:
    """Fill free seats of one side from its waiting list, first come first served."""
    free = event.capacity_per_side - _seats_taken(event, side)
    if free <= 0:
        return []
    promoted = list(
        event.registrations.select_for_update()
        .filter(side=side, status=Registration.Status.WAITLISTED)
        .order_by("responded_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.move_to(Registration.Status.REGISTERED)
        registration.responded_at = now
        registration.save(update_fields=["status", "responded_at"])
        record(None, "registration.promoted", registration)
        _notify_promoted(event, registration)
    return promoted


def _notify_promoted(event: Event, registration: Registration) -> None:
    """The promoted organization's seat confirmation, with its check-in code and QR."""
    from events.services.notifications import check_in_context, qr_attachment  # noqa: PLC0415

    organization = registration.organization
    for user in _contacts(registration):
        queue_email(
            to=user.email,
            user=user,
            template="event_waitlist_promoted",
            context={
                "event": event,
                "organization": organization,
                "registration": registration,
                "link": rsvp_url(registration),
                **check_in_context(registration),
            },
            attachments=[qr_attachment(registration)],
            key=f"event_waitlist_promoted:{registration.pk}:{registration.responded_at.isoformat()}:{user.pk}",
        )


def _confirm_seat(registration: Registration) -> None:
    """The RSVP confirmation: the organization's people learn that their seat is
    confirmed, with the check-in code and its QR (shown inline in the HTML email).
    Once per registration and person; a place on the waiting list is confirmed by the
    promotion email (`_notify_promoted`) when a seat frees up."""
    if registration.status != Registration.Status.REGISTERED:
        return
    from events.services.notifications import check_in_context, qr_attachment  # noqa: PLC0415

    for user in _contacts(registration):
        queue_email(
            to=user.email,
            user=user,
            template="event_registration_confirmed",
            context={
                "event": registration.event,
                "organization": registration.organization,
                "link": rsvp_url(registration),
                **check_in_context(registration),
            },
            attachments=[qr_attachment(registration)],
            key=f"event_registration_confirmed:{registration.pk}:{user.pk}",
        )


def _contacts(registration: Registration) -> list[User]:
    """The people to tell about an organization's registration: as for its invitation."""
    return _invitees(registration.event, [registration])[registration.pk].people


@transaction.atomic
def respond_rsvp(
    *,
    registration: Registration,
    attending: bool,
    attendees: str = "",
    unavailable_slots: Iterable[int] = (),
) -> Registration:
    """An organization's answer to its invitation (through its RSVP link, no login).

    Attending takes a seat of the organization's side, or a place on the waiting list
    when the side is full. Declining frees the seat for the first organization waiting
    on that side. Changing one's mind is allowed while registration is open.
    `unavailable_slots`, when given, replace the blocked slots (see `set_unavailability`).
    """
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event
    _require_open(event)
    now = timezone.now()
    if attending:
        _attend(event, registration)
        registration.attendees = attendees.strip()[:200] or registration.attendees
        registration.responded_at = now
        registration.save(update_fields=["status", "attendees", "responded_at"])
        record(None, "registration.answered", registration, attending=True, via="rsvp")
        _confirm_seat(registration)
        slots = list(unavailable_slots)
        if slots:
            _replace_unavailability(event, registration, slots)
        return registration
    if registration.status == Registration.Status.DECLINED:
        return registration
    freed_seat = registration.status in Registration.ATTENDING
    registration.move_to(Registration.Status.DECLINED)
    registration.responded_at = now
    registration.save(update_fields=["status", "responded_at"])
    record(None, "registration.answered", registration, attending=False, via="rsvp")
    if freed_seat:
        _promote_waitlisted(event, registration.side)
    return registration


def side_for(organization: Organization, side: str | None = None) -> str:
    """The side an organization takes at an event; organizations of both kinds choose."""
    if side:
        if side not in Side.values:
            raise DomainError(_("Choose whether you come as an enterprise or as a provider."))
        allowed = (side == Side.ENTERPRISE and organization.is_enterprise) or (
            side == Side.PROVIDER and organization.is_provider
        )
        if not allowed:
            raise DomainError(
                _("%(organization)s cannot take part as “%(side)s”.")
                % {"organization": organization.name, "side": Side(side).label}
            )
        return side
    if organization.kind == Organization.Kind.BOTH:
        raise DomainError(_("Choose whether you come as an enterprise or as a provider."))
    return Side.ENTERPRISE if organization.is_enterprise else Side.PROVIDER


@transaction.atomic
def register(
    *, event: Event, organization: Organization, side: str | None, by: User
) -> Registration:
    """A member registers their organization for a published event (self-registration).

    An organization already invited answers its invitation this way (its side stays
    the one it was invited for); an organization already registered or waiting is
    left as it is. Beyond the side's capacity the registration goes on the waiting list.
    """
    if not rules.has_perm("core.act_for_organization", by, organization):
        raise NotAllowedError(_("You can register only an organization you are a member of."))
    event = _lock_event(event.pk)
    _require_open(event)
    registration = (
        Registration.objects.select_for_update()
        .filter(event=event, organization=organization)
        .first()
    )
    if registration is None:
        registration = Registration(
            event=event,
            organization=organization,
            side=side_for(organization, side),
            status=Registration.Status.INVITED,  # a placeholder: _attend decides
            source=Registration.Source.SELF,
        )
    elif registration.status in (*Registration.ATTENDING, Registration.Status.WAITLISTED):
        return registration
    _attend(event, registration)
    registration.responded_at = timezone.now()
    registration.save()
    record(by, "registration.registered", registration)
    _confirm_seat(registration)
    return registration


# --- unavailability ------------------------------------------------------------------------


@transaction.atomic
def set_unavailability(*, registration: Registration, slots: Iterable[int]) -> None:
    """Replace the slots in which a registered organization cannot meet.

    The scheduler honours them; they can change while registration is open. At least
    one slot must stay free, or no meeting could be scheduled.
    """
    event = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _require_open(event)
    if registration.status not in (*Registration.ATTENDING, Registration.Status.WAITLISTED):
        raise DomainError(_("Register for the event first, then tell us when you cannot meet."))
    _replace_unavailability(event, registration, list(slots))


def _replace_unavailability(event: Event, registration: Registration, slots: list[int]) -> None:
    wanted = set()
    for slot in slots:
        try:
            value = int(slot)
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value < event.slot_count:
            raise DomainError(_("This event has no such time slot."))
        wanted.add(value)
    if event.slot_count and len(wanted) >= event.slot_count:
        raise DomainError(_("Leave at least one time slot free, or no meeting can be scheduled."))
    registration.unavailable_slots.exclude(slot__in=wanted).delete()
    Unavailability.objects.bulk_create(
        [Unavailability(registration=registration, slot=s) for s in sorted(wanted)],
        ignore_conflicts=True,
    )
