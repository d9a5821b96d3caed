"""`make run`'s demo: a published season where the demo enterprise and provider meet."""

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import User
from events.models import Event, Meeting
from matchmaking.services.demo import (
    ENTERPRISE_EMAIL,
    PROVIDER_EMAIL,
    ensure_matches,
    extend_demo,
    seed_demo,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(run_on_commit):
    with run_on_commit():
        seed_demo()
    ensure_matches()
    [shared] = extend_demo()
    return Event.objects.get(pk=shared.pk)


def test_demo_season_is_planned_and_published(demo):
    statuses = set(Event.objects.values_list("status", flat=True))
    assert statuses <= {"published", "scheduled"}
    assert Event.objects.count() >= 3
    assert demo.status == "scheduled"


def test_demo_events_lie_after_the_day_the_demo_is_loaded(demo):
    first = Event.objects.order_by("date").values_list("date", flat=True).first()

    assert first > timezone.localdate()


@pytest.mark.parametrize("email", [ENTERPRISE_EMAIL, PROVIDER_EMAIL])
def test_demo_accounts_have_a_schedule_and_a_valid_ics(client, demo, email):
    user = User.objects.get(email=email)
    organization = user.primary_membership.organization
    mine = Meeting.objects.filter(event=demo, published=True).filter(
        **{"enterprise" if organization.is_enterprise else "provider": organization}
    )
    assert mine.exists()
    client.force_login(user)

    page = client.get(reverse("event-detail", args=[demo.pk]))
    response = client.get(reverse("event-schedule-ics", args=[demo.pk]))

    assert page.status_code == 200
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    starts = sorted(component["DTSTART"].dt for component in calendar.walk("VEVENT"))
    assert starts == sorted(m.starts_at for m in mine)
