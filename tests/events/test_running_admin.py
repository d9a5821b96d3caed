"""The event admin as staff use it: lists, inlines, actions, the printable schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from core.enums import Side
from core.models import OutgoingEmail
from events.models import Event, Meeting, MeetingRequest, Outcome, Registration
from tests.factories import (
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    StaffFactory,
    attended_meeting,
    member_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_event_day")]

RegStatus = Registration.Status
CHANGELIST = "admin:events_event_changelist"


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def act(client, action: str, *events, follow: bool = True):
    """Run an action as confirmed (the event-day ones ask first; "post" says yes)."""
    return client.post(
        reverse(CHANGELIST),
        {"action": action, ACTION_CHECKBOX_NAME: [event.pk for event in events], "post": "yes"},
        follow=follow,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


# --- lists and pages -----------------------------------------------------------------


def test_event_changelist_shows_counts_by_side_and_meetings(staff_client):
    event = EventFactory(scheduled=True)
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(provider=True, event=event, status=RegStatus.CHECKED_IN)
    RegistrationFactory(event=event, status=RegStatus.DECLINED)
    attended_meeting(event)  # two more attending organizations
    MeetingFactory(event=event, status=Meeting.Status.CANCELLED)

    response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.enterprises_coming, row.providers_coming, row.invited_total) == (3, 2, 6)
    assert row.live_meetings == 1
    assert reverse("event-check-in", args=[event.pk]) in response.content.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_event_changelist_query_count(staff_client, django_assert_num_queries, n):
    for _ in range(n):
        attended_meeting(EventFactory(scheduled=True))

    # session, user, "is a schedule building?", season and domain filter choices,
    # count and filtered count, the page with its counts, the site's membership lookup,
    # the date hierarchy (two)
    with django_assert_num_queries(11):
        staff_client.get(reverse(CHANGELIST))


def test_event_changelist_refreshes_while_a_schedule_builds(staff_client):
    EventFactory(
        scheduled=True, schedule_status=Event.ScheduleStatus.BUILDING, schedule_progress=40
    )

    html = staff_client.get(reverse(CHANGELIST)).content.decode()

    assert '<meta http-equiv="refresh" content="5">' in html
    assert '<progress max="100" value="40"' in html


def test_event_changelist_does_not_refresh_when_idle(staff_client):
    EventFactory(scheduled=True, schedule_status=Event.ScheduleStatus.BUILT)

    html = staff_client.get(reverse(CHANGELIST)).content.decode()

    assert 'http-equiv="refresh"' not in html


def test_event_change_page_inlines_and_no_show_history(staff_client):
    event = EventFactory(scheduled=True)
    unreliable = RegistrationFactory(event=event).organization
    for earlier in EventFactory.create_batch(2, scheduled=True, status=Event.Status.FINISHED):
        RegistrationFactory(event=earlier, organization=unreliable, status=RegStatus.NO_SHOW)
    RegistrationFactory(event=event)
    attended_meeting(event, slot=3, table=0)

    response = staff_client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "⚠ 2" in html
    assert reverse("event-check-in", args=[event.pk]) in html
    assert reverse("admin:events_event_print", args=[event.pk]) in html
    assert "14:30–14:50" in html


@pytest.mark.parametrize("n", [1, 3])
def test_event_change_page_query_count(staff_client, django_assert_num_queries, n):
    event = EventFactory(scheduled=True)
    for _ in range(n):
        attended_meeting(event)

    url = reverse("admin:events_event_change", args=[event.pk])
    staff_client.get(url)  # warms the content-type cache

    # The same number whatever the rows: the inlines read theirs with their event,
    # organizations and no-show history in one query each.
    with django_assert_num_queries(11):
        staff_client.get(url)


def test_event_change_page_shows_the_schedule_report(staff_client):
    event = EventFactory(
        scheduled=True,
        schedule_status=Event.ScheduleStatus.BUILT,
        schedule_report={
            "method": "konig",
            "optimal": True,
            "upper_bound": 3,
            "requests": 4,
            "scheduled": 3,
            "unscheduled": [{"reason": "mystery_reason"}],
        },
    )

    html = staff_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()

    assert "konig" not in html  # the scheduler's method is no word for an office
    assert "No other schedule fits more of these meetings" in html
    assert "mystery_reason" in html


def test_printable_schedule_one_section_per_table(staff_client):
    event = EventFactory(scheduled=True)
    first = MeetingFactory(event=event, slot=0, table=0)
    MeetingFactory(event=event, slot=1, table=0)
    MeetingFactory(event=event, slot=0, table=2)
    MeetingFactory(event=event, slot=2, table=1, status=Meeting.Status.CANCELLED)

    response = staff_client.get(reverse("admin:events_event_print", args=[event.pk]))

    assert response.status_code == 200
    tables = response.context["tables"]
    assert [(table["label"], len(table["meetings"])) for table in tables] == [(1, 2), (3, 1)]
    html = response.content.decode()
    assert 'id="table-1"' in html
    assert first.enterprise.name in html
    assert "@media print" in html


def test_printable_schedule_empty_says_what_to_do(staff_client):
    event = EventFactory(scheduled=True)

    response = staff_client.get(reverse("admin:events_event_print", args=[event.pk]))

    assert response.context["tables"] == []


def test_admin_pages_need_staff(client):
    event = EventFactory(scheduled=True)
    client.force_login(member_of(RegistrationFactory(event=event).organization))

    response = client.get(reverse("admin:events_event_print", args=[event.pk]))

    assert response.status_code == 302


@pytest.mark.parametrize(
    "name",
    [
        "admin:events_registration_changelist",
        "admin:events_meetingrequest_changelist",
        "admin:events_meeting_changelist",
        "admin:events_outcome_changelist",
    ],
)
def test_other_changelists_load(staff_client, name):
    event = EventFactory(scheduled=True, status=Event.Status.FINISHED)
    meeting = attended_meeting(event, status=Meeting.Status.HELD)
    MeetingRequest.objects.create(
        event=event,
        enterprise=meeting.enterprise,
        provider=meeting.provider,
        requested_by_side=Side.ENTERPRISE,
        status=MeetingRequest.Status.ACCEPTED,
    )
    Outcome.objects.create(meeting=meeting, side=Side.ENTERPRISE, rating=4, next_step="nda")

    response = staff_client.get(reverse(name))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1 if "registration" not in name else 2


# --- event actions -------------------------------------------------------------------


def test_action_publish_opens_drafts(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.DRAFT, date=in_days(30))

    response = act(staff_client, "publish_selected", event)

    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert messages_of(response) == ["1 event is now open for registration."]


def test_action_publish_refusal_is_shown(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.FINISHED)

    response = act(staff_client, "publish_selected", event)

    event.refresh_from_db()
    assert event.status == Event.Status.FINISHED
    assert len(messages_of(response)) == 1
    assert event.title in messages_of(response)[0]


def test_action_send_invitations_emails_the_invited(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.PUBLISHED, date=in_days(30))
    invited = RegistrationFactory(event=event, status=RegStatus.INVITED)
    member_of(invited.organization)

    response = act(staff_client, "send_invitations", event)

    invited.refresh_from_db()
    assert invited.invited_at is not None
    assert OutgoingEmail.objects.filter(kind="event_invitation").count() == 1
    assert messages_of(response) == ["Invitations sent to 1 organization."]


def test_action_send_invitations_before_publishing_says_why_nothing_was_sent(staff_client):
    event = EventFactory(status=Event.Status.DRAFT, date=in_days(30))
    invited = RegistrationFactory(event=event, status=RegStatus.INVITED)
    member_of(invited.organization)

    response = act(staff_client, "send_invitations", event)

    assert not OutgoingEmail.objects.filter(kind="event_invitation").exists()
    (message,) = messages_of(response)
    assert event.title in message
    assert "only for events open for registration" in message


def _accepted_requests(event: Event, pairs: int) -> None:
    for _ in range(pairs):
        enterprise = RegistrationFactory(event=event).organization
        provider = RegistrationFactory(provider=True, event=event).organization
        MeetingRequest.objects.create(
            event=event,
            enterprise=enterprise,
            provider=provider,
            requested_by_side=Side.ENTERPRISE,
            status=MeetingRequest.Status.ACCEPTED,
        )


def test_action_build_schedule_marks_building_then_the_job_places_meetings(
    staff_client, run_on_commit
):
    event = EventFactory(scheduled=True, status=Event.Status.PUBLISHED, date=in_days(30))
    _accepted_requests(event, 3)

    with run_on_commit():
        response = act(staff_client, "build_schedule", event)

    assert messages_of(response) == [
        "Building the schedule of 1 event; this page refreshes until it is ready."
    ]
    event.refresh_from_db()
    assert event.schedule_status == Event.ScheduleStatus.BUILT
    assert event.meetings.exclude(status=Meeting.Status.CANCELLED).count() == 3


def test_action_build_schedule_refused_for_a_running_event(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)

    response = act(staff_client, "build_schedule", event)

    event.refresh_from_db()
    assert event.schedule_status == Event.ScheduleStatus.NONE
    assert len(messages_of(response)) == 1


def test_action_send_schedules_publishes_and_emails(staff_client, run_on_commit):
    event = EventFactory(scheduled=True, status=Event.Status.PUBLISHED, date=in_days(30))
    _accepted_requests(event, 1)
    for registration in event.registrations.all():
        member_of(registration.organization)
    with run_on_commit():
        act(staff_client, "build_schedule", event)

    response = act(staff_client, "send_schedules", event)

    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED
    assert list(event.meetings.values_list("published", flat=True)) == [True]
    assert messages_of(response) == ["Schedules published; 2 organizations emailed."]


def test_actions_start_finish_and_mark_no_shows(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.SCHEDULED)
    held = attended_meeting(event, checked_in=True)
    absent = RegistrationFactory(event=event)

    act(staff_client, "start_selected", event)
    event.refresh_from_db()
    assert event.status == Event.Status.RUNNING

    act(staff_client, "finish_selected", event)
    response = act(staff_client, "mark_no_shows", event)

    event.refresh_from_db()
    held.refresh_from_db()
    absent.refresh_from_db()
    assert (event.status, held.status, absent.status) == (
        Event.Status.FINISHED,
        Meeting.Status.HELD,
        RegStatus.NO_SHOW,
    )
    assert messages_of(response) == ["1 registration marked as a no-show."]


def test_action_finish_refused_names_the_event(staff_client):
    event = EventFactory(scheduled=True, status=Event.Status.SCHEDULED)

    response = act(staff_client, "finish_selected", event)

    assert messages_of(response)[0].startswith(str(event))


# --- registrations, requests, outcomes -----------------------------------------------


def test_registration_admin_check_in_action_and_qr(staff_client):
    registration = RegistrationFactory(event__status=Event.Status.RUNNING)

    staff_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "check_in_selected", ACTION_CHECKBOX_NAME: [registration.pk], "post": "yes"},
    )
    page = staff_client.get(
        reverse("admin:events_registration_change", args=[registration.pk])
    ).content.decode()

    registration.refresh_from_db()
    assert registration.status == RegStatus.CHECKED_IN
    assert reverse("event-rsvp-qr", args=[registration.rsvp_token]) in page


def test_registration_admin_search_by_rsvp_token(staff_client):
    wanted = RegistrationFactory()
    RegistrationFactory()

    response = staff_client.get(
        reverse("admin:events_registration_changelist"), {"q": wanted.rsvp_token}
    )

    assert list(response.context["cl"].result_list) == [wanted]


def test_meeting_request_admin_must_meet_action(staff_client):
    event = EventFactory(scheduled=True)
    _accepted_requests(event, 1)
    request = MeetingRequest.objects.get()

    staff_client.post(
        reverse("admin:events_meetingrequest_changelist"),
        {"action": "set_must_meet", ACTION_CHECKBOX_NAME: [request.pk]},
    )

    request.refresh_from_db()
    assert request.must_meet is True


def test_staff_record_an_outcome_from_the_meetings_row(staff_client):
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))
    changelist = staff_client.get(reverse("admin:events_meeting_changelist")).content.decode()
    page_url = reverse("admin:events_meeting_outcome", args=[meeting.pk])
    assert page_url in changelist  # the row links to its outcome page

    page = staff_client.get(page_url).content.decode()
    assert 'id="outcome-enterprise"' in page
    assert 'id="outcome-provider"' in page
    response = staff_client.post(
        page_url,
        {
            "side": Side.PROVIDER,
            "provider-rating": 5,
            "provider-next_step": Outcome.NextStep.PILOT,
            "provider-deal_value": 60,
            "provider-note": "电话回访",
        },
    )

    assert response.status_code == 302
    outcome = Outcome.objects.get()
    meeting.refresh_from_db()
    assert (outcome.side, outcome.next_step, outcome.deal_value, meeting.status) == (
        Side.PROVIDER,
        Outcome.NextStep.PILOT,
        60,
        Meeting.Status.HELD,
    )


def test_outcomes_are_not_added_by_typing_a_meeting_id(staff_client):
    assert staff_client.get("/admin/events/outcome/add/").status_code == 403


def test_a_no_show_meeting_tells_the_office_to_correct_the_check_in(staff_client):
    meeting = attended_meeting(
        EventFactory(scheduled=True, status=Event.Status.FINISHED), status=Meeting.Status.NO_SHOW
    )
    page_url = reverse("admin:events_meeting_outcome", args=[meeting.pk])

    page = staff_client.get(page_url).content.decode()
    staff_client.post(page_url, {"side": Side.ENTERPRISE, "enterprise-rating": 3})

    assert "check-in page" in page
    assert "programme office" not in page
    assert reverse("event-check-in", args=[meeting.event_id]) in page
    assert Outcome.objects.count() == 0


def test_the_registration_page_lists_its_meetings_with_outcome_links(staff_client):
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))
    registration = meeting.event.registrations.get(organization=meeting.enterprise)

    page = staff_client.get(
        reverse("admin:events_registration_change", args=[registration.pk])
    ).content.decode()

    assert reverse("admin:events_meeting_outcome", args=[meeting.pk]) in page
    assert str(meeting.provider) in page


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""


def test_meeting_request_priority_is_on_the_0_to_100_scale_in_admin(staff_client):
    from tests.factories import MeetingRequestFactory  # noqa: PLC0415

    meeting_request = MeetingRequestFactory(priority=0.745)

    listing = staff_client.get(reverse("admin:events_meetingrequest_changelist")).content.decode()
    assert ">74.5<" in listing
    url = reverse("admin:events_meetingrequest_change", args=[meeting_request.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    assert form["priority"].value() == 74.5
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["priority"] = "90"
    data["must_meet"] = "on" if data.get("must_meet") else ""
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting_request.refresh_from_db()
    assert meeting_request.priority == pytest.approx(0.9)
