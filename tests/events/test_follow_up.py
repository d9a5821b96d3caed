"""Meeting requests: a reminder to the asked side, expiry told to both, their conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.errors import NotAllowedError
from core.models import AuditEntry
from events.models import MeetingRequest
from events.services import follow_up
from events.services import requests as services
from matchmaking.services import threads
from tests.factories import EventFactory, OrganizationFactory, RegistrationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(settings, run_on_commit):
    """The enterprise asked the provider for a meeting at an event three weeks away."""
    settings.MEETING_REQUEST_NUDGE_DAYS = 2
    settings.MEETING_REQUEST_EXPIRY_DAYS = 5
    event = EventFactory(short=True)
    enterprise = RegistrationFactory(event=event).organization
    provider = RegistrationFactory(provider=True, event=event).organization
    enterprise_user = member_of(enterprise, email="ent@example.com")
    provider_user = member_of(provider, email="prov@example.com")
    with run_on_commit():
        request = services.request_meeting(
            event=event, from_org=enterprise, to_org=provider, by=enterprise_user
        )
    mail.outbox.clear()
    return request, enterprise_user, provider_user


def later(days: float):
    return timezone.now() + timedelta(days=days)


def test_asked_side_is_nudged_once_then_both_are_told_of_the_expiry(asked, run_on_commit):
    request, _enterprise_user, _provider_user = asked
    assert request.expires_at.date() == later(5).date()

    runs = []
    for days in (1, 2.1, 3, 5.1, 6):
        with run_on_commit():
            runs.append(follow_up.follow_up_meeting_requests(now=later(days)))

    assert runs == [
        {"expired": 0, "nudged": 0},
        {"expired": 0, "nudged": 1},
        {"expired": 0, "nudged": 0},
        {"expired": 1, "nudged": 0},
        {"expired": 0, "nudged": 0},
    ]
    assert [m.to[0] for m in mail.outbox][:1] == ["prov@example.com"]
    assert sorted(m.to[0] for m in mail.outbox[1:]) == ["ent@example.com", "prov@example.com"]
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.EXPIRED
    assert [
        AuditEntry.objects.filter(action=a).count()
        for a in ("meeting_request.nudged", "meeting_request.expired")
    ] == [1, 1]


def test_an_answered_request_is_neither_nudged_nor_expired(asked, run_on_commit):
    request, _enterprise_user, provider_user = asked
    services.answer_request(request=request, accept=True, by=provider_user)

    assert follow_up.follow_up_meeting_requests(now=later(3)) == {"expired": 0, "nudged": 0}


def test_request_thread_is_shared_by_the_two_organizations(asked, client):
    request, enterprise_user, provider_user = asked

    client.force_login(provider_user)
    response = client.post(
        reverse("meeting-request-action", args=[request.pk]), {"action": "thread"}
    )
    thread = follow_up.thread_for_request(request=request, by=enterprise_user)
    threads.post_message(by=enterprise_user, thread=thread, body="Shall we meet at 14:00?")

    assert response["Location"] == reverse("thread-detail", args=[thread.pk])
    assert (thread.enterprise_id, thread.provider_id) == (
        request.enterprise_id,
        request.provider_id,
    )
    assert "Shall we meet at 14:00?" in client.get(response["Location"]).content.decode()
    with pytest.raises(NotAllowedError):
        follow_up.thread_for_request(request=request, by=member_of(OrganizationFactory()))
