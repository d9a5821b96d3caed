"""Background work through a real Celery worker on Redis (not eager mode)."""

import time

import pytest
from django.core import mail
from django.db import transaction

from matchmaking.emails import queue_email
from matchmaking.models import OutboxMessage, OutgoingEmail

pytestmark = [pytest.mark.celery_worker]


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_email_is_sent_by_a_real_worker_after_commit(celery_worker):
    with transaction.atomic():
        email = queue_email(
            to="worker@example.com",
            template="verify_email",
            context={"link": "http://x/", "user": None},
        )

    assert wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).status == "sent")
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DONE
    assert [m.to for m in mail.outbox] == [["worker@example.com"]]
