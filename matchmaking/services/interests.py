"""Introductions (double opt-in) and “not interested” feedback on matches.

Either side says “interested” in a match; the other side is told and accepts or
declines. Only an accepted introduction shows each side the other's contact details;
withdrawing hides them again. Other apps hear of both through matchmaking.signals
(events turns an accepted introduction into meeting requests).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from core.emails import queue_email
from core.enums import Side
from core.errors import DomainError, InvalidTransitionError, NotAllowedError
from core.models import Membership, User
from core.selectors import is_member
from matchmaking import signals
from matchmaking.models import Interest, Match, MatchFeedback, Need, Solution, Status
from matchmaking.services.incremental import request_match


def side_of(user: User, need: Need, solution: Solution) -> str:
    """Which side of this pair the user acts for (enterprise first if both)."""
    if is_member(user, need.organization_id):
        return Side.ENTERPRISE
    if is_member(user, solution.organization_id):
        return Side.PROVIDER
    raise NotAllowedError(_("You are not a member of either side of this match."))


def _people_of(organization_id: int, record: Need | Solution) -> list[User]:
    if record.created_by_id and record.created_by.is_active:
        return [record.created_by]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__role=Membership.Role.OWNER,
            memberships__status=Membership.Status.ACTIVE,
        )
    )


def _notify(interest: Interest, *, to_side: str, template: str) -> None:
    record = interest.need if to_side == Side.ENTERPRISE else interest.solution
    for user in _people_of(record.organization_id, record):
        queue_email(
            to=user.email,
            user=user,
            template=template,
            context={
                "interest": interest,
                "need": interest.need,
                "solution": interest.solution,
                "to_side": to_side,
                "link": settings.SITE_URL + reverse("interests"),
            },
            key=f"{template}:{interest.pk}:{interest.status}:{interest.responded_at or interest.created_at}:{user.pk}",
        )


@transaction.atomic
def express_interest(*, by: User, need: Need, solution: Solution, message: str = "") -> Interest:
    """Say “interested” in a match. If the other side already did, this accepts."""
    if need.status != Status.APPROVED or solution.status != Status.APPROVED:
        raise DomainError(_("Only published needs and solutions can be introduced."))
    side = side_of(by, need, solution)
    interest = Interest.objects.select_for_update().filter(need=need, solution=solution).first()
    if interest is not None and interest.status == Interest.Status.PENDING:
        if interest.initiated_by_side != side:
            return respond(by=by, interest=interest, accept=True)
        return interest
    if interest is not None and interest.status == Interest.Status.ACCEPTED:
        return interest
    score = (
        Match.objects.active()
        .filter(need=need, solution=solution)
        .values_list("score", flat=True)
        .first()
    )
    previous = interest.status if interest is not None else ""
    if interest is None:
        interest = Interest(need=need, solution=solution)
    interest.initiated_by_side = side
    interest.status = Interest.Status.PENDING
    interest.message = message.strip()[:1000]
    interest.created_by = by
    interest.responded_by = None
    interest.responded_at = None
    interest.score = score
    # A renewed request waits afresh: its reminder and expiry count from now.
    interest.created_at = timezone.now()
    interest.nudged_at = None
    interest.save()
    audit.record(by, "interest.pending", interest, previous=previous, side=side)
    # Saying “interested” takes back an earlier “not interested”.
    MatchFeedback.objects.filter(need=need, solution=solution, side=side).delete()
    _notify(interest, to_side=interest.responding_side, template="interest_received")
    return interest


def _transition(interest: Interest, to: str, *, by: User) -> None:
    """Check the introduction's state machine, move it, and log who did."""
    if to not in Interest.TRANSITIONS[interest.status]:
        raise InvalidTransitionError(
            _("This introduction is “%(status)s” and cannot change that way.")
            % {"status": interest.get_status_display()}
        )
    previous = interest.status
    interest.status = to
    interest.responded_by = by
    interest.responded_at = timezone.now()
    interest.save(update_fields=["status", "responded_by", "responded_at"])
    audit.record(by, f"interest.{to}", interest, previous=previous)


@transaction.atomic
def respond(*, by: User, interest: Interest, accept: bool) -> Interest:
    """The other side accepts (contacts become visible to both) or declines."""
    interest = (
        Interest.objects.select_for_update().select_related("need", "solution").get(pk=interest.pk)
    )
    side = side_of(by, interest.need, interest.solution)
    if side != interest.responding_side and not by.is_staff:
        raise NotAllowedError(_("Only the other side can answer this introduction."))
    _transition(interest, Interest.Status.ACCEPTED if accept else Interest.Status.DECLINED, by=by)
    _notify(
        interest,
        to_side=interest.initiated_by_side,
        template="interest_accepted" if accept else "interest_declined",
    )
    if accept:
        signals.introduction_accepted.send(sender=Interest, interest=interest)
    return interest


@transaction.atomic
def withdraw(*, by: User, interest: Interest) -> Interest:
    """Either side ends an introduction; contact details are hidden again."""
    interest = (
        Interest.objects.select_for_update().select_related("need", "solution").get(pk=interest.pk)
    )
    side_of(by, interest.need, interest.solution)
    was_accepted = interest.status == Interest.Status.ACCEPTED
    _transition(interest, Interest.Status.WITHDRAWN, by=by)
    if was_accepted:
        signals.introduction_withdrawn.send(sender=Interest, interest=interest)
    return interest


@transaction.atomic
def mark_not_interested(
    *, by: User, need: Need, solution: Solution, reason: str = ""
) -> MatchFeedback:
    """Hide a match from the user's side and keep the feedback; the list refills."""
    side = side_of(by, need, solution)
    feedback, _created = MatchFeedback.objects.update_or_create(
        need=need, solution=solution, side=side, defaults={"reason": reason[:200], "by": by}
    )
    audit.record(by, "match.not_interested", feedback, side=side)
    open_interest = Interest.objects.filter(
        need=need, solution=solution, status=Interest.Status.PENDING
    ).first()
    if open_interest is not None:
        if open_interest.initiated_by_side == side:
            withdraw(by=by, interest=open_interest)
        else:
            respond(by=by, interest=open_interest, accept=False)
    # The side's list drops the pair and takes the next best in.
    if side == Side.ENTERPRISE:
        request_match("need", need.pk)
    else:
        request_match("solution", solution.pk)
    return feedback


@transaction.atomic
def undo_not_interested(*, by: User, need: Need, solution: Solution) -> None:
    """Take back a “not interested”: the pair may return to the side's list."""
    side = side_of(by, need, solution)
    feedback = MatchFeedback.objects.filter(need=need, solution=solution, side=side).first()
    if feedback is not None:
        audit.record(by, "match.interested_again", feedback, side=side)
        feedback.delete()
        request_match(
            "need" if side == Side.ENTERPRISE else "solution",
            need.pk if side == Side.ENTERPRISE else solution.pk,
        )
