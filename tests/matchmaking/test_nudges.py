"""Unanswered introductions: one reminder after N days, expiry after M days, both told."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEntry
from matchmaking.models import Interest
from matchmaking.services import interests, nudges
from tests.factories import NeedFactory, SolutionFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(settings, run_on_commit):
    """A provider's introduction the enterprise has not answered."""
    settings.INTRODUCTION_NUDGE_DAYS = 3
    settings.INTRODUCTION_EXPIRY_DAYS = 10
    need, solution = NeedFactory(created_by=None), SolutionFactory(created_by=None)
    member_of(need.organization, email="ent@example.com")
    provider_user = member_of(solution.organization, email="prov@example.com")
    with run_on_commit():
        interest = interests.express_interest(by=provider_user, need=need, solution=solution)
    mail.outbox.clear()
    return interest, provider_user


def later(days: float):
    return timezone.now() + timedelta(days=days)


def test_nothing_happens_before_the_nudge_day(asked, run_on_commit):
    with run_on_commit():
        assert nudges.follow_up_interests(now=later(2.9)) == {"expired": 0, "nudged": 0}
    assert mail.outbox == []


def test_the_asked_side_is_nudged_once(asked, run_on_commit):
    interest, _provider_user = asked

    with run_on_commit():
        first = nudges.follow_up_interests(now=later(3.1))
    with run_on_commit():
        second = nudges.follow_up_interests(now=later(4))

    assert (first, second) == ({"expired": 0, "nudged": 1}, {"expired": 0, "nudged": 0})
    assert [m.to for m in mail.outbox] == [["ent@example.com"]]
    interest.refresh_from_db()
    assert (interest.status, interest.nudged_at is not None) == ("pending", True)
    assert AuditEntry.objects.filter(action="interest.nudged").count() == 1


def test_expiry_tells_both_sides_and_is_idempotent(asked, run_on_commit):
    interest, _provider_user = asked
    with run_on_commit():
        nudges.follow_up_interests(now=later(3.1))
    mail.outbox.clear()

    with run_on_commit():
        first = nudges.follow_up_interests(now=later(10.1))
    with run_on_commit():
        second = nudges.follow_up_interests(now=later(11))

    assert (first, second) == ({"expired": 1, "nudged": 0}, {"expired": 0, "nudged": 0})
    assert sorted(m.to[0] for m in mail.outbox) == ["ent@example.com", "prov@example.com"]
    interest.refresh_from_db()
    assert interest.status == Interest.Status.EXPIRED
    assert AuditEntry.objects.filter(action="interest.expired").count() == 1


def test_answered_introductions_are_left_alone(asked, run_on_commit):
    interest, _provider_user = asked
    enterprise_user = interest.need.organization.memberships.get().user
    interests.respond(by=enterprise_user, interest=interest, accept=True)

    assert nudges.follow_up_interests(now=later(30)) == {"expired": 0, "nudged": 0}


def test_asking_again_after_expiry_starts_a_new_wait(asked, run_on_commit):
    interest, provider_user = asked
    nudges.expire_interests(now=later(10.1))

    renewed = interests.express_interest(
        by=provider_user, need=interest.need, solution=interest.solution
    )

    assert renewed.status == Interest.Status.PENDING
    assert nudges.follow_up_interests(now=timezone.now() + timedelta(days=1)) == {
        "expired": 0,
        "nudged": 0,
    }
