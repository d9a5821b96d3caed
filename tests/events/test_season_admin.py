"""Season, venue and holiday-calendar admin: actions call the services, pages stay cheap."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.admin.season import SeasonForm
from events.models import CalendarDay, Event, Season
from events.services import season as services
from tests.factories import (
    EventFactory,
    NeedFactory,
    OrganizationFactory,
    RegistrationFactory,
    SeasonFactory,
    SolutionFactory,
    StaffFactory,
    VenueFactory,
    add_match,
    in_days,
    member_of,
)

pytestmark = pytest.mark.django_db

SEASONS = reverse("admin:events_season_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def small_catalog() -> None:
    """Twelve needs, each matched to the same five providers: two balanced events."""
    solutions = [SolutionFactory() for _ in range(5)]
    for _ in range(4):
        organization = OrganizationFactory()
        member_of(organization)
        for _ in range(3):
            need = NeedFactory(organization=organization)
            for rank, solution in enumerate(solutions, start=1):
                add_match(need, solution, rank=rank, score=0.9 - 0.05 * rank)


def action(client, name: str, objects, url: str = SEASONS):
    return client.post(
        url, {"action": name, "_selected_action": [o.pk for o in objects]}, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- seasons -----------------------------------------------------------------------------------


def test_plan_action_plans_the_season_after_commit(staff_client, run_on_commit):
    small_catalog()
    season = SeasonFactory(target_events=2)

    with run_on_commit():
        response = action(staff_client, "plan_selected", [season])

    assert messages_of(response) == ["Planning started for 1 season; this page shows its progress."]
    season.refresh_from_db()
    assert season.plan_status == Season.PlanStatus.PLANNED
    assert season.events.filter(status=Event.Status.DRAFT).count() == 2


def test_season_list_shows_progress_and_reloads_while_planning(staff_client):
    SeasonFactory(plan_status=Season.PlanStatus.PLANNING, plan_progress=30)
    text = staff_client.get(SEASONS).content.decode()
    assert '<progress max="100" value="30"' in text
    assert '<meta http-equiv="refresh"' in text


def test_season_list_does_not_reload_when_nothing_is_planning(staff_client):
    SeasonFactory(plan_status=Season.PlanStatus.PLANNED)
    assert 'http-equiv="refresh"' not in staff_client.get(SEASONS).content.decode()


def test_season_page_shows_quality_notes_and_the_draft_events(staff_client):
    small_catalog()
    season = SeasonFactory(target_events=2)
    services.run_planner(season.pk)

    response = staff_client.get(reverse("admin:events_season_change", args=[season.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Needs covered: 100% — 12 of 12 needs" in text
    assert "No matching model stored yet" in text
    for event in season.events.all():
        assert event.title_zh in text


def test_season_page_before_planning_says_how_to_plan(staff_client):
    season = SeasonFactory()
    text = staff_client.get(reverse("admin:events_season_change", args=[season.pk])).content
    assert "Not planned yet: use the action “Plan the season”" in text.decode()


def test_publish_action_opens_the_draft_events(staff_client):
    small_catalog()
    season = SeasonFactory(target_events=2)
    services.run_planner(season.pk)

    response = action(staff_client, "publish_drafts", [season])

    assert messages_of(response) == ["2 events are now open for registration."]
    assert set(season.events.values_list("status", flat=True)) == {Event.Status.PUBLISHED}


def test_publish_action_reports_what_cannot_be_published(staff_client):
    season = SeasonFactory()
    ok = EventFactory(season=season, status=Event.Status.DRAFT)
    EventFactory(
        season=season, status=Event.Status.DRAFT, date=in_days(-3), title_zh="旧活动", title_en=""
    )

    response = action(staff_client, "publish_drafts", [season])

    first, second = messages_of(response)
    assert first.startswith(f"{season}: “旧活动” is dated")
    assert second == "0 events are now open for registration."
    assert Event.objects.get(pk=ok.pk).status == Event.Status.DRAFT


def test_invite_action_emails_the_published_events_invitees(staff_client, run_on_commit):
    season = SeasonFactory()
    event = EventFactory(season=season)
    draft = EventFactory(season=season, status=Event.Status.DRAFT)
    for target in (event, draft):
        invitation = RegistrationFactory(invited=True, event=target)
        member_of(invitation.organization)

    with run_on_commit():
        response = action(staff_client, "send_invitations", [season])
        again = action(staff_client, "send_invitations", [season])

    assert messages_of(response) == ["Invitations sent to 1 organization."]
    assert messages_of(again) == [
        "Nobody new to invite: every invited organization already has its invitation."
    ]
    assert len(mail.outbox) == 1


def test_invite_action_before_publishing_says_why_nothing_was_sent(staff_client):
    season = SeasonFactory()
    for _ in range(2):
        draft = EventFactory(season=season, status=Event.Status.DRAFT)
        member_of(RegistrationFactory(invited=True, event=draft).organization)

    response = action(staff_client, "send_invitations", [season])

    (message,) = messages_of(response)
    assert message.startswith("Nothing was sent: invitations go out for published events")
    assert "2 events are still drafts" in message
    assert "Publish the draft events" in message
    assert len(mail.outbox) == 0


def test_season_form_cleans_blackout_dates_and_the_window():
    venue = VenueFactory()
    data = {
        "name": "2027",
        "start": "2027-03-01",
        "end": "2027-06-30",
        "target_events": 10,
        "weekly_cap": 2,
        "max_providers_per_event": 30,
        "venues": [venue.pk],
        "blackout_dates": "2027-05-06\n2027-04-01，2027-05-06",
    }
    form = SeasonForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["blackout_dates"] == ["2027-04-01", "2027-05-06"]

    bad = SeasonForm({**data, "blackout_dates": "2027-13-01", "end": "2027-01-01"})
    assert not bad.is_valid()
    assert bad.errors["blackout_dates"] == ["“2027-13-01” is not a date in the form YYYY-MM-DD."]
    assert bad.errors["end"] == ["The last possible date is before the first."]
    assert SeasonForm({**data, "blackout_dates": ""}).is_valid()


def test_a_season_without_dates_off_shows_an_empty_box_not_a_list(staff_client):
    season = SeasonFactory(blackout_dates=[])
    page = staff_client.get(reverse("admin:events_season_change", args=[season.pk])).content
    box = re.search(r'<textarea name="blackout_dates"[^>]*>(.*?)</textarea>', page.decode(), re.S)
    assert box.group(1).strip() == ""

    season.blackout_dates = ["2027-04-01", "2027-05-06"]
    season.save()
    page = staff_client.get(reverse("admin:events_season_change", args=[season.pk])).content
    box = re.search(r'<textarea name="blackout_dates"[^>]*>(.*?)</textarea>', page.decode(), re.S)
    assert box.group(1).split() == ["2027-04-01", "2027-05-06"]


def _queries(client, url: str) -> int:
    """Queries of a warm request: a process's first request also fills the content-type
    cache, and which test comes first depends on how the suite is split across workers."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_season_list_queries_do_not_grow_with_seasons(staff_client):
    SeasonFactory(plan_quality={"coverage": 0.97, "meets_targets": True})
    one = _queries(staff_client, SEASONS)
    SeasonFactory(), SeasonFactory()
    assert _queries(staff_client, SEASONS) == one


def test_season_page_queries_do_not_grow_with_events(staff_client):
    season = SeasonFactory()
    url = reverse("admin:events_season_change", args=[season.pk])
    EventFactory(season=season)
    one = _queries(staff_client, url)
    EventFactory(season=season), EventFactory(season=season)
    assert _queries(staff_client, url) == one


# --- venues and the calendar ---------------------------------------------------------------------


def test_venue_list_and_search(staff_client):
    venue = VenueFactory(name="西岸国际会展中心")
    EventFactory(venue=venue)
    url = reverse("admin:events_venue_changelist")

    text = staff_client.get(url, {"q": "西岸"}).content.decode()

    assert "西岸国际会展中心" in text
    one = _queries(staff_client, url)
    EventFactory(venue=VenueFactory()), EventFactory(venue=VenueFactory())
    assert _queries(staff_client, url) == one


def test_calendar_lists_days_by_year_and_kind(staff_client):
    url = reverse("admin:events_calendarday_changelist")

    response = staff_client.get(url, {"year": "2026", "kind": "holiday"})

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown
    assert {(d.date.year, d.kind) for d in shown} == {(2026, "holiday")}
    assert "2027" in response.content.decode()  # the year filter offers the shipped years
    assert _queries(staff_client, url + "?year=2025") == _queries(staff_client, url + "?year=2027")


def test_calendar_confirm_action_confirms_provisional_days(staff_client):
    days = [
        CalendarDay.objects.create(
            date=f"2028-10-0{d}", kind="holiday", name_zh="国庆节", provisional=True
        )
        for d in (1, 2)
    ]
    confirmed = CalendarDay.objects.create(date="2028-10-03", kind="holiday", name_zh="国庆节")
    url = reverse("admin:events_calendarday_changelist")

    response = action(staff_client, "confirm_selected", [*days, confirmed], url=url)

    assert messages_of(response) == ["2 days confirmed."]
    assert not CalendarDay.objects.filter(date__year=2028, provisional=True).exists()


def test_staff_extend_the_calendar_with_a_new_day(staff_client):
    url = reverse("admin:events_calendarday_add")
    response = staff_client.post(
        url,
        {"date": "2028-01-01", "kind": "holiday", "name_zh": "元旦", "name_en": "New Year's Day"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date="2028-01-01")
    assert (day.kind, day.provisional) == ("holiday", False)


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
