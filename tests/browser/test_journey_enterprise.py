"""The enterprise's journey, in Chromium, in Chinese, on a desktop and on a phone.

An enterprise registers, verifies its email, posts a scenario need and — once the
programme office has published it and the real worker has matched it — reads the
ranked solutions with their reasons, says it is interested in one, and sees the
provider's contact details after the provider agreed. Invited to a docking event by
email, it answers through the personal RSVP link and blocks the slots in which it
cannot meet (the schedule then uses only the others), asks a second provider for a
meeting, gets its schedule (.ics) and, after the event, rates its meetings. Every email is sent by the worker process.

The programme office's and the providers' answers are given through the same
services their pages call (their own journeys drive those pages).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import User
from events.models import Event, Meeting, MeetingRequest, Outcome, Registration
from events.services import registration as registration_services
from events.services import requests as request_services
from events.services import running
from events.services import schedule as schedule_services
from matchmaking.models import Interest, Need
from matchmaking.services import catalog as catalog_services
from matchmaking.services import interests as interest_services
from tests.browser.journey import (
    DESKTOP,
    PHONE,
    assert_fits,
    nav,
    path_in,
    reload_until,
    sent_email,
    success_message,
    wait_for,
)
from tests.factories import (
    EventFactory,
    ProviderFactory,
    RegistrationFactory,
    SolutionFactory,
    StaffFactory,
    in_days,
    make_uscc,
    member_of,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_event_day"),
]

EMAIL = "zhou.gong@example.com"
PASSWORD = "Harbour-Lantern-Blue-42"
VISION_PHONE = "13900001111"


@pytest.fixture
def programme():
    """Two providers with published vision solutions, registered for an open event."""
    staff = StaffFactory(email="office@example.com")
    vision = ProviderFactory(name="上海书衡智能科技有限公司")
    stamping = ProviderFactory(name="上海西岸视觉科技有限公司")
    vision_user = member_of(vision, email="chen@shuheng.example.com")
    stamping_user = member_of(stamping, email="li@xian.example.com")
    vision_solution = SolutionFactory(
        organization=vision,
        title="工业视觉质检大模型",
        summary="冲压件、压铸件表面缺陷视觉检测，小样本训练，支持产线私有化部署。",
        contact_phone=VISION_PHONE,
    )
    SolutionFactory(
        organization=stamping,
        title="冲压件缺陷检测一体机",
        summary="面向冲压产线的表面缺陷检测一体机，边缘部署，节拍 1 秒。",
    )
    SolutionFactory(
        title="医院病历质控大模型",
        summary="电子病历内涵质控与病案首页校验。",
        industries=["healthcare"],
        capabilities=["text_generation"],
    )
    event = EventFactory(
        title_zh="大模型+工业制造 供需对接会 · 视觉质检专场",
        title_en="AI+ Manufacturing docking event · Visual inspection",
        date=in_days(30),
    )
    for provider in (vision, stamping):
        RegistrationFactory(event=event, organization=provider, side="provider")
    return {
        "staff": staff,
        "vision_user": vision_user,
        "stamping_user": stamping_user,
        "vision_solution": vision_solution,
        "event": event,
    }


@pytest.fixture(params=["desktop", "phone"])
def device(request, browser, live_server):
    """A browser page in Chinese, on a desktop screen or on a 375 × 812 phone."""
    phone = request.param == "phone"
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.phone = phone
    yield page
    context.close()


def test_enterprise_journey(celery_worker, device, programme, screenshot):
    page = device
    shot = lambda name: screenshot(page, f"{'phone' if page.phone else 'desktop'}-{name}")  # noqa: E731

    # --- register, verify the email address (sent by the worker), sign in -------------
    page.goto("/")
    assert_fits(page)
    page.locator(".hero").get_by_role("link", name="注册机构").click()
    expect(page.locator("h1")).to_have_text("注册")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_full_name").fill("周工")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_uscc").fill(make_uscc(77))
    page.locator("#id_organization_name").fill("上海漕河泾精密制造有限公司")
    page.locator("#id_organization_kind").select_option("enterprise")
    page.locator("#id_consent").check()
    assert_fits(page)
    shot("signup")
    page.get_by_role("button", name="创建账号").click()
    page.wait_for_url("**/accounts/signup/done/")
    expect(page.locator("main")).to_contain_text(EMAIL)

    verification = sent_email(EMAIL, "verify_email")
    page.goto(path_in(verification, r"/accounts/verify/\S+/"))
    page.wait_for_url("**/accounts/login/**")
    assert "验证" in success_message(page)
    page.locator("#id_username").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workspace/")
    expect(page.locator("main")).to_contain_text("上海漕河泾精密制造有限公司")
    assert_fits(page)

    # --- post a need: a slip in the budget is caught, nothing typed is lost -----------
    page.locator("main").get_by_role("link", name="发布需求").click()
    page.locator("#id_title").fill("冲压件表面缺陷视觉检测")
    page.locator("#id_industry").select_option(label="工业制造")
    page.get_by_label("视觉检测与识别").check()
    page.locator("#id_summary").fill("冲压件划痕、凹坑在线检测，替代人工目检。")
    page.locator("#id_description").fill("6 条产线，节拍 2 秒/件，需私有化部署，样本约 3 000 张。")
    page.locator("#id_deployment").select_option("on_premise")
    page.locator("#id_budget_min").fill("200")
    page.locator("#id_budget_max").fill("50")
    page.locator("#id_contact_name").fill("周工")
    page.locator("#id_contact_phone").fill("13877776666")
    page.locator("#id_contact_email").fill(EMAIL)
    assert_fits(page)
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#field-budget_max .errorlist")).to_contain_text("不能低于")
    assert page.locator("#id_title").input_value() == "冲压件表面缺陷视觉检测"
    assert page.locator("#id_description").input_value().startswith("6 条产线")
    page.locator("#id_budget_max").fill("300")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(re.compile(r"/my/needs/\d+/$"))
    assert "审核" in success_message(page)
    expect(page.locator(".page-head .badge")).to_have_text("审核中")
    need = Need.objects.get()
    assert need.status == "submitted"
    shot("need-submitted")

    # --- the office publishes it; the worker matches it --------------------------------
    staff = programme["staff"]
    assert (
        catalog_services.approve_records(by=staff, records=Need.objects.filter(pk=need.pk)).done
        == 1
    )
    sent_email(EMAIL, "review_decision")
    reload_until(page, "#ranked-solutions li[data-solution]")
    ranked = page.locator("#ranked-solutions li[data-solution]")
    vision = programme["vision_solution"]
    assert ranked.first.get_attribute("data-solution") == str(vision.pk)
    expect(ranked.last).to_contain_text("医院病历质控大模型")  # another industry: last
    first = ranked.first
    expect(first.locator("[data-component='industry']")).to_contain_text("所属行业")
    expect(first.locator(".terms mark").first).to_be_visible()
    expect(first.locator(".meta")).to_contain_text("万元")
    assert_fits(page)
    shot("ranked-solutions")

    # --- interest, the provider agrees, contact details appear -------------------------
    first.get_by_role("button", name="有意向").click()
    success_message(page)
    expect(page.locator(f"li[data-solution='{vision.pk}'] form .badge.warn")).to_have_text(
        "已表达意向，等待对方答复"
    )
    sent_email(programme["vision_user"].email, "interest_received")
    interest_services.respond(
        by=programme["vision_user"], interest=Interest.objects.get(), accept=True
    )
    sent_email(EMAIL, "interest_accepted")
    nav(page, "对接意向")
    expect(page.locator("#accepted")).to_contain_text(VISION_PHONE)
    expect(page.locator("#accepted")).to_contain_text("上海书衡智能科技有限公司")
    assert_fits(page)
    shot("introductions")

    # --- the office invites the enterprise; it answers and blocks its busy slots -------
    event = programme["event"]
    enterprise = User.objects.get(email=EMAIL).memberships.get().organization
    RegistrationFactory(event=event, organization=enterprise, status=Registration.Status.INVITED)
    assert registration_services.send_invitations(event, by=staff) == 1
    invitation = sent_email(EMAIL, "event_invitation")
    page.goto(path_in(invitation, r"/events/rsvp/[^\s]+"))
    expect(page.locator("h1")).to_have_text(event.title_zh)
    expect(page.locator("#rsvp-status")).to_have_text("已邀请")
    page.locator("#id_attendees").fill("周工, 王工")
    page.get_by_role("button", name="我将参加").click()
    success_message(page)
    expect(page.locator("#rsvp-status")).to_have_text("已报名")
    busy = page.locator("#availability input[name=slots]")
    expect(busy).to_have_count(12)
    for index in range(10):  # busy all afternoon but for the last two slots
        busy.nth(index).check()
    page.locator("#availability").get_by_role("button", name="保存").click()
    assert "10" in success_message(page)
    assert_fits(page)
    shot("rsvp")

    # --- on the event page, ask the other provider for a meeting -----------------------
    nav(page, "对接活动")
    page.get_by_role("link", name=event.title_zh).click()
    assert_fits(page)
    expect(page.locator("#registration-status")).to_have_text("已报名")
    suggestion = page.locator("#suggestion-list > li", has_text="上海西岸视觉科技有限公司")
    suggestion.get_by_text("发起洽谈邀约").click()
    suggestion.locator("textarea").fill("希望交流冲压产线的边缘部署方案。")
    suggestion.get_by_role("button", name="发送邀约").click()
    assert "上海西岸视觉科技有限公司" in success_message(page)
    assert_fits(page)
    shot("event-requested")
    stamping_user = programme["stamping_user"]
    sent_email(stamping_user.email, "event_meeting_request")
    request_services.answer_request(
        request=MeetingRequest.objects.get(event=event), accept=True, by=stamping_user
    )

    # --- the office builds and sends the schedule (the worker builds it) ---------------
    schedule_services.build_schedule(event, by=staff)
    wait_for(
        lambda: Event.objects.filter(pk=event.pk, schedule_status="built").exists(),
        what="the schedule",
    )
    schedule_services.send_schedules(Event.objects.get(pk=event.pk), by=staff)
    schedule_email = sent_email(EMAIL, "event_schedule")
    # the calendar and the organization's check-in code
    assert [a["filename"] for a in schedule_email.attachments] == [
        "schedule.ics",
        "check-in-code.png",
    ]

    nav(page, "我的活动")
    upcoming = page.locator("#upcoming > li").first
    expect(upcoming).to_contain_text("已安排 2 场洽谈")
    assert_fits(page)
    upcoming.get_by_role("link", name=event.title_zh).click()
    meetings = page.locator("#meetings > li")
    expect(meetings).to_have_count(2)
    expect(page.locator("#meetings")).to_contain_text("上海书衡智能科技有限公司")
    expect(page.locator("#meetings")).to_contain_text("上海西岸视觉科技有限公司")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载（.ics）").click()
    calendar = download.value.path().read_text(encoding="utf-8")
    slots = set(
        Meeting.objects.filter(event=event, enterprise=enterprise).values_list("slot", flat=True)
    )
    assert slots == {10, 11}  # only where the enterprise said it could meet
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert calendar.count("BEGIN:VEVENT") == 2
    assert_fits(page)
    shot("schedule")

    # --- the event takes place; afterwards the event page leads to the feedback -------
    event.refresh_from_db()
    for registration in event.registrations.all():
        running.check_in(registration=registration, by=staff)
    running.start_event(event, by=staff)
    running.finish_event(Event.objects.get(pk=event.pk), by=staff)
    page.reload()
    page.locator("#feedback-links a").first.click()
    page.wait_for_url(f"**/events/{event.pk}/feedback/")
    fieldsets = page.locator("fieldset.feedback-meeting")
    expect(fieldsets).to_have_count(2)
    meeting = fieldsets.filter(has_text="上海书衡智能科技有限公司")
    meeting.locator("input[type=radio][value='5']").check()
    meeting.locator("select[name$='-next_step']").select_option("pilot")
    meeting.locator("input[name$='-deal_value']").fill("120")
    assert_fits(page)
    page.get_by_role("button", name="保存反馈").click()
    assert "1" in success_message(page)
    shot("feedback")
    user = User.objects.get(email=EMAIL)
    assert list(
        Outcome.objects.values_list("rating", "next_step", "deal_value", "submitted_by")
    ) == [(5, "pilot", 120, user.pk)]
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {
        "checked_in"
    }
