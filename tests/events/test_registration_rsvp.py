"""RSVP without login: the token page, capacity per side, the waiting list, unavailability."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from core.errors import DomainError, InvalidTransitionError
from events.models import Event, Registration, Unavailability
from events.services import registration as services
from tests.factories import (
    EventFactory,
    NeedFactory,
    RegistrationFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def url(registration: Registration) -> str:
    return reverse("event-rsvp", args=[registration.rsvp_token])


def attend(client, registration: Registration, attendees: str = "王工, 李工"):
    return client.post(url(registration), {"answer": "attend", "attendees": attendees})


def status_of(registration: Registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the page --------------------------------------------------------------------------------


def test_rsvp_page_works_without_login_and_shows_the_event(client):
    event = EventFactory(title_zh="大模型+医疗 供需对接会", title_en="")
    registration = RegistrationFactory(invited=True, event=event, organization__name="瑞金医院")
    need = NeedFactory(organization=registration.organization, title="病历质控")
    event.needs.add(need)

    response = client.get(url(registration))

    assert response.status_code == 200
    text = response.content.decode()
    assert "大模型+医疗 供需对接会" in text
    assert "瑞金医院" in text
    assert "病历质控" in text
    assert event.venue.name in text
    assert 'value="attend"' in text
    assert 'value="decline"' in text
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_rsvp_unknown_token_is_not_found(client):
    RegistrationFactory(invited=True)
    assert client.get(reverse("event-rsvp", args=["not-a-token"])).status_code == 404
    assert client.post(
        reverse("event-rsvp", args=["x" * 32]), {"answer": "attend"}
    ).status_code == (404)


def test_rsvp_of_a_draft_event_is_not_found(client):
    registration = RegistrationFactory(invited=True, event__status=Event.Status.DRAFT)
    assert client.get(url(registration)).status_code == 404
    assert attend(client, registration).status_code == 404
    assert status_of(registration) == Status.INVITED


def test_rsvp_token_opens_only_its_own_registration(client):
    mine = RegistrationFactory(invited=True)
    theirs = RegistrationFactory(invited=True, event=mine.event)

    attend(client, mine)

    assert (status_of(mine), status_of(theirs)) == (Status.REGISTERED, Status.INVITED)


def test_rsvp_of_a_cancelled_event_says_so_and_offers_no_answer(client):
    registration = RegistrationFactory(invited=True, event__status=Event.Status.CANCELLED)
    text = client.get(url(registration)).content.decode()
    assert "This event has been cancelled." in text
    assert 'value="attend"' not in text


# --- answering -------------------------------------------------------------------------------


def test_attending_registers_with_the_attendees(client):
    registration = RegistrationFactory(invited=True)

    response = attend(client, registration, "王工, 李工")

    assert response.status_code == 302
    assert response["Location"] == url(registration)
    registration.refresh_from_db()
    assert (registration.status, registration.attendees) == (Status.REGISTERED, "王工, 李工")
    assert registration.responded_at is not None
    page = client.get(url(registration))
    assert messages_of(page) == [
        (
            "Thank you: you are registered. Tell us below when you cannot meet; "
            "your meeting schedule follows by email."
        )
    ]
    assert 'id="availability"' in page.content.decode()


def test_declining_is_recorded(client):
    registration = RegistrationFactory(invited=True)

    client.post(url(registration), {"answer": "decline"})

    assert status_of(registration) == Status.DECLINED
    page = client.get(url(registration))
    assert messages_of(page) == ["Thank you for letting us know that you cannot attend."]
    assert 'id="availability"' not in page.content.decode()


def test_an_answer_must_be_chosen(client):
    registration = RegistrationFactory(invited=True)
    response = client.post(url(registration), {"attendees": "王工"})
    assert response.status_code == 200
    assert messages_of(response) == ["Choose whether you will attend."]
    assert status_of(registration) == Status.INVITED


def test_full_side_puts_the_answer_on_the_waiting_list(client):
    event = EventFactory(capacity_per_side=1)
    first = RegistrationFactory(invited=True, event=event)
    second = RegistrationFactory(invited=True, event=event)
    provider = RegistrationFactory(invited=True, provider=True, event=event)

    attend(client, first)
    response = attend(client, second)
    attend(client, provider)

    assert (status_of(first), status_of(second), status_of(provider)) == (
        Status.REGISTERED,
        Status.WAITLISTED,
        Status.REGISTERED,
    )
    page = client.get(response["Location"])
    text = page.content.decode()
    assert messages_of(page)[1] == (
        "The event is full on your side, so you are on the waiting list. "
        "We email you as soon as a place becomes free."
    )
    assert "You are number 1 on the waiting list" in text


def test_checked_in_organizations_count_against_capacity():
    event = EventFactory(capacity_per_side=1)
    RegistrationFactory(invited=True, event=event, status=Status.CHECKED_IN)
    registration = RegistrationFactory(invited=True, event=event)

    services.respond_rsvp(registration=registration, attending=True)

    assert status_of(registration) == Status.WAITLISTED


def test_decline_promotes_the_first_waitlisted_of_that_side_and_emails_them(client, run_on_commit):
    event = EventFactory(capacity_per_side=1)
    seated = RegistrationFactory(invited=True, event=event)
    first_waiting = RegistrationFactory(invited=True, event=event)
    member_of(first_waiting.organization, email="first@example.com")
    second_waiting = RegistrationFactory(invited=True, event=event)
    provider_waiting = RegistrationFactory(invited=True, provider=True, event=event)
    RegistrationFactory(invited=True, provider=True, event=event, status=Status.REGISTERED)
    for registration in (seated, first_waiting, second_waiting):
        attend(client, registration)
    attend(client, provider_waiting)
    assert status_of(first_waiting) == Status.WAITLISTED

    with run_on_commit():
        client.post(url(seated), {"answer": "decline"})

    assert [status_of(r) for r in (seated, first_waiting, second_waiting, provider_waiting)] == [
        Status.DECLINED,
        Status.REGISTERED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    (message,) = mail.outbox
    assert message.to == ["first@example.com"]
    assert event.title_zh in message.subject
    assert url(first_waiting) in message.body


def test_waitlisted_declining_promotes_nobody(client):
    event = EventFactory(capacity_per_side=1)
    seated, waiting, behind = (RegistrationFactory(invited=True, event=event) for _ in range(3))
    for registration in (seated, waiting, behind):
        attend(client, registration)

    client.post(url(waiting), {"answer": "decline"})

    assert [status_of(r) for r in (seated, waiting, behind)] == [
        Status.REGISTERED,
        Status.DECLINED,
        Status.WAITLISTED,
    ]


def test_waitlisted_answering_again_takes_a_seat_once_one_is_free():
    event = EventFactory(capacity_per_side=1)
    seated, waiting = (
        RegistrationFactory(invited=True, event=event),
        RegistrationFactory(invited=True, event=event),
    )
    services.respond_rsvp(registration=seated, attending=True)
    services.respond_rsvp(registration=waiting, attending=True)
    Event.objects.filter(pk=event.pk).update(capacity_per_side=2)

    services.respond_rsvp(registration=waiting, attending=True)

    assert status_of(waiting) == Status.REGISTERED


def test_change_of_mind_while_registration_is_open(client):
    registration = RegistrationFactory(invited=True)
    client.post(url(registration), {"answer": "decline"})
    attend(client, registration, "赵总")
    registration.refresh_from_db()
    assert (registration.status, registration.attendees) == (Status.REGISTERED, "赵总")


@pytest.mark.parametrize(
    "status",
    [Event.Status.REGISTRATION_CLOSED, Event.Status.SCHEDULED, Event.Status.RUNNING],
)
def test_answers_cannot_change_once_registration_is_closed(client, status):
    registration = RegistrationFactory(invited=True, status=Status.REGISTERED)
    Event.objects.filter(pk=registration.event_id).update(status=status)

    response = client.post(url(registration), {"answer": "decline"})

    assert status_of(registration) == Status.REGISTERED
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.startswith("Registration for this event is closed")
    text = response.content.decode()
    assert 'value="decline"' not in text
    assert "Registration for this event is closed. To change your answer" in text


def test_checked_in_registration_cannot_decline():
    registration = RegistrationFactory(invited=True, status=Status.CHECKED_IN)
    with pytest.raises(InvalidTransitionError):
        services.respond_rsvp(registration=registration, attending=False)


# --- unavailability --------------------------------------------------------------------------


def unavailability_url(registration: Registration) -> str:
    return reverse("event-rsvp-unavailability", args=[registration.rsvp_token])


def blocked(registration: Registration) -> list[int]:
    return sorted(
        Unavailability.objects.filter(registration=registration).values_list("slot", flat=True)
    )


def test_registered_organization_blocks_and_frees_slots(client):
    registration = RegistrationFactory(invited=True, status=Status.REGISTERED)

    response = client.post(unavailability_url(registration), {"slots": ["0", "3"]})

    assert response.status_code == 302
    assert response["Location"] == url(registration) + "#availability"
    assert blocked(registration) == [0, 3]
    page = client.get(url(registration))
    assert messages_of(page) == [
        "Saved: we will not schedule meetings in the 2 slot(s) you marked."
    ]
    text = page.content.decode()
    assert 'value="0" checked' in text
    assert 'value="1">' in text
    assert "13:30–13:50" in text
    assert "17:10–17:30" in text

    client.post(unavailability_url(registration), {"slots": ["3"]})
    assert blocked(registration) == [3]
    client.post(unavailability_url(registration), {})
    assert blocked(registration) == []


def test_unavailability_rejects_unknown_slots_and_blocking_every_slot(client):
    registration = RegistrationFactory(invited=True, status=Status.REGISTERED)
    client.post(unavailability_url(registration), {"slots": ["2"]}, follow=True)

    response = client.post(unavailability_url(registration), {"slots": ["2", "12"]}, follow=True)
    assert messages_of(response) == ["This event has no such time slot."]
    response = client.post(
        unavailability_url(registration), {"slots": [str(i) for i in range(12)]}, follow=True
    )
    assert messages_of(response) == [
        "Leave at least one time slot free, or no meeting can be scheduled."
    ]
    assert blocked(registration) == [2]


def test_unavailability_needs_a_registration_first():
    registration = RegistrationFactory(invited=True)
    with pytest.raises(DomainError, match="Register for the event first"):
        services.set_unavailability(registration=registration, slots=[1])


def test_unavailability_of_an_unknown_token_is_not_found(client):
    assert client.post(reverse("event-rsvp-unavailability", args=["nope"])).status_code == 404


def test_respond_rsvp_may_set_the_slots_too():
    registration = RegistrationFactory(invited=True, event__end_time=dt.time(15, 30))

    services.respond_rsvp(registration=registration, attending=True, unavailable_slots=[5, 1])

    assert blocked(registration) == [1, 5]
    with pytest.raises(DomainError):
        services.respond_rsvp(registration=registration, attending=True, unavailable_slots=[6])


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
