"""The event page leads a participant to the next step: answer the invitation, then
(once the event is under way) the feedback form, later the 90-day follow-up."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    RegistrationFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def event_page(client, event: Event, status: str = Registration.Status.REGISTERED) -> str:
    organization = OrganizationFactory()
    RegistrationFactory(event=event, organization=organization, status=status)
    client.force_login(member_of(organization))
    response = client.get(reverse("event-detail", args=[event.pk]))
    assert response.status_code == 200
    return response.content.decode()


def feedback_url(event: Event) -> str:
    return reverse("event-feedback", args=[event.pk])


@pytest.mark.parametrize("status", [Event.Status.RUNNING, Event.Status.FINISHED])
def test_event_page_links_to_the_feedback_form_once_under_way(client, status):
    event = EventFactory(short=True, status=status)

    body = event_page(client, event)

    assert f'href="{feedback_url(event)}"' in body
    assert f'href="{feedback_url(event)}?stage=followup"' not in body


@pytest.mark.parametrize("status", [Event.Status.PUBLISHED, Event.Status.SCHEDULED])
def test_event_page_has_no_feedback_link_before_the_event(client, status):
    event = EventFactory(short=True, status=status)

    body = event_page(client, event)

    assert 'id="feedback-links"' not in body


def test_event_page_has_no_feedback_link_for_a_no_show(client):
    event = EventFactory(short=True, status=Event.Status.FINISHED)

    body = event_page(client, event, status=Registration.Status.NO_SHOW)

    assert 'id="feedback-links"' not in body


def test_event_page_links_to_the_follow_up_once_it_was_asked_for(client):
    event = EventFactory(
        short=True, status=Event.Status.FINISHED, followup_requested_at=timezone.now()
    )

    body = event_page(client, event)

    assert f'href="{feedback_url(event)}?stage=followup"' in body


def test_invited_organization_gets_a_button_to_answer(client):
    event = EventFactory(short=True)

    body = event_page(client, event, status=Registration.Status.INVITED)

    rsvp_url = reverse("event-rsvp", args=[Registration.objects.get(event=event).rsvp_token])
    assert f'<a class="button" href="{rsvp_url}" id="answer-invitation">' in body


def test_feedback_page_links_back_to_the_event(client):
    event = EventFactory(short=True, status=Event.Status.FINISHED)
    event_page(client, event)

    body = client.get(feedback_url(event)).content.decode()

    assert f'<a href="{reverse("event-detail", args=[event.pk])}" id="event-link">' in body
