"""Self-registration of a member's organization for a published event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.enums import Side
from core.errors import DomainError, NotAllowedError
from core.models import Organization
from events.models import Event, Registration
from events.services import registration as services
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    ProviderFactory,
    RegistrationFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def register_url(event: Event) -> str:
    return reverse("event-register", args=[event.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_member_registers_their_enterprise(client):
    event = EventFactory()
    organization = OrganizationFactory()
    client.force_login(member_of(organization))

    response = client.post(register_url(event), {"next": "/workspace/"})

    assert response.status_code == 302
    registration = Registration.objects.get()
    # The message says “tell us below when you cannot meet”: the page with that form.
    assert response["Location"] == (
        reverse("event-rsvp", args=[registration.rsvp_token]) + "#availability"
    )
    assert (registration.organization, registration.side, registration.status) == (
        organization,
        Side.ENTERPRISE,
        Status.REGISTERED,
    )
    assert registration.source == Registration.Source.SELF
    assert registration.responded_at is not None


def test_member_of_a_provider_registers_on_the_provider_side(client):
    event = EventFactory()
    client.force_login(member_of(ProviderFactory()))
    client.post(register_url(event))
    assert Registration.objects.get().side == Side.PROVIDER


def test_registration_without_next_goes_to_a_page_of_the_registration(client):
    event = EventFactory()
    client.force_login(member_of(OrganizationFactory()))

    response = client.post(register_url(event), {"next": "https://evil.example/"})

    registration = Registration.objects.get()
    assert response["Location"] == (
        reverse("event-rsvp", args=[registration.rsvp_token]) + "#availability"
    )


def test_the_form_the_registered_message_points_to_is_on_the_page_it_opens(client):
    event = EventFactory()
    client.force_login(member_of(OrganizationFactory()))

    response = client.post(register_url(event), follow=True)

    assert messages_of(response)[0].startswith("Thank you: you are registered. Tell us below")
    page = response.content.decode()
    registration = Registration.objects.get()
    unavailability = reverse("event-rsvp-unavailability", args=[registration.rsvp_token])
    assert 'id="availability"' in page
    assert page.index(unavailability) > page.index("Thank you: you are registered")


def test_organization_of_both_kinds_chooses_its_side(client):
    event = EventFactory()
    organization = OrganizationFactory(kind=Organization.Kind.BOTH)
    client.force_login(member_of(organization))

    response = client.post(register_url(event), {"next": "/workspace/"}, follow=True)
    assert messages_of(response) == ["Choose whether you come as an enterprise or as a provider."]
    assert not Registration.objects.exists()

    client.post(register_url(event), {"side": "provider"})
    assert Registration.objects.get().side == Side.PROVIDER


def test_side_must_fit_the_organization():
    with pytest.raises(DomainError):
        services.side_for(ProviderFactory(), Side.ENTERPRISE)
    with pytest.raises(DomainError):
        services.side_for(OrganizationFactory(), "observer")


def test_full_side_registers_on_the_waiting_list(client):
    event = EventFactory(capacity_per_side=1)
    RegistrationFactory(invited=True, event=event, status=Status.REGISTERED)
    client.force_login(member_of(OrganizationFactory()))

    response = client.post(register_url(event), {"next": "/workspace/"}, follow=True)

    assert Registration.objects.get(source=Registration.Source.SELF).status == Status.WAITLISTED
    assert messages_of(response)[0].startswith("The event is full on your side")


def test_an_invited_organization_registering_keeps_its_invitation(client):
    invitation = RegistrationFactory(
        invited=True, organization=OrganizationFactory(kind=Organization.Kind.BOTH)
    )
    client.force_login(member_of(invitation.organization))

    client.post(register_url(invitation.event), {"side": "provider"})

    invitation.refresh_from_db()
    assert (invitation.side, invitation.status, invitation.source) == (
        Side.ENTERPRISE,
        Status.REGISTERED,
        Registration.Source.PLANNER,
    )
    assert Registration.objects.count() == 1


def test_registering_twice_changes_nothing():
    event = EventFactory()
    organization = OrganizationFactory()
    user = member_of(organization)
    first = services.register(event=event, organization=organization, side=None, by=user)
    again = services.register(event=event, organization=organization, side=None, by=user)
    assert again.pk == first.pk
    assert again.responded_at == first.responded_at


def test_only_members_register_their_organization():
    with pytest.raises(NotAllowedError):
        services.register(
            event=EventFactory(), organization=OrganizationFactory(), side=None, by=UserFactory()
        )


def test_a_chosen_organization_must_be_the_members_own(client):
    event = EventFactory()
    client.force_login(member_of(OrganizationFactory()))
    response = client.post(register_url(event), {"organization": OrganizationFactory().pk})
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_registration_needs_sign_in(client):
    event = EventFactory()
    response = client.post(register_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_registration_of_a_draft_event_is_not_found(client):
    event = EventFactory(status=Event.Status.DRAFT)
    client.force_login(member_of(OrganizationFactory()))
    assert client.post(register_url(event)).status_code == 404


def test_registration_after_it_closed_is_refused(client):
    event = EventFactory(status=Event.Status.REGISTRATION_CLOSED)
    client.force_login(member_of(OrganizationFactory()))

    response = client.post(register_url(event), {"next": "/workspace/"}, follow=True)

    assert messages_of(response)[0].startswith("Registration for this event is closed")
    assert not Registration.objects.exists()


def test_registration_accepts_only_post(client):
    client.force_login(member_of(OrganizationFactory()))
    assert client.get(register_url(EventFactory())).status_code == 405


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
