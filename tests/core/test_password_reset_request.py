"""A password reset request does the same work whether or not the address has an account.

The request only queues one background job with the address as typed; the worker looks
the address up and sends the link. So the answer, the rows written and the queries run
are the same for a known and an unknown address — compared here, rather than timed.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import tasks
from core.models import OutboxMessage, OutgoingEmail
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


def _request(client, address: str) -> tuple[int, str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("password_reset"), {"email": address})
    # What each query did, without its values (the address and the times differ).
    shapes = [re.sub(r"'[^']*'", "?", query["sql"]) for query in queries]
    return response.status_code, response.url, shapes


def test_known_and_unknown_addresses_do_the_same_work(client):
    member_of(OrganizationFactory(), email="known@example.com")

    known = _request(client, "known@example.com")
    unknown = _request(client, "unknown@example.com")

    assert known == unknown
    assert known[:2] == (302, reverse("password_reset_done"))
    jobs = OutboxMessage.objects.filter(task_name="core.send_password_reset")
    assert sorted(job.kwargs["email"] for job in jobs) == [
        "known@example.com",
        "unknown@example.com",
    ]
    assert OutgoingEmail.objects.count() == 0  # nothing is looked up or sent by the request


def test_the_worker_sends_the_link_to_a_known_address_in_any_case(client, run_on_commit):
    member_of(OrganizationFactory(), email="known@example.com")

    with run_on_commit():
        client.post(reverse("password_reset"), {"email": "KNOWN@Example.com"})

    email = OutgoingEmail.objects.get(kind="password_reset")
    assert email.to == "known@example.com"
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_the_worker_sends_nothing_for_an_unknown_or_inactive_address():
    member_of(OrganizationFactory(), email="gone@example.com", is_active=False)

    sent = [
        tasks.send_password_reset(email="nobody@example.com"),
        tasks.send_password_reset(email="gone@example.com"),
    ]

    assert sent == [0, 0]
    assert OutgoingEmail.objects.count() == 0
