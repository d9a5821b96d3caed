"""Conversation threads: opening them, writing in them, reading them, and the digest.

A thread is opened on first use for an introduction (here) or a meeting request
(events.services.threads). Members of the two organizations write; staff read. People
are told of new messages by one digest email per person (`send_digests`, a beat job),
never one email per message: the digest lists what they have neither read nor been
sent before, and moves their cursor in the same transaction as the email it queues,
so a repeated or concurrent run sends nothing twice and the outbox loses nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import rules
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from core.emails import queue_email
from core.errors import DomainError, NotAllowedError
from core.models import Membership, Organization, User
from core.selectors import is_member
from core.validators import validate_attachment
from matchmaking.models import Interest, Thread, ThreadDigest, ThreadMessage, ThreadRead

MAX_BODY = 4000
# Interests in these states take no more messages (the pair went separate ways).
CLOSED_INTERESTS = frozenset(
    {Interest.Status.DECLINED, Interest.Status.WITHDRAWN, Interest.Status.EXPIRED}
)
# The digest looks back this far at most (older unread messages were digested or read).
DIGEST_WINDOW = timedelta(days=30)


@transaction.atomic
def thread_for_interest(*, interest: Interest, by: User | None = None) -> Thread:
    """The introduction's thread, opened on first use (idempotent)."""
    interest = (
        Interest.objects.select_for_update().select_related("need", "solution").get(pk=interest.pk)
    )
    thread = Thread.objects.filter(interest=interest).first()
    if thread is None:
        thread = Thread.objects.create(
            interest=interest,
            enterprise_id=interest.need.organization_id,
            provider_id=interest.solution.organization_id,
        )
        audit.record(by, "thread.opened", thread, interest=interest.pk)
    return thread


def open_thread(
    *, enterprise: Organization, provider: Organization, subject: str, by: User | None = None
) -> Thread:
    """A new thread between two organizations (a meeting request's; the caller links it)."""
    thread = Thread.objects.create(enterprise=enterprise, provider=provider, subject=subject[:300])
    audit.record(by, "thread.opened", thread)
    return thread


def writing_side(user: User, thread: Thread) -> int:
    """The organization the user writes for in the thread (the enterprise first if both)."""
    for organization_id in thread.organization_ids:
        if is_member(user, organization_id):
            return organization_id
    raise NotAllowedError(_("Only the two organizations of this conversation can write in it."))


@transaction.atomic
def post_message(*, by: User, thread: Thread, body: str = "", upload=None) -> ThreadMessage:
    """Write a message, with an optional attachment checked like every upload."""
    thread = (
        Thread.objects.select_for_update(of=("self",)).select_related("interest").get(pk=thread.pk)
    )
    if not rules.has_perm("matchmaking.write_in_thread", by, thread):
        raise NotAllowedError(_("Only the two organizations of this conversation can write in it."))
    if thread.interest_id and thread.interest.status in CLOSED_INTERESTS:
        raise DomainError(_("This introduction is closed; the conversation is read-only."))
    body = (body or "").strip()
    if not body and upload is None:
        raise DomainError(_("Write a message or attach a file."))
    if len(body) > MAX_BODY:
        raise DomainError(
            _("The message is too long (at most %(limit)s characters).") % {"limit": MAX_BODY}
        )
    message = ThreadMessage(
        thread=thread, author=by, organization_id=writing_side(by, thread), body=body
    )
    if upload is not None:
        content_type, safe_name = validate_attachment(upload)
        message.content_type = content_type
        message.original_name = safe_name
        message.size = upload.size
        message.file = upload
    message.save()
    thread.last_message_at = message.created_at
    thread.save(update_fields=["last_message_at"])
    audit.record(by, "thread.message_posted", thread, message=message.pk, file=bool(upload))
    _mark(by, thread, message.pk)
    return message


def _mark(user: User, thread: Thread, message_id: int) -> None:
    read, _created = ThreadRead.objects.get_or_create(thread=thread, user=user)
    if read.last_read_id < message_id:
        read.last_read_id = message_id
        read.save(update_fields=["last_read_id"])


def mark_read(*, user: User, thread: Thread) -> None:
    """The person has seen every message of the thread (opening it does this)."""
    if not user.is_authenticated:
        return
    last = thread.messages.aggregate(last=Max("pk"))["last"]
    if last:
        _mark(user, thread, last)


# --------------------------------------------------------------------------- digest


def _members_by_organization(organization_ids: set[int]) -> dict[int, list[int]]:
    members = defaultdict(list)
    for organization_id, user_id in (
        Membership.objects.filter(
            organization_id__in=organization_ids,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .order_by("user_id")
        .values_list("organization_id", "user_id")
    ):
        members[organization_id].append(user_id)
    return members


def _unread_by_user(now) -> dict[int, list[ThreadMessage]]:
    """Each person's messages by others, in threads of their organizations, newer than
    both what they read and their last digest."""
    recent = list(
        ThreadMessage.objects.filter(created_at__gte=now - DIGEST_WINDOW, created_at__lte=now)
        .select_related("thread__interest__need", "thread__interest__solution", "organization")
        .select_related("thread__enterprise", "thread__provider")
        .order_by("pk")
    )
    if not recent:
        return {}
    members = _members_by_organization(
        {o for m in recent for o in (m.thread.enterprise_id, m.thread.provider_id)}
    )
    candidates: dict[int, list[ThreadMessage]] = defaultdict(list)
    for message in recent:
        readers = set(members[message.thread.enterprise_id] + members[message.thread.provider_id])
        for user_id in readers - {message.author_id}:
            candidates[user_id].append(message)
    cursors = dict(
        ThreadDigest.objects.filter(user_id__in=candidates).values_list(
            "user_id", "last_message_id"
        )
    )
    reads = {
        (r["thread_id"], r["user_id"]): r["last_read_id"]
        for r in ThreadRead.objects.filter(user_id__in=candidates).values(
            "thread_id", "user_id", "last_read_id"
        )
    }
    unread = {}
    for user_id, messages in candidates.items():
        floor = cursors.get(user_id, 0)
        left = [m for m in messages if m.pk > floor and m.pk > reads.get((m.thread_id, user_id), 0)]
        if left:
            unread[user_id] = left
    return unread


def _threads_of(messages: list[ThreadMessage]) -> list[dict]:
    grouped: dict[int, dict] = {}
    for message in messages:
        entry = grouped.setdefault(
            message.thread_id,
            {
                "thread": message.thread,
                "messages": [],
                "link": settings.SITE_URL + reverse("thread-detail", args=[message.thread_id]),
            },
        )
        entry["messages"].append(message)
    return list(grouped.values())


@transaction.atomic
def _send_digest(user: User, messages: list[ThreadMessage], now) -> bool:
    digest, _created = ThreadDigest.objects.select_for_update().get_or_create(user=user)
    # A concurrent run got here first: what it sent is not sent again.
    messages = [m for m in messages if m.pk > digest.last_message_id]
    if not messages:
        return False
    last = max(m.pk for m in messages)
    queue_email(
        to=user.email,
        user=user,
        template="thread_digest",
        context={
            "threads": _threads_of(messages),
            "count": len(messages),
            "link": settings.SITE_URL + reverse("threads"),
        },
        key=f"thread_digest:{user.pk}:{last}",
    )
    digest.last_message_id = last
    digest.sent_at = now
    digest.save(update_fields=["last_message_id", "sent_at"])
    audit.record(None, "thread.digest_sent", user, messages=len(messages), last_message=last)
    return True


def send_digests(*, now=None) -> int:
    """One email per person with the messages they have not read since their last
    digest (beat job); returns how many emails were queued."""
    now = now or timezone.now()
    unread = _unread_by_user(now)
    users = User.objects.in_bulk(list(unread))
    return sum(_send_digest(users[user_id], unread[user_id], now) for user_id in sorted(unread))
