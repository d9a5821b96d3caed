"""The dashboard's answering-in-time figures: response rates and median times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import MeetingRequest
from events.selectors.responses import response_figures
from matchmaking.models import Interest
from tests.factories import MeetingRequestFactory, NeedFactory, SolutionFactory, StaffFactory

pytestmark = pytest.mark.django_db


def interest(status: str, *, hours: float | None = None, nudged: bool = False) -> Interest:
    created = timezone.now() - timedelta(days=5)
    row = Interest.objects.create(
        need=NeedFactory(),
        solution=SolutionFactory(),
        initiated_by_side="provider",
        status=status,
        responded_at=created + timedelta(hours=hours) if hours is not None else None,
        nudged_at=created if nudged else None,
    )
    Interest.objects.filter(pk=row.pk).update(created_at=created)
    return row


def test_introduction_rate_counts_answered_among_answered_or_expired():
    interest("accepted", hours=2)
    interest("declined", hours=10)
    interest("accepted", hours=30, nudged=True)
    interest("expired", hours=24 * 14, nudged=True)
    interest("pending")
    interest("withdrawn", hours=1)

    figures = response_figures()[0]

    assert {
        k: figures[k] for k in ("asked", "answered", "accepted", "expired", "waiting", "nudged")
    } == {"asked": 5, "answered": 3, "accepted": 2, "expired": 1, "waiting": 1, "nudged": 2}
    assert (figures["response_rate"], figures["median_hours"]) == (0.75, 10.0)


def test_meeting_request_figures_leave_out_introductions_and_cancelled():
    now = timezone.now()
    for status, hours, source in (
        ("accepted", 4, "participant"),
        ("expired", None, "participant"),
        ("cancelled", 1, "participant"),
        ("accepted", 0, "introduction"),
    ):
        request = MeetingRequestFactory(status=status, source=source)
        MeetingRequest.objects.filter(pk=request.pk).update(
            created_at=now - timedelta(hours=10),
            responded_at=now - timedelta(hours=10 - hours) if hours is not None else None,
        )

    figures = response_figures()[1]

    assert (figures["asked"], figures["answered"], figures["expired"]) == (2, 1, 1)
    assert (figures["response_rate"], figures["median_hours"]) == (0.5, 4.0)


def test_no_answers_yet_shows_dashes(client):
    interest("pending")
    client.force_login(StaffFactory())

    page = client.get(reverse("dashboard")).content.decode()

    assert response_figures()[0]["response_rate"] is None
    assert 'id="responses-introductions"' in page
