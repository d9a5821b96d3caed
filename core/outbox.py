"""Transactional outbox: record background work with its cause, publish it after commit.

Use `enqueue(task, kwargs=...)` inside the transaction that makes the change, with
the task object itself (so that "find usages" of a task shows who queues it); declare
tasks with `@outbox_task(name=...)`. A service that queues the task which calls it
back imports the tasks module (`from matchmaking import tasks`), not names from it, so
that the two modules may import each other in either order. The pieces:

* `enqueue` writes an OutboxMessage (deduplicated by an idempotency key) and asks for
  it to be published when the transaction commits; the row keeps the task's name,
  by which the relay finds the task again;
* `publish` hands due messages to Celery, never blocking on a broker that is down (the
  message simply stays pending);
* `sweep_due_messages` (a beat job every minute) re-publishes messages that are due and
  not done: never published, lost by the broker, orphaned by a killed worker;
* `outbox_task` wraps a task body so that a delivery first *claims* its message with a
  lease. A duplicate delivery finds the message claimed or done and does nothing, so
  each message has one business effect even under at-least-once delivery.
"""

from __future__ import annotations

import functools
import logging
import smtplib
import socket
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from celery import Task, current_app, shared_task
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
CLAIMABLE = (Status.PENDING, Status.PUBLISHED, Status.RETRYING)


class PermanentTaskError(Exception):
    """Raised by a task body for a failure that retrying cannot fix."""


def is_transient(exc: BaseException) -> bool:
    """Whether retrying later may succeed: lost connections, timeouts, 4xx SMTP replies."""
    if isinstance(exc, PermanentTaskError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return False
    return isinstance(
        exc,
        OperationalError
        | InterfaceError
        | ConnectionError
        | TimeoutError
        | socket.timeout
        | smtplib.SMTPException
        | OSError,
    )


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff (30 s, 60 s, 120 s …) capped below the broker's visibility."""
    return min(30 * 2 ** max(attempt - 1, 0), settings.CELERY_MAX_COUNTDOWN)


def enqueue(
    task: Task,
    *,
    kwargs: dict[str, Any] | None = None,
    key: str | None = None,
    delay: timedelta | None = None,
) -> OutboxMessage:
    """Record `task(**kwargs)` to run after the surrounding transaction commits.

    With a `key`, enqueueing the same work twice (a double click, a re-import) keeps
    one message while it is not done; once done, the same key may run again only if
    the caller chooses a new key (include a version or timestamp in it).
    """
    if isinstance(task, str):
        msg = f"enqueue takes the task object, not its name ({task!r})"
        raise TypeError(msg)
    available_at = timezone.now() + (delay or timedelta())
    values = {"task_name": task.name, "kwargs": kwargs or {}, "available_at": available_at}
    if key is None:
        message = OutboxMessage.objects.create(**values)
    else:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(idempotency_key=key, **values)
        except IntegrityError:
            message = OutboxMessage.objects.get(idempotency_key=key)
            if message.status in (Status.DONE, Status.FAILED):
                # The earlier run finished; this is new work under an old key.
                OutboxMessage.objects.filter(pk=message.pk).update(
                    status=Status.PENDING, available_at=available_at, last_error="", **values
                )
                message.refresh_from_db()
            else:
                return message
    message_id = message.pk
    transaction.on_commit(lambda: publish([message_id]))
    return message


def publish(message_ids: Iterable[int]) -> int:
    """Hand the given messages to Celery; returns how many were handed over.

    The broker connection is checked once, without retries: if Redis is down the
    request that caused the work goes on at once and the messages stay pending for
    the sweep. A message is marked published *before* it is sent, because in eager
    mode the task runs inside `apply_async` and marks itself done.
    """
    ids = list(message_ids)
    if not ids:
        return 0
    eager = current_app.conf.task_always_eager
    connection = None
    if not eager:
        connection = current_app.connection_for_write()
        try:
            connection.ensure_connection(max_retries=0)
        except Exception as exc:  # noqa: BLE001 — any broker failure leaves the work pending
            connection.release()
            logger.warning(
                "outbox: broker unreachable, %d message(s) stay pending: %s", len(ids), exc
            )
            return 0
    try:
        return sum(
            _publish_one(message, connection)
            for message in OutboxMessage.objects.filter(pk__in=ids)
        )
    finally:
        if connection is not None:
            connection.release()


def _publish_one(message: OutboxMessage, connection) -> int:
    now = timezone.now()
    previous = message.status
    claimed = (
        OutboxMessage.objects.filter(pk=message.pk, status=previous)
        .filter(_publishable(now))
        .update(status=Status.PUBLISHED, published_at=now, publish_count=F("publish_count") + 1)
    )
    if not claimed:
        return 0
    countdown = max(0, int((message.available_at - now).total_seconds()))
    try:
        current_app.tasks[message.task_name].apply_async(
            kwargs={**message.kwargs, "outbox_id": message.pk},
            countdown=min(countdown, settings.CELERY_MAX_COUNTDOWN) or None,
            retry=False,
            connection=connection,
        )
    except Exception as exc:  # noqa: BLE001 — any broker failure leaves the work pending
        logger.warning("outbox: could not publish %s #%s: %s", message.task_name, message.pk, exc)
        OutboxMessage.objects.filter(pk=message.pk, status=Status.PUBLISHED).update(
            status=previous, last_error=f"publish: {exc}"[:2000]
        )
        return 0
    return 1


def _publishable(now) -> Q:
    # A published message not picked up within this time is assumed lost: publish again.
    stale = now - timedelta(seconds=settings.OUTBOX_REPUBLISH_AFTER_SECONDS)
    return (
        Q(
            status=Status.PENDING,
            available_at__lte=now + timedelta(seconds=settings.CELERY_MAX_COUNTDOWN),
        )
        | Q(status=Status.PUBLISHED, published_at__lt=stale)
        | Q(status=Status.RETRYING, available_at__lt=stale)
        | Q(status=Status.RUNNING, lease_until__lt=now)
    )


def sweep_due_messages(limit: int = 500) -> int:
    """Re-publish work that is due and not done (the safety net behind every relay)."""
    now = timezone.now()
    due = (
        OutboxMessage.objects.filter(_publishable(now))
        .exclude(status=Status.PENDING, available_at__gt=now)
        .order_by("available_at")
        .values_list("pk", flat=True)[:limit]
    )
    return publish(list(due))


def _claim(message_id: int, lease: timedelta) -> bool:
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(pk=message_id)
        .filter(Q(status__in=CLAIMABLE) | Q(status=Status.RUNNING, lease_until__lt=now))
        .update(
            status=Status.RUNNING,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
        )
    )


def _finish(message_id: int, **fields: Any) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(**fields)


def outbox_task(
    *,
    name: str,
    max_attempts: int = 6,
    lease: timedelta | None = None,
    on_permanent_failure: Callable[..., None] | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """Declare a Celery task whose deliveries are claimed through the outbox.

    The body receives the keyword arguments given to `enqueue`. Called without an
    `outbox_id` (tests, the shell) it simply runs. `on_permanent_failure(**kwargs,
    error=...)` lets the body's domain record a visible failed status. `lease` defaults to
    settings.OUTBOX_LEASE_SECONDS, read at each delivery (so a test may change it).
    """

    def decorate(body: Callable[..., Any]) -> Any:
        @shared_task(name=name, bind=True, max_retries=None, **options)
        @functools.wraps(body)
        def task(self, *, outbox_id: int | None = None, **kwargs: Any) -> Any:
            if outbox_id is None:
                return body(**kwargs)
            if not _claim(outbox_id, lease or timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)):
                logger.info("outbox: %s #%s already claimed or done; skipping", name, outbox_id)
                return None
            try:
                result = body(**kwargs)
            except Exception as exc:
                attempts = (
                    OutboxMessage.objects.filter(pk=outbox_id)
                    .values_list("attempts", flat=True)
                    .first()
                    or 1
                )
                if is_transient(exc) and attempts < max_attempts:
                    countdown = backoff_seconds(attempts)
                    _finish(
                        outbox_id,
                        status=Status.RETRYING,
                        lease_until=None,
                        available_at=timezone.now() + timedelta(seconds=countdown),
                        last_error=repr(exc)[:2000],
                    )
                    raise self.retry(
                        exc=exc, countdown=countdown, kwargs={**kwargs, "outbox_id": outbox_id}
                    ) from exc
                _finish(
                    outbox_id,
                    status=Status.FAILED,
                    lease_until=None,
                    completed_at=timezone.now(),
                    last_error=repr(exc)[:2000],
                )
                if on_permanent_failure is not None:
                    on_permanent_failure(**kwargs, error=repr(exc))
                logger.exception("outbox: %s #%s failed permanently", name, outbox_id)
                return None
            _finish(
                outbox_id,
                status=Status.DONE,
                lease_until=None,
                completed_at=timezone.now(),
                last_error="",
            )
            return result

        task.body = body
        return task

    return decorate
