"""Publishing reviewed draft events: the event state machine, all or nothing."""

from __future__ import annotations

import pytest

from core.errors import InvalidTransitionError
from events.models import Event
from events.services import season as services
from tests.factories import (
    EventFactory,
    in_days,
)

pytestmark = pytest.mark.django_db


def statuses(*events: Event) -> list[str]:
    return [Event.objects.get(pk=e.pk).status for e in events]


def test_publish_events_opens_drafts_for_registration():
    drafts = [EventFactory(status=Event.Status.DRAFT) for _ in range(3)]

    count = services.publish_events(Event.objects.filter(pk__in=[e.pk for e in drafts]), by=None)

    assert count == 3
    assert statuses(*drafts) == [Event.Status.PUBLISHED] * 3


def test_publish_events_leaves_published_events_as_they_are():
    published = EventFactory(status=Event.Status.PUBLISHED)
    draft = EventFactory(status=Event.Status.DRAFT)

    assert services.publish_events([published, draft], by=None) == 1
    assert services.publish_events([published, draft], by=None) == 0
    assert statuses(published, draft) == [Event.Status.PUBLISHED] * 2


def test_publish_events_reopens_a_closed_registration():
    closed = EventFactory(status=Event.Status.REGISTRATION_CLOSED)
    assert services.publish_events([closed], by=None) == 1
    assert statuses(closed) == [Event.Status.PUBLISHED]


@pytest.mark.parametrize(
    "status",
    [Event.Status.SCHEDULED, Event.Status.RUNNING, Event.Status.FINISHED, Event.Status.CANCELLED],
)
def test_publish_events_refuses_other_states_and_changes_nothing(status):
    draft = EventFactory(status=Event.Status.DRAFT)
    other = EventFactory(status=status, title_zh="已结束的对接会", title_en="")

    with pytest.raises(InvalidTransitionError) as error:
        services.publish_events([draft, other], by=None)

    label = Event.Status(status).label
    assert str(error.value.message) == (
        f"“已结束的对接会” is “{label}” and cannot be opened for registration."
    )
    assert statuses(draft, other) == [Event.Status.DRAFT, status]


def test_publish_events_refuses_past_dates():
    past = EventFactory(status=Event.Status.DRAFT, date=in_days(-1), title_zh="过去的活动")
    with pytest.raises(InvalidTransitionError, match="in the past"):
        services.publish_events([past], by=None)
    assert statuses(past) == [Event.Status.DRAFT]


def test_publish_events_needs_a_venue_unless_online():
    onsite = EventFactory(status=Event.Status.DRAFT, venue=None)
    online = EventFactory(status=Event.Status.DRAFT, venue=None, format=Event.Format.ONLINE)

    with pytest.raises(InvalidTransitionError, match="has no venue"):
        services.publish_events([onsite], by=None)
    assert services.publish_events([online], by=None) == 1


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
