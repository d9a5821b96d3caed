"""The staff check-in page: search, one-click check-in, scanned RSVP codes, QR images."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Event, Meeting, Registration
from events.views.running import token_from_scan
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    RegistrationFactory,
    StaffFactory,
    attended_meeting,
    member_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_event_day")]

RegStatus = Registration.Status


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def event():
    return EventFactory(scheduled=True, status=Event.Status.RUNNING)


def url(event: Event) -> str:
    return reverse("event-check-in", args=[event.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_check_in_page_lists_expected_organizations_first(staff_client, event):
    late = RegistrationFactory(event=event, organization__name="乙公司")
    came = RegistrationFactory(provider=True, event=event, status=RegStatus.CHECKED_IN)
    RegistrationFactory(event=event, status=RegStatus.DECLINED)

    response = staff_client.get(url(event))

    assert response.status_code == 200
    assert list(response.context["registrations"]) == [late, came]
    assert [(side["checked_in"], side["expected"]) for side in response.context["sides"]] == [
        (0, 1),
        (1, 1),
    ]


def test_check_in_page_search_by_organization_or_attendee(staff_client, event):
    wanted = RegistrationFactory(event=event, organization__name="上海联影医疗科技股份有限公司")
    by_attendee = RegistrationFactory(event=event, attendees="李联影, 王工")
    RegistrationFactory(event=event, organization__name="上海电气集团")

    response = staff_client.get(url(event), {"q": "联影"})

    assert set(response.context["registrations"]) == {wanted, by_attendee}


def test_check_in_page_search_finds_declined_too(staff_client, event):
    declined = RegistrationFactory(
        event=event, organization__name="临时到场公司", status=RegStatus.DECLINED
    )

    response = staff_client.get(url(event), {"q": "临时"})

    assert list(response.context["registrations"]) == [declined]


def test_check_in_page_empty_search_says_what_to_do(staff_client, event):
    response = staff_client.get(url(event), {"q": "不存在"})

    assert "不存在" in response.content.decode()
    assert list(response.context["registrations"]) == []


def test_check_in_one_click(staff_client, event):
    registration = RegistrationFactory(event=event)

    response = staff_client.post(
        url(event),
        {"action": "check_in", "registration": registration.pk, "q": "测试"},
        follow=True,
    )

    registration.refresh_from_db()
    assert registration.status == RegStatus.CHECKED_IN
    assert response.redirect_chain[-1][0] == url(event) + "?q=%E6%B5%8B%E8%AF%95"
    assert messages_of(response) == [f"{registration.organization.name} checked in."]


def test_check_in_by_scanned_token(staff_client, event):
    registration = RegistrationFactory(event=event)

    response = staff_client.post(
        url(event), {"action": "token", "token": f"  {registration.rsvp_token}\n"}, follow=True
    )

    registration.refresh_from_db()
    assert registration.status == RegStatus.CHECKED_IN
    assert messages_of(response) == [f"{registration.organization.name} checked in."]


def test_check_in_by_scanned_rsvp_url(staff_client, event):
    registration = RegistrationFactory(event=event)

    staff_client.post(
        url(event),
        {
            "action": "token",
            "token": f"https://aiplus.example/events/rsvp/{registration.rsvp_token}/",
        },
    )

    registration.refresh_from_db()
    assert registration.status == RegStatus.CHECKED_IN


def test_check_in_scanned_twice_says_when(staff_client, event):
    registration = RegistrationFactory(event=event)
    data = {"action": "token", "token": registration.rsvp_token}
    staff_client.post(url(event), data, follow=True)

    response = staff_client.post(url(event), data, follow=True)

    assert "already checked in" in messages_of(response)[0]


def test_check_in_token_of_another_event_is_refused(staff_client, event):
    elsewhere = RegistrationFactory(event=EventFactory(scheduled=True, status=Event.Status.RUNNING))

    response = staff_client.post(
        url(event), {"action": "token", "token": elsewhere.rsvp_token}, follow=True
    )

    elsewhere.refresh_from_db()
    assert elsewhere.status == RegStatus.REGISTERED
    assert messages_of(response)[0].startswith("No registration for this event has that code.")


def test_check_in_walk_in_registers_on_the_spot(staff_client, event):
    registration = RegistrationFactory(event=event, status=RegStatus.INVITED)

    response = staff_client.post(
        url(event), {"action": "check_in", "registration": registration.pk}, follow=True
    )

    registration.refresh_from_db()
    assert registration.status == RegStatus.CHECKED_IN
    assert "registered on the spot" in messages_of(response)[0]


def test_check_in_undo_refusal_or_success_is_reported(staff_client, event):
    registration = RegistrationFactory(event=event, status=RegStatus.CHECKED_IN)

    response = staff_client.post(
        url(event), {"action": "undo", "registration": registration.pk}, follow=True
    )

    assert len(messages_of(response)) == 1


def test_check_in_corrects_a_no_show_meeting(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.FINISHED)
    meeting = attended_meeting(event, status=Meeting.Status.NO_SHOW)
    registration = Registration.objects.get(event=event, organization=meeting.provider)
    Registration.objects.filter(pk=registration.pk).update(status=RegStatus.NO_SHOW)

    staff_client.post(url(event), {"action": "check_in", "registration": registration.pk})

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_check_in_refused_at_a_draft_event(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.DRAFT)
    registration = RegistrationFactory(event=event)

    response = staff_client.post(
        url(event), {"action": "check_in", "registration": registration.pk}, follow=True
    )

    registration.refresh_from_db()
    assert registration.status == RegStatus.REGISTERED
    assert "not open" in messages_of(response)[0]


def test_check_in_page_is_for_staff_only(client, event):
    registration = RegistrationFactory(event=event)
    client.force_login(member_of(registration.organization))

    response = client.post(url(event), {"action": "check_in", "registration": registration.pk})

    registration.refresh_from_db()
    assert (response.status_code, registration.status) == (302, RegStatus.REGISTERED)


def test_check_in_registration_of_another_event_is_404(staff_client, event):
    elsewhere = RegistrationFactory()

    response = staff_client.post(url(event), {"action": "check_in", "registration": elsewhere.pk})

    assert response.status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_check_in_page_query_count(staff_client, django_assert_num_queries, event, n):
    RegistrationFactory.create_batch(n, event=event)

    # session, user, event, counts by side, the list (with organizations), memberships
    with django_assert_num_queries(6):
        staff_client.get(url(event))


# --- QR codes ------------------------------------------------------------------------


def test_rsvp_qr_is_an_svg_of_the_token(client):
    registration = RegistrationFactory()

    response = client.get(reverse("event-rsvp-qr", args=[registration.rsvp_token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert response["Cache-Control"] == "private, max-age=86400"


def test_rsvp_qr_unknown_token_is_404(client):
    response = client.get(reverse("event-rsvp-qr", args=["not-a-real-token-at-all-000000"]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("typed", "token"),
    [
        ("abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"),
        (" abcdefghijklmnopqrstuvwxyz012345\n", "abcdefghijklmnopqrstuvwxyz012345"),
        (
            "https://x.cn/events/rsvp/abcdefghijklmnopqrstuvwxyz012345/",
            "abcdefghijklmnopqrstuvwxyz012345",
        ),
        (
            "https://x.cn/events/rsvp/abcdefghijklmnopqrstuvwxyz0123-_/?lang=en",
            "abcdefghijklmnopqrstuvwxyz0123-_",
        ),
        (
            "/events/rsvp/abcdefghijklmnopqrstuvwxyz012345/qr.svg",
            "abcdefghijklmnopqrstuvwxyz012345",
        ),
        ("short", None),
        ("", None),
    ],
)
def test_token_from_scan(typed, token):
    assert token_from_scan(typed) == token


def test_check_in_page_unknown_organization_name_never_leaks_other_events(staff_client, event):
    other = RegistrationFactory(organization=OrganizationFactory(name="别的活动公司"))

    response = staff_client.get(url(event), {"q": "别的活动"})

    assert other not in response.context["registrations"]


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
