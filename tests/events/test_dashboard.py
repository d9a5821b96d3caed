"""The programme dashboard: its figures against the rows behind them, the page, the charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.enums import Side
from events.models import Event, Meeting, Outcome, Registration
from events.selectors.dashboard import dashboard_figures, filing_figures
from matchmaking.models import FilingStatus
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    OutcomeFactory,
    RegistrationFactory,
    SeasonFactory,
    SolutionFactory,
    StaffFactory,
    UserFactory,
    industry,
)

pytestmark = pytest.mark.django_db

RegStatus = Registration.Status
Step = Outcome.NextStep


@pytest.fixture
def programme():
    """A season with two manufacturing events (one held) and a healthcare one, plus noise."""
    season = SeasonFactory(target_events=6)
    manufacturing = industry("manufacturing")
    healthcare = industry("healthcare")
    held = EventFactory(
        scheduled=True, season=season, domain=manufacturing, status=Event.Status.FINISHED
    )
    EventFactory(scheduled=True, season=season, domain=manufacturing, status=Event.Status.DRAFT)
    EventFactory(scheduled=True, season=season, domain=manufacturing, status=Event.Status.CANCELLED)
    clinic = EventFactory(
        scheduled=True, season=season, domain=healthcare, status=Event.Status.RUNNING
    )

    RegistrationFactory.create_batch(3, event=held, status=RegStatus.CHECKED_IN)
    RegistrationFactory(provider=True, event=held, status=RegStatus.NO_SHOW)
    RegistrationFactory(event=held, status=RegStatus.DECLINED)
    RegistrationFactory(event=held, status=RegStatus.INVITED)
    RegistrationFactory(event=clinic, status=RegStatus.REGISTERED)

    # Meetings at the held event: furthest steps contract (both sides), NDA, none,
    # one held without feedback, one no-show and one cancelled.
    contract = MeetingFactory(event=held, status=Meeting.Status.HELD)
    OutcomeFactory(meeting=contract, side=Side.ENTERPRISE, next_step=Step.PILOT, deal_value=80)
    OutcomeFactory(meeting=contract, side=Side.PROVIDER, next_step=Step.FOLLOW_UP, rating=5)
    OutcomeFactory(
        meeting=contract,
        side=Side.PROVIDER,
        stage=Outcome.Stage.FOLLOW_UP,
        next_step=Step.CONTRACT,
        deal_value=200,
        rating=5,
    )
    nda = MeetingFactory(event=held, status=Meeting.Status.HELD)
    OutcomeFactory(meeting=nda, next_step=Step.NDA, rating=3, deal_value=None)
    nothing = MeetingFactory(event=held, status=Meeting.Status.HELD)
    OutcomeFactory(meeting=nothing, next_step=Step.NONE, rating=2)
    MeetingFactory(event=held, status=Meeting.Status.HELD)
    MeetingFactory(event=held, status=Meeting.Status.NO_SHOW)
    MeetingFactory(event=held, status=Meeting.Status.CANCELLED)
    MeetingFactory(event=clinic, status=Meeting.Status.SCHEDULED)

    # Another season's event must not count in this season's figures.
    last_year = SeasonFactory(
        start=dt.date(2026, 1, 5), end=dt.date(2026, 12, 25), target_events=50
    )
    other = EventFactory(scheduled=True, season=last_year, status=Event.Status.FINISHED)
    OutcomeFactory(meeting__event=other, next_step=Step.CONTRACT, deal_value=999)
    return season


def test_dashboard_figures_totals_match_the_rows(programme):
    figures = dashboard_figures(season=programme)

    totals = figures["totals"]
    assert {key: totals[key] for key in totals if key not in ("funnel",)} == {
        "target": 6,
        "target_share": 0.5,
        "events_planned": 3,
        "events_published": 2,
        "events_held": 1,
        "events_cancelled": 1,
        "registrations": 5,
        "checked_in": 3,
        "no_shows": 1,
        "no_show_rate": 0.25,
        "meetings_scheduled": 6,
        "met": 4,
        "meetings_no_show": 1,
        "follow_up": 2,
        "nda": 2,
        "pilot": 1,
        "contract": 1,
        "deal_value": 200,
        "feedback": 5,
        "rating_sum": 19,
        "average_rating": 3.8,
    }
    assert [(step["key"], step["count"]) for step in totals["funnel"]] == [
        ("met", 4),
        ("follow_up", 2),
        ("nda", 2),
        ("pilot", 1),
        ("contract", 1),
    ]


def test_dashboard_figures_by_domain(programme):
    figures = dashboard_figures(season=programme)

    by_code = {
        row["code"]: (row["events_planned"], row["events_held"], row["registrations"], row["met"])
        for row in figures["domains"]
    }
    assert by_code == {"manufacturing": (2, 1, 4, 4), "healthcare": (1, 0, 1, 0)}
    assert [row["code"] for row in figures["domains"]] == ["manufacturing", "healthcare"]


def test_dashboard_figures_all_seasons_sum_their_targets(programme):
    figures = dashboard_figures()

    assert (figures["target"], figures["totals"]["events_held"]) == (56, 2)
    assert figures["totals"]["deal_value"] == 200 + 999


def test_dashboard_figures_empty_programme():
    figures = dashboard_figures()

    assert (figures["target"], figures["domains"], figures["totals"]["no_show_rate"]) == (
        50,
        [],
        None,
    )


def _events_with_meetings(season, n: int) -> None:
    for _ in range(n):
        event = EventFactory(scheduled=True, season=season, status=Event.Status.FINISHED)
        RegistrationFactory(event=event, status=RegStatus.CHECKED_IN)
        OutcomeFactory(meeting__event=event)


@pytest.mark.parametrize("n", [1, 3])
def test_dashboard_figures_query_count(django_assert_num_queries, n):
    season = SeasonFactory()
    _events_with_meetings(season, n)

    # events, registrations, meetings (with the funnel), outcomes
    with django_assert_num_queries(4):
        dashboard_figures(season=season)


# --- the page ------------------------------------------------------------------------


def test_dashboard_page_staff_sees_figures_and_tables(client, programme):
    client.force_login(StaffFactory())

    response = client.get(reverse("dashboard"), {"season": programme.pk})

    assert response.status_code == 200
    assert response.context["figures"]["totals"]["met"] == 4
    html = response.content.decode()
    assert 'id="funnel-table"' in html
    assert 'id="funnel-chart"' in html
    assert 'id="domain-table"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_dashboard_page_says_why_the_funnel_is_empty_before_any_meeting(client, programme):
    Outcome.objects.all().delete()
    Meeting.objects.update(status=Meeting.Status.SCHEDULED)
    client.force_login(StaffFactory())

    html = client.get(reverse("dashboard"), {"season": programme.pk}).content.decode()

    assert ('id="funnel-empty"' in html, 'id="funnel-chart"' in html) == (True, False)


def test_dashboard_page_defaults_to_the_latest_season(client, programme):
    client.force_login(StaffFactory())

    response = client.get(reverse("dashboard"))

    assert response.context["season"] == programme


def test_dashboard_page_all_seasons(client, programme):
    client.force_login(StaffFactory())

    response = client.get(reverse("dashboard"), {"season": "all"})

    assert (response.context["season"], response.context["figures"]["totals"]["events_held"]) == (
        None,
        2,
    )


@pytest.mark.parametrize("n", [1, 3])
def test_dashboard_page_query_count(client, django_assert_num_queries, n):
    season = SeasonFactory()
    _events_with_meetings(season, n)
    client.force_login(StaffFactory())

    # session, user, seasons for the menu, the four figure queries, the two of the filed
    # services, the membership lookup of the site's navigation, and two per kind of
    # answering-in-time figures, and three for the table of what users follow (the
    # industries, the capabilities and the saved searches, each read once whatever
    # their number: matchmaking.selectors, added with saved searches)
    with django_assert_num_queries(17):
        client.get(reverse("dashboard"), {"season": season.pk})


def test_dashboard_page_refuses_participants(client):
    client.force_login(UserFactory())

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_dashboard_chart_library_is_vendored_with_its_licence():
    vendor = Path(settings.BASE_DIR) / "static" / "vendor" / "chartjs"

    assert (vendor / "chart.umd.min.js").stat().st_size > 100_000
    assert "MIT License" in (vendor / "LICENSE.md").read_text()


def test_dashboard_templates_load_nothing_from_a_cdn():
    root = Path(settings.BASE_DIR)
    sources = [
        root / "templates" / "events" / "running" / "dashboard.html",
        root / "static" / "js" / "dashboard.js",
    ]

    assert [path.name for path in sources if "//" in path.read_text().replace("// ", "")] == []


def test_admin_index_links_the_dashboard(client):
    client.force_login(StaffFactory())

    response = client.get(reverse("admin:index"))

    assert reverse("dashboard") in response.content.decode()


def test_workspace_staff_card_links_the_dashboard(client):
    client.force_login(StaffFactory())

    response = client.get(reverse("workspace"))

    assert reverse("dashboard") in response.content.decode()


def test_dashboard_counts_filed_models_of_providers_taking_part_and_those_that_landed():
    season = SeasonFactory()
    event = EventFactory(scheduled=True, season=season, status=Event.Status.FINISHED)
    landed, talked = (
        RegistrationFactory(event=event, provider=True).organization for _ in range(2)
    )
    verified = {"filing_status": FilingStatus.VERIFIED, "filing_verified_on": dt.date(2025, 1, 15)}
    piloted = SolutionFactory(organization=landed, **verified)
    SolutionFactory(organization=landed, **verified)
    SolutionFactory(organization=landed, filing_status=FilingStatus.NOT_FOUND)
    SolutionFactory(organization=talked, **verified)
    SolutionFactory(**verified)  # a provider that does not take part
    pilot = MeetingFactory(
        request=MeetingRequestFactory(event=event, provider=landed, solution=piloted),
        status=Meeting.Status.HELD,
    )
    OutcomeFactory(meeting=pilot, next_step=Step.PILOT)
    nda = MeetingFactory(
        request=MeetingRequestFactory(event=event, provider=talked), status=Meeting.Status.HELD
    )
    OutcomeFactory(meeting=nda, next_step=Step.NDA)

    figures = filing_figures(season=season)

    assert figures == {
        "filed_models": 3,
        "filed_providers": 2,
        "landed_models": 1,
        "landed_providers": 1,
    }
