"""The transactional outbox: work is recorded with its cause and happens exactly once."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from core.emails import queue_email
from core.models import OutboxMessage, OutgoingEmail
from core.outbox import enqueue, outbox_task, publish, sweep_due_messages

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@outbox_task(name="tests.record_call")
def record_call(*, value: int) -> int:
    CALLS.append({"value": value})
    return value


FLAKY_FAILURES = {"left": 0}


@outbox_task(name="tests.flaky")
def flaky(*, value: int) -> int:
    if FLAKY_FAILURES["left"] > 0:
        FLAKY_FAILURES["left"] -= 1
        raise ConnectionError("broker hiccup")
    CALLS.append({"value": value})
    return value


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    FLAKY_FAILURES["left"] = 0


def test_enqueue_rolled_back_transaction_leaves_no_work(run_on_commit):
    def change_that_fails():
        with transaction.atomic():
            enqueue(record_call, kwargs={"value": 1})
            raise RuntimeError

    with run_on_commit(), pytest.raises(RuntimeError):
        change_that_fails()

    assert OutboxMessage.objects.count() == 0
    assert CALLS == []


def test_enqueue_runs_after_commit_and_marks_done(run_on_commit):
    with run_on_commit():
        message = enqueue(record_call, kwargs={"value": 7})

    message.refresh_from_db()
    assert CALLS == [{"value": 7}]
    assert message.status == OutboxMessage.Status.DONE
    assert message.attempts == 1


def test_enqueue_stores_the_task_name_for_the_relay(run_on_commit):
    with run_on_commit():
        message = enqueue(record_call, kwargs={"value": 5})

    assert (message.task_name, message.kwargs) == ("tests.record_call", {"value": 5})


def test_enqueue_by_task_name_is_refused():
    with pytest.raises(TypeError, match="enqueue takes the task object, not its name"):
        enqueue("tests.record_call", kwargs={"value": 1})

    assert OutboxMessage.objects.count() == 0


def test_enqueue_same_key_twice_keeps_one_message(run_on_commit):
    with run_on_commit():
        first = enqueue(record_call, kwargs={"value": 1}, key="k1")
        second = enqueue(record_call, kwargs={"value": 1}, key="k1")

    assert first.pk == second.pk
    assert CALLS == [{"value": 1}]


def test_duplicate_delivery_has_one_effect():
    message = OutboxMessage.objects.create(task_name="tests.record_call", kwargs={"value": 3})

    record_call.apply(kwargs={"value": 3, "outbox_id": message.pk})
    record_call.apply(kwargs={"value": 3, "outbox_id": message.pk})

    assert CALLS == [{"value": 3}]


def test_running_message_with_valid_lease_is_not_run_again():
    message = OutboxMessage.objects.create(
        task_name="tests.record_call",
        kwargs={"value": 4},
        status=OutboxMessage.Status.RUNNING,
        lease_until=timezone.now() + timedelta(minutes=5),
    )
    record_call.apply(kwargs={"value": 4, "outbox_id": message.pk})
    assert CALLS == []


def test_running_message_with_expired_lease_is_taken_over():
    message = OutboxMessage.objects.create(
        task_name="tests.record_call",
        kwargs={"value": 5},
        status=OutboxMessage.Status.RUNNING,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    record_call.apply(kwargs={"value": 5, "outbox_id": message.pk})
    assert CALLS == [{"value": 5}]


def test_transient_failures_are_retried_until_success():
    FLAKY_FAILURES["left"] = 3
    message = OutboxMessage.objects.create(task_name="tests.flaky", kwargs={"value": 9})

    flaky.apply(kwargs={"value": 9, "outbox_id": message.pk})

    message.refresh_from_db()
    assert CALLS == [{"value": 9}]
    assert message.status == OutboxMessage.Status.DONE
    assert message.attempts == 4


def test_transient_failures_beyond_the_limit_end_failed_and_visible():
    FLAKY_FAILURES["left"] = 100
    message = OutboxMessage.objects.create(task_name="tests.flaky", kwargs={"value": 9})

    flaky.apply(kwargs={"value": 9, "outbox_id": message.pk})

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 6
    assert "broker hiccup" in message.last_error
    assert CALLS == []


def test_publish_with_broker_down_leaves_message_pending(settings, monkeypatch):
    message = OutboxMessage.objects.create(task_name="tests.record_call", kwargs={"value": 1})

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(record_call, "apply_async", refuse)
    assert publish([message.pk]) == 0

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert "redis is down" in message.last_error


def test_sweep_publishes_pending_and_orphaned_messages_once():
    pending = OutboxMessage.objects.create(task_name="tests.record_call", kwargs={"value": 1})
    orphan = OutboxMessage.objects.create(
        task_name="tests.record_call",
        kwargs={"value": 2},
        status=OutboxMessage.Status.RUNNING,
        lease_until=timezone.now() - timedelta(minutes=1),
    )
    OutboxMessage.objects.create(
        task_name="tests.record_call", kwargs={"value": 3}, status=OutboxMessage.Status.DONE
    )
    not_due = OutboxMessage.objects.create(
        task_name="tests.record_call",
        kwargs={"value": 4},
        available_at=timezone.now() + timedelta(days=2),
    )

    assert sweep_due_messages() == 2
    assert sweep_due_messages() == 0

    assert sorted(c["value"] for c in CALLS) == [1, 2]
    assert OutboxMessage.objects.get(pk=pending.pk).status == OutboxMessage.Status.DONE
    assert OutboxMessage.objects.get(pk=orphan.pk).status == OutboxMessage.Status.DONE
    assert OutboxMessage.objects.get(pk=not_due.pk).status == OutboxMessage.Status.PENDING


def test_email_smtp_failing_three_times_then_succeeding_is_sent_once(run_on_commit, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend  # noqa: PLC0415

    original = EmailBackend.send_messages
    failures = {"left": 3}

    def flaky_send(self, messages):
        if failures["left"]:
            failures["left"] -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky_send)
    with run_on_commit():
        email = queue_email(
            to="a@example.com", template="verify_email", context={"link": "x", "user": None}
        )

    email.refresh_from_db()
    assert len(mail.outbox) == 1
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 4


def test_email_permanent_failure_is_visible_as_failed(run_on_commit, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend  # noqa: PLC0415

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with run_on_commit():
        email = queue_email(
            to="a@example.com", template="verify_email", context={"link": "x", "user": None}
        )

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "550" in email.last_error
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.FAILED
    assert mail.outbox == []


def test_queue_email_with_same_key_is_queued_once(run_on_commit):
    with run_on_commit():
        queue_email(to="a@example.com", template="verify_email", context={"link": "x"}, key="once")
        queue_email(to="a@example.com", template="verify_email", context={"link": "x"}, key="once")
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_have_one_effect():
    message = OutboxMessage.objects.create(task_name="tests.record_call", kwargs={"value": 11})
    barrier = threading.Barrier(4)

    def deliver():
        barrier.wait()
        try:
            record_call.apply(kwargs={"value": 11, "outbox_id": message.pk})
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert CALLS == [{"value": 11}]
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.DONE
