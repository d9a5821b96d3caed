"""The programme office's journey through Django admin, in Chromium, in Chinese.

On the demo programme (22 organizations, their people, the published catalog) with a
real worker: staff review two new needs (publish one, return one with a reason),
watch the matching runs and start a full re-match, add a season and plan it (the
planner runs on the worker, the list shows its progress), publish the draft events
and send the invitations. When the organizations have answered and agreed on their
meetings, staff build the schedule of one event (on the worker) and send it, print
it and export the attendee list, check people in at the door, run the event, record
an outcome taken by phone and read the programme dashboard.

The participants' steps go through the services their pages call (their journeys
drive those pages); every email is sent by the worker.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from core.enums import Side
from core.models import OutgoingEmail, User
from events.models import Event, Meeting, MeetingRequest, Outcome, Registration, Season
from events.services import registration as registration_services
from events.services import requests as request_services
from events.services import running
from matchmaking.models import MatchRun, Need
from matchmaking.services.demo import STAFF_EMAIL, STAFF_PASSWORD, seed_demo
from tests.browser.journey import wait_for
from tests.factories import (
    NeedFactory,
    VenueFactory,
    in_days,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    # The event is dated two weeks ahead; the office runs it "on the day".
    pytest.mark.usefixtures("on_event_day"),
]

# Admin pages reload themselves while a job runs; the job is on the worker.
JOB_TIMEOUT = 90_000


@pytest.fixture
def programme(celery_worker):
    """The demo programme; publishing its catalog wakes the worker's first full match."""
    assert seed_demo()
    enterprise = User.objects.get(email="enterprise@example.com")
    organization = enterprise.primary_membership.organization
    fresh = NeedFactory(
        organization=organization,
        created_by=enterprise,
        title="数控机床刀具磨损视觉监测",
        summary="通过机床主轴视频监测刀具磨损，提前换刀，减少废品。",
        status="submitted",
        published_at=None,
    )
    vague = NeedFactory(
        organization=organization,
        created_by=enterprise,
        title="想用大模型提升效率",
        summary="希望了解大模型能做什么。",
        status="submitted",
        published_at=None,
    )
    VenueFactory(name="徐汇西岸 AI 大厦 3 楼", tables=12, capacity=40)
    return {"enterprise": enterprise, "fresh": fresh, "vague": vague}


def choose_action(page, action: str, *pks: int) -> None:
    """Tick rows of an admin list, choose an action and press Go."""
    for pk in pks:
        page.locator(f"input[name=_selected_action][value='{pk}']").check()
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()


def run_action(page, action: str, *pks: int, confirm: bool = False) -> str:
    """An action that reports what it did: its success message. The event-day actions
    ask first (`confirm`): their confirmation page is answered yes."""
    choose_action(page, action, *pks)
    if confirm:
        page.locator("#confirm-submit").click()
    message = page.locator(".messagelist .success").first
    expect(message).to_be_visible()
    return message.inner_text()


def answer_and_agree(event: Event) -> int:
    """Every invited organization attends; each enterprise asks its two best-matched
    providers, who accept. Returns the number of accepted requests."""
    for invited in event.registrations.filter(status=Registration.Status.INVITED):
        registration_services.respond_rsvp(registration=invited, attending=True, attendees="")
    attending = list(
        event.registrations.filter(status=Registration.Status.REGISTERED).select_related(
            "organization"
        )
    )
    providers = [r.organization for r in attending if r.side == Side.PROVIDER]
    staff = User.objects.get(email=STAFF_EMAIL)
    for enterprise in (r.organization for r in attending if r.side == Side.ENTERPRISE):
        ranked = sorted(
            (
                (match.score, provider.pk, provider)
                for provider in providers
                if (match := request_services.best_match(enterprise.pk, provider.pk))
            ),
            reverse=True,
        )
        for _score, _pk, provider in ranked[:2]:
            asked = request_services.request_meeting(
                event=event, from_org=enterprise, to_org=provider, by=staff
            )
            if asked.status == MeetingRequest.Status.REQUESTED:
                request_services.answer_request(request=asked, accept=True, by=staff)
    return MeetingRequest.objects.filter(event=event, status="accepted").count()


def test_programme_office_journey(celery_worker, page, programme, screenshot):
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(STAFF_EMAIL)
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    expect(page.locator("#programme-dashboard-link")).to_contain_text("项目数据看板")

    # --- review: publish one need, return the other with a reason -----------------------
    page.locator("#content-main").get_by_role("link", name="场景需求", exact=True).click()
    page.locator("#changelist-filter").get_by_role("link", name="审核中").first.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    fresh, vague = programme["fresh"], programme["vague"]
    assert "1" in run_action(page, "approve_selected", fresh.pk)
    choose_action(page, "reject_selected", vague.pk)
    page.locator("textarea[name=reason]").fill("请补充具体场景、数据情况与预算。")
    page.locator(
        "#content form button[type=submit], #content form input[type=submit]"
    ).first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    screenshot(page, "review")
    assert dict(Need.objects.filter(pk__in=[fresh.pk, vague.pk]).values_list("pk", "status")) == {
        fresh.pk: "approved",
        vague.pk: "rejected",
    }
    enterprise = programme["enterprise"]
    wait_for(
        lambda: (
            OutgoingEmail.objects.filter(
                to=enterprise.email, kind="review_decision", status="sent"
            ).count()
            == 2
        ),
        what="both review decisions emailed",
    )

    # --- matching: the runs and their progress; a full re-match -------------------------
    page.goto("/admin/matchmaking/matchrun/")
    expect(page.locator("#run-refresh")).to_have_count(0, timeout=JOB_TIMEOUT)
    assert MatchRun.objects.filter(status="succeeded").count() >= 2  # the first full, the new need
    previous = MatchRun.objects.order_by("-pk").first().pk
    page.locator("#start-full-run button").click()
    expect(page.locator(".messagelist li").first).to_be_visible()
    expect(page.locator("#run-refresh")).to_have_count(0, timeout=JOB_TIMEOUT)
    run = MatchRun.objects.filter(pk__gt=previous, kind="full").get()
    assert run.status == "succeeded"
    assert run.chunks_total >= 2  # fanned out to the worker in chunks
    screenshot(page, "match-runs")

    # --- a season: add it, plan it on the worker, publish, invite ----------------------
    page.goto("/admin/events/season/add/")
    page.locator("#id_name").fill("2027 下半年 · 大模型+ 供需对接季")
    page.locator("#id_start").fill(in_days(14).isoformat())
    page.locator("#id_end").fill(in_days(120).isoformat())
    page.locator("#id_target_events").fill("2")
    page.locator("#id_venues_from").select_option(label="徐汇西岸 AI 大厦 3 楼")
    page.locator("#id_venues_add").click()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    season = Season.objects.get()
    run_action(page, "plan_selected", season.pk)
    # The list reloads itself every few seconds while the worker plans.
    expect(page.locator("#result_list")).to_contain_text("计划草案已生成", timeout=JOB_TIMEOUT)
    page.get_by_role("link", name=season.name).click()
    drafts = season.events.filter(status=Event.Status.DRAFT)
    assert drafts.count() == 2
    expect(page.locator(".field-quality_report .plan-report li").first).to_be_visible()
    screenshot(page, "season-planned")
    page.goto("/admin/events/season/")
    run_action(page, "publish_drafts", season.pk)
    assert season.events.filter(status=Event.Status.PUBLISHED).count() == 2
    run_action(page, "send_invitations", season.pk)
    invited = Registration.objects.filter(event__season=season).count()
    assert invited > 0
    wait_for(
        lambda: (
            OutgoingEmail.objects.filter(kind="event_invitation", status="sent").count() >= invited
        ),
        what="the invitations",
    )

    # --- the organizations answer; staff build and send the first event's schedule ----
    event = season.events.order_by("date", "pk").first()
    accepted = answer_and_agree(event)
    assert accepted > 0
    page.goto(f"/admin/events/event/?season__id__exact={season.pk}")
    run_action(page, "build_schedule", event.pk)
    expect(page.locator("#schedule-building")).to_have_count(0, timeout=JOB_TIMEOUT)
    event.refresh_from_db()
    assert event.schedule_status == "built"
    run_action(page, "send_schedules", event.pk)
    scheduled = Meeting.objects.filter(event=event, published=True).count()
    assert scheduled == accepted  # enough slots and tables: every accepted request placed
    attending = Registration.objects.filter(event=event, status="registered").count()
    wait_for(
        lambda: (
            OutgoingEmail.objects.filter(kind="event_schedule", status="sent").count() >= attending
        ),
        what="the schedules",
    )

    page.goto(f"/admin/events/event/{event.pk}/change/")
    expect(page.locator(".field-schedule_summary")).to_contain_text(str(scheduled))
    screenshot(page, "event")
    with page.expect_download() as download:
        page.locator(".object-tools a[href$='/export/attendees.xlsx']").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet.max_row == 1 + event.registrations.count()
    page.locator(".object-tools a[href$='/print/']").click()
    expect(page.locator("header")).to_contain_text(event.title_zh)
    expect(page.locator("section.table-sheet")).not_to_have_count(0)
    screenshot(page, "print")

    # --- at the door: search and check in, scan a code, the rest from the list ---------
    page.goto(f"/admin/events/event/{event.pk}/change/")
    page.locator(".object-tools a[href$='/check-in/']").click()
    first = event.registrations.filter(side=Side.ENTERPRISE, status="registered").first()
    page.locator("#id_q").fill(first.organization.name)
    page.locator(f"#registration-{first.pk} button[value=check_in]").click()
    expect(page.locator(".messages .success")).to_contain_text(first.organization.name)
    scanned = event.registrations.filter(side=Side.PROVIDER, status="registered").first()
    page.locator("#id_token").fill(f"http://example.org/events/rsvp/{scanned.rsvp_token}/")
    page.locator("#id_token").press("Enter")
    expect(page.locator(".messages .success")).to_contain_text(scanned.organization.name)
    screenshot(page, "check-in")
    # One organization with meetings never turns up; the others are checked in from the list.
    absent = (
        event.registrations.filter(status="registered")
        .filter(organization__in=Meeting.objects.filter(event=event).values("provider"))
        .first()
    )
    missed = Meeting.objects.filter(event=event, provider=absent.organization).count()
    assert missed > 0
    page.goto(f"/admin/events/registration/?event__id__exact={event.pk}&status__exact=registered")
    page.locator("#action-toggle").check()
    page.locator(f"input[name=_selected_action][value='{absent.pk}']").uncheck()
    page.locator("select[name=action]").select_option("check_in_selected")
    page.locator("button[name=index]").click()
    page.locator("#confirm-submit").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert list(event.registrations.filter(status="registered")) == [absent]

    # --- run the event: the absent organization is a no-show, its meetings too ---------
    page.goto(f"/admin/events/event/?season__id__exact={season.pk}")
    run_action(page, "start_selected", event.pk, confirm=True)
    page.goto(f"/admin/events/registration/?event__id__exact={event.pk}&status__exact=registered")
    run_action(page, "mark_no_show_selected", absent.pk, confirm=True)
    absent.refresh_from_db()
    assert absent.status == "no_show"
    page.goto(f"/admin/events/event/?season__id__exact={season.pk}")
    run_action(page, "finish_selected", event.pk, confirm=True)
    held = Meeting.objects.filter(event=event, status="held").count()
    assert (
        Meeting.objects.filter(event=event, provider=absent.organization)
        .exclude(status="no_show")
        .count()
        == 0
    )
    assert held == scheduled - missed > 0

    # --- record an outcome taken by phone ----------------------------------------------
    meeting = Meeting.objects.filter(event=event, status="held").order_by("slot", "table").first()
    page.goto(f"/admin/events/meeting/?event__id__exact={event.pk}")
    page.locator(f"a[href='/admin/events/meeting/{meeting.pk}/outcome/']").click()
    page.locator("#id_enterprise-rating_4").check()
    page.locator("#id_enterprise-next_step").select_option("contract")
    page.locator("#id_enterprise-deal_value").fill("300")
    page.locator("#outcome-enterprise button[name=side]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert list(Outcome.objects.values_list("next_step", "deal_value")) == [("contract", 300)]
    running.record_outcome(
        meeting=meeting,
        side="provider",
        stage="event",
        by=User.objects.get(email=STAFF_EMAIL),
        rating=4,
        next_step="pilot",
        deal_value=None,
        note="",
    )

    # --- the programme dashboard --------------------------------------------------------
    page.goto("/admin/")
    page.locator("#programme-dashboard-link a").click()
    page.locator("#id_season").select_option(str(season.pk))
    page.get_by_role("button", name="查看").click()
    funnel = page.locator("#funnel-table tbody tr")
    counts = [funnel.nth(i).locator("td").first.inner_text() for i in range(5)]
    assert counts == [str(held), "1", "1", "1", "1"]
    expect(page.locator("#domain-table")).to_contain_text("300")
    expect(page.locator("#figures")).to_contain_text("2 / 2")
    screenshot(page, "dashboard")
