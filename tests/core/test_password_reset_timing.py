"""A password reset request answers in the same time whether or not the address has an account.

The view pads its answer to PASSWORD_RESET_RESPONSE_SECONDS on its own clock; the test
replaces that clock, so it asserts the padding exactly instead of timing anything.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import views
from core.models import OutgoingEmail
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


class FakeClock:
    """`time.monotonic` and `time.sleep` of the view; work takes what the test says."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, settings):
    settings.PASSWORD_RESET_RESPONSE_SECONDS = 0.4
    fake = FakeClock()
    monkeypatch.setattr(views.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(views.time, "sleep", fake.sleep)
    return fake


@pytest.mark.parametrize("exists", [True, False])
def test_the_answer_takes_the_same_time_for_known_and_unknown_addresses(client, clock, exists):
    if exists:
        member_of(OrganizationFactory(), email="known@example.com")
    address = "known@example.com" if exists else "unknown@example.com"
    started = clock.now

    response = client.post(reverse("password_reset"), {"email": address})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert clock.now - started == pytest.approx(0.4)
    assert OutgoingEmail.objects.filter(to=address).count() == (1 if exists else 0)


def test_the_answer_for_a_known_address_in_any_case_is_the_same(client, clock):
    member_of(OrganizationFactory(), email="known@example.com")

    response = client.post(reverse("password_reset"), {"email": "KNOWN@Example.com"})

    assert response.status_code == 302
    assert OutgoingEmail.objects.filter(kind="password_reset").count() == 1
