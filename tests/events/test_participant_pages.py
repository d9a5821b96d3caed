"""Participant pages: the public event list, my events, the event page and its actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from events.models import Event, MeetingRequest, Registration
from events.services import feeds as feed_services
from tests.factories import (
    DEFAULT_PASSWORD,
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    NeedFactory,
    OrganizationFactory,
    RegistrationFactory,
    SolutionFactory,
    add_match,
    member_of,
)

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --------------------------------------------------------------------------- event list


def test_event_list_shows_upcoming_visible_events_only(client):
    upcoming = EventFactory(short=True)
    scheduled = EventFactory(short=True, status=Event.Status.SCHEDULED, date=dt.date(2027, 4, 1))
    EventFactory(short=True, status=Event.Status.DRAFT)
    EventFactory(short=True, status=Event.Status.CANCELLED)
    EventFactory(short=True, status=Event.Status.FINISHED)
    EventFactory(short=True, date=dt.date(2020, 1, 6))

    response = client.get(reverse("event-list"))

    assert list(response.context["page"].object_list) == [upcoming, scheduled]
    body = html(response)
    assert upcoming.title_zh in body
    assert upcoming.venue.name in body
    assert "视觉质检" in body


def test_event_list_empty_state_says_how_events_work(client):
    body = html(client.get(reverse("event-list")))

    assert 'class="empty"' in body


@pytest.mark.parametrize("n", [1, 3])
def test_event_list_query_count(client, django_assert_num_queries, n):
    for _ in range(n):
        EventFactory(short=True)

    with django_assert_num_queries(2):  # count + page
        client.get(reverse("event-list"))


def test_nav_links_to_events_for_everyone_and_my_events_for_members(client):
    assert reverse("event-list") in html(client.get(reverse("home")))

    client.force_login(member_of(OrganizationFactory()))
    assert reverse("my-events") in html(client.get(reverse("home")))


# ---------------------------------------------------------------------------- my events


def test_my_events_needs_a_sign_in(client):
    assert client.get(reverse("my-events")).status_code == 302


def test_my_events_empty_state_explains_invitations(client):
    client.force_login(member_of(OrganizationFactory()))

    body = html(client.get(reverse("my-events")))

    assert 'class="empty"' in body
    assert reverse("event-list") in body


def test_my_events_lists_my_registrations_upcoming_and_past(client):
    organization = OrganizationFactory()
    upcoming = RegistrationFactory(organization=organization)
    past = RegistrationFactory(
        organization=organization,
        event=EventFactory(short=True, status=Event.Status.FINISHED, date=dt.date(2025, 5, 6)),
    )
    RegistrationFactory(organization=organization, event=EventFactory(short=True, status="draft"))
    RegistrationFactory()  # someone else's
    MeetingFactory(request=MeetingRequestFactory(event=upcoming.event, enterprise=organization))
    client.force_login(member_of(organization))

    response = client.get(reverse("my-events"))

    assert response.context["upcoming"] == [upcoming]
    assert response.context["past"] == [past]
    assert response.context["upcoming"][0].meeting_count == 1


@pytest.mark.parametrize("n", [1, 3])
def test_my_events_query_count(client, django_assert_num_queries, n):
    organization = OrganizationFactory()
    for _ in range(n):
        RegistrationFactory(organization=organization)
    client.force_login(member_of(organization))

    # session, user, primary membership (navigation), registrations
    with django_assert_num_queries(4):
        client.get(reverse("my-events"))


# --------------------------------------------------------------------------- event page


@pytest.fixture
def event():
    return EventFactory(short=True)


@pytest.fixture
def enterprise(event):
    return RegistrationFactory(event=event).organization


@pytest.fixture
def provider(event):
    return RegistrationFactory(provider=True, event=event).organization


def test_event_page_is_public_and_invites_to_sign_in(client, event):
    body = html(client.get(reverse("event-detail", args=[event.pk])))

    assert event.title_zh in body
    assert reverse("login") in body


def test_drafts_are_not_shown(client):
    draft = EventFactory(short=True, status=Event.Status.DRAFT)

    assert client.get(reverse("event-detail", args=[draft.pk])).status_code == 404


def test_an_unregistered_member_can_register(client, event):
    organization = OrganizationFactory()
    client.force_login(member_of(organization))

    body = html(client.get(reverse("event-detail", args=[event.pk])))

    assert reverse("event-register", args=[event.pk]) in body


def test_event_page_suggests_counterparts_ranked_by_match(client, event, enterprise, provider):
    need = NeedFactory(organization=enterprise, title="焊缝缺陷检测")
    add_match(need, SolutionFactory(organization=provider, title="焊缝视觉大模型"), 0.87)
    other = RegistrationFactory(provider=True, event=event).organization
    client.force_login(member_of(enterprise))

    response = client.get(reverse("event-detail", args=[event.pk]))

    assert [s.organization for s in response.context["suggestions"]] == [provider, other]
    body = html(response)
    assert '<span class="score">87</span>' in body  # the site's one scale, 0–100
    assert "焊缝视觉大模型" in body
    assert reverse("event-request-meeting", args=[event.pk]) in body


def test_sending_and_accepting_a_request_through_the_pages(client, event, enterprise, provider):
    client.force_login(member_of(enterprise))
    response = client.post(
        reverse("event-request-meeting", args=[event.pk]),
        {"to": provider.pk, "message": "希望交流产线部署"},
        follow=True,
    )
    request = MeetingRequest.objects.get()
    assert request.status == "requested"
    assert provider.name in html(response)  # the confirmation names the other side

    client.force_login(member_of(provider))
    body = html(client.get(reverse("event-detail", args=[event.pk])))
    assert "希望交流产线部署" in body
    client.post(reverse("meeting-request-action", args=[request.pk]), {"action": "accept"})

    request.refresh_from_db()
    assert request.status == "accepted"


def test_a_refused_request_shows_the_reason(client, event, enterprise):
    stranger = RegistrationFactory(
        provider=True, event=event, status=Registration.Status.DECLINED
    ).organization
    client.force_login(member_of(enterprise))

    response = client.post(
        reverse("event-request-meeting", args=[event.pk]), {"to": stranger.pk}, follow=True
    )

    assert MeetingRequest.objects.count() == 0
    assert 'class="error"' in html(response)


def test_outsiders_cannot_answer_a_request(client, event, enterprise, provider):
    request = MeetingRequestFactory(
        event=event, enterprise=enterprise, provider=provider, status="requested"
    )
    client.force_login(member_of(OrganizationFactory()))

    response = client.post(
        reverse("meeting-request-action", args=[request.pk]), {"action": "accept"}
    )

    assert response.status_code == 404
    assert MeetingRequest.objects.get().status == "requested"


def test_event_page_shows_my_published_schedule_with_times_and_tables(client, enterprise):
    event = Event.objects.get(registrations__organization=enterprise)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.SCHEDULED)
    meeting = MeetingFactory(
        request=MeetingRequestFactory(event=event, enterprise=enterprise), slot=1, table=2
    )
    MeetingFactory(
        request=MeetingRequestFactory(event=event, enterprise=enterprise), slot=2, published=False
    )
    user = member_of(enterprise)
    feed = feed_services.calendar_feed_for(user=user, organization=enterprise)
    client.force_login(user)

    response = client.get(reverse("event-detail", args=[event.pk]))

    assert response.context["meetings"] == [meeting]
    body = html(response)
    assert "13:50–14:10" in body
    assert meeting.provider.name in body
    assert reverse("event-schedule-ics", args=[event.pk]) in body
    assert reverse("calendar-feed", args=[feed.token]) in body


def test_event_page_explains_requests_left_out_of_the_schedule(client, enterprise):
    event = Event.objects.get(registrations__organization=enterprise)
    Event.objects.filter(pk=event.pk).update(
        status=Event.Status.SCHEDULED,
        schedule_report={
            "unscheduled": [
                {
                    "request": 1,
                    "enterprise": enterprise.pk,
                    "provider": 999,
                    "enterprise_name": enterprise.name,
                    "provider_name": "某智能科技",
                    "reason": "org_limit",
                    "params": {"org": 999, "org_name": "某智能科技", "limit": 4},
                }
            ]
        },
    )
    client.force_login(member_of(enterprise, language="en"))

    body = html(client.get(reverse("event-detail", args=[event.pk]), HTTP_ACCEPT_LANGUAGE="en"))

    assert "某智能科技" in body
    assert 'id="unscheduled"' in body


def test_calendar_link_is_made_on_request(client, enterprise):
    user = member_of(enterprise)
    client.force_login(user)

    client.post(reverse("calendar-link"))

    assert user.calendar_feeds.get(organization=enterprise).token


@pytest.mark.parametrize("n", [1, 3])
def test_event_page_query_count(client, django_assert_num_queries, event, enterprise, n):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)
    need = NeedFactory(organization=enterprise)
    for k in range(n):
        provider = RegistrationFactory(provider=True, event=event).organization
        add_match(need, SolutionFactory(organization=provider), 0.5 + k / 10)
        request = MeetingRequestFactory(event=event, enterprise=enterprise, provider=provider)
        MeetingFactory(request=request, slot=k)
    user = member_of(enterprise)
    feed_services.calendar_feed_for(user=user, organization=enterprise)
    client.force_login(user)

    # session, user, membership, event, registration, 4 for the suggestions,
    # requests, meetings, calendar feed
    with django_assert_num_queries(12):
        client.get(reverse("event-detail", args=[event.pk]))


# ----------------------------------------------------------------------- small screens


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_event_pages_fit_a_375_pixel_screen(page):
    # No taxonomy rows: a transactional test before this one may have flushed them.
    event = EventFactory(short=True, domain=None)
    enterprise = RegistrationFactory(event=event).organization
    provider = RegistrationFactory(provider=True, event=event).organization
    add_match(
        NeedFactory(organization=enterprise, industry=None),
        SolutionFactory(organization=provider),
        0.8,
    )
    user = member_of(enterprise, email="narrow@example.com")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/accounts/login/")
    page.get_by_label("邮箱").fill(user.email)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workspace/")

    for url in (
        reverse("event-list"),
        reverse("my-events"),
        reverse("event-detail", args=[event.pk]),
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url

    page.locator("#suggestion-list summary").first.click()
    page.locator("#suggestion-list textarea").first.fill("想了解焊缝检测的部署方式")
    page.locator("#suggestion-list button[type=submit]").first.click()
    page.wait_for_load_state()
    assert MeetingRequest.objects.get().message == "想了解焊缝检测的部署方式"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
