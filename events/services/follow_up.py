"""Meeting requests that lead somewhere: their conversation, and a reminder when unanswered.

A meeting request's thread (matchmaking.Thread) is opened on first use by either
organization. A request left unanswered for MEETING_REQUEST_NUDGE_DAYS is nudged once
(an email to the asked side); expiry, with a notice to both sides, is
events.services.requests.expire_requests. The beat job
(events.follow_up_meeting_requests) takes the clock as `now`, locks each row and
re-checks it, and keys each email, so it is idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import rules
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.enums import Side
from core.errors import NotAllowedError
from core.models import User
from events.models import Event, MeetingRequest
from events.services import requests
from matchmaking.models import Thread
from matchmaking.services import threads


@transaction.atomic
def thread_for_request(*, request: MeetingRequest, by: User | None = None) -> Thread:
    """The meeting request's conversation, opened on first use (idempotent)."""
    request = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("event", "enterprise", "provider", "thread")
        .get(pk=request.pk)
    )
    if by is not None and not rules.has_perm("events.withdraw_meeting_request", by, request):
        raise NotAllowedError(_("Only the two organizations can talk about this request."))
    if request.thread is None:
        request.thread = threads.open_thread(
            enterprise=request.enterprise,
            provider=request.provider,
            subject=f"{request.event.title} · {request.enterprise} ↔ {request.provider}",
            by=by,
        )
        request.save(update_fields=["thread"])
        record(by, "meeting_request.thread_opened", request, thread=request.thread.pk)
    return request.thread


@transaction.atomic
def _nudge_one(pk: int, now: datetime) -> bool:
    request = (
        MeetingRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event", "enterprise", "provider")
        .filter(pk=pk, status=MeetingRequest.Status.REQUESTED, nudged_at__isnull=True)
        .first()
    )
    if request is None:
        return False
    request.nudged_at = now
    request.save(update_fields=["nudged_at"])
    record(None, "meeting_request.nudged", request)
    asked = Side.PROVIDER if request.requested_by_side == Side.ENTERPRISE else Side.ENTERPRISE
    requests._notify(  # noqa: SLF001 — the requests module's one way of emailing a side
        request,
        to_side=asked,
        template="event_meeting_request_nudge",
        version=f"nudge:{request.created_at.isoformat()}",
    )
    return True


def nudge_meeting_requests(*, now: datetime | None = None) -> int:
    """Remind the asked side of requests left unanswered; returns how many."""
    now = now or timezone.now()
    due = (
        MeetingRequest.objects.filter(
            status=MeetingRequest.Status.REQUESTED,
            nudged_at__isnull=True,
            created_at__lte=now - timedelta(days=settings.MEETING_REQUEST_NUDGE_DAYS),
            event__status__in=Event.REQUESTS_OPEN,
        )
        .exclude(expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_nudge_one(pk, now) for pk in due)


def follow_up_meeting_requests(*, now: datetime | None = None) -> dict[str, int]:
    """The beat job's body: expire what is overdue, then nudge what is left."""
    now = now or timezone.now()
    return {
        "expired": requests.expire_requests(now=now),
        "nudged": nudge_meeting_requests(now=now),
    }
