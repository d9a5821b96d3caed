"""The AI provider's journey, in Chromium, in Chinese and again in English.

A provider switches the language with the header's buttons (English run), signs in
— the choice survives signing in — and posts a solution with its filing number
(备案号): saved as a draft first, then submitted; once published it carries the badge. Once the programme office has published it and the real worker has
matched it, the provider reads the matched needs, filters them (the filters are
remembered for the next visit, with a link that clears them), says it is interested
in one, and sees the enterprise's contact details once the enterprise agreed. Invited
to a docking event by email, it answers through the personal RSVP link, blocks a
time slot, asks the enterprise for a meeting from the event page and, once the
enterprise agreed, gets its schedule (.ics).

The programme office's and the enterprise's steps go through the services their
pages call (their journeys drive those pages); every email is sent by the worker.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import Capability, Industry, OutgoingEmail, User
from events.models import Event, MeetingRequest, Registration
from events.services import registration as registration_services
from events.services import requests as request_services
from events.services import schedule as schedule_services
from matchmaking.models import Interest, Solution
from matchmaking.services import catalog as catalog_services
from matchmaking.services import interests as interest_services
from tests.browser.journey import (
    nav,
    path_in,
    reload_until,
    sent_email,
    sign_in,
    success_message,
    switch_language,
    wait_for,
)
from tests.factories import (
    EventFactory,
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    RegistrationFactory,
    StaffFactory,
    in_days,
    member_of,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

PROVIDER_EMAIL = "chen@shuheng.example.com"
NEED_PHONE = "13877776666"
FILING_NUMBER = "Shanghai-ShuHengShiJue-202409120031"

# What the pages say, per language (labels are the catalog's translations).
TEXT = {
    "zh-hans": {
        "lang": "zh-CN",
        "post": "发布解决方案",
        "draft": "保存草稿",
        "submit": "提交审核",
        "draft_badge": "草稿",
        "review_badge": "审核中",
        "matched_needs": "匹配需求",
        "my_solutions": "我的解决方案",
        "see_matches": "查看与该解决方案匹配的需求",
        "filter": "筛选",
        "interested": "有意向",
        "introductions": "对接意向",
        "workspace": "我的工作台",
        "attend": "我将参加",
        "save": "保存",
        "my_events": "我的活动",
        "download": "下载（.ics）",
        "budget": "万元",
        "filed": "已填备案号（待核验）",
        "request": "发起洽谈邀约",
        "send_request": "发送邀约",
    },
    "en": {
        "lang": "en",
        "post": "Post a solution",
        "draft": "Save as draft",
        "submit": "Submit for review",
        "draft_badge": "Draft",
        "review_badge": "Under review",
        "matched_needs": "Matched needs",
        "my_solutions": "My solutions",
        "see_matches": "See the needs matched to this solution",
        "filter": "Filter",
        "interested": "Interested",
        "introductions": "Introductions",
        "workspace": "My workspace",
        "attend": "I will attend",
        "save": "Save",
        "my_events": "My events",
        "download": "Download (.ics)",
        "budget": "CNY 2M–3M",
        "filed": "Filed (not yet checked)",
        "request": "Request a meeting",
        "send_request": "Send the request",
    },
}


@pytest.fixture
def programme():
    """A published stamping need and a hospital need; an open event the provider is
    invited to (not yet emailed), where the stamping enterprise is registered."""
    staff = StaffFactory(email="office@example.com")
    enterprise = OrganizationFactory(
        name="上海漕河泾精密制造有限公司", name_en="Caohejing Precision"
    )
    enterprise_user = member_of(enterprise, email="zhou@caohejing.example.com")
    need = NeedFactory(
        organization=enterprise,
        title="冲压件表面缺陷视觉检测",
        summary="冲压件划痕、凹坑在线检测，替代人工目检，需私有化部署。",
        budget_min=200,
        budget_max=300,
        contact_phone=NEED_PHONE,
    )
    NeedFactory(
        title="门诊电子病历内涵质控",
        summary="电子病历书写质量与内涵质控。",
        industry=Industry.objects.get(code="healthcare"),
        capabilities=["text_generation"],
    )
    provider = ProviderFactory(name="上海书衡智能科技有限公司", name_en="Shuheng AI")
    provider_user = member_of(provider, email=PROVIDER_EMAIL, language="zh-hans")
    event = EventFactory(
        title_zh="大模型+工业制造 供需对接会 · 视觉质检专场",
        title_en="AI+ Manufacturing docking event · Visual inspection",
        date=in_days(30),
    )
    RegistrationFactory(event=event, organization=enterprise)
    RegistrationFactory(invited=True, event=event, organization=provider, side="provider")
    return {
        "staff": staff,
        "enterprise_user": enterprise_user,
        "need": need,
        "provider": provider,
        "provider_user": provider_user,
        "event": event,
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_provider_journey(celery_worker, page, programme, screenshot, language):
    text = TEXT[language]
    shot = lambda name: screenshot(page, name)  # noqa: E731

    # --- choose the language, sign in: the choice survives ------------------------------
    page.goto("/")
    if language == "en":
        switch_language(page, "en")
        expect(page.locator("h1")).to_have_text("AI large model+ scenario needs meet AI solutions")
    sign_in(page, PROVIDER_EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", text["lang"])
    assert User.objects.get(email=PROVIDER_EMAIL).language == language

    # --- nothing matched yet: the page says why and what to do --------------------------
    nav(page, text["matched_needs"])
    expect(page.locator("main .empty")).to_be_visible()
    page.locator("main .empty").get_by_role("link", name=text["post"], exact=True).click()

    # --- post a solution: a draft first, then submitted ----------------------------------
    page.locator("#id_title").fill("工业视觉质检大模型")
    manufacturing = Industry.objects.get(code="manufacturing")
    vision = Capability.objects.get(code="computer_vision")
    page.locator(f"input[name=industries][value='{manufacturing.pk}']").check()
    page.locator(f"input[name=capabilities][value='{vision.pk}']").check()
    page.locator("#id_summary").fill("冲压件、压铸件表面缺陷视觉检测，小样本训练，支持私有化部署。")
    page.locator("#id_description").fill("已在 60 余家制造企业落地，检出率 99.5% 以上。")
    page.get_by_role("button", name=text["draft"], exact=True).click()
    page.wait_for_url(re.compile(r"/my/solutions/\d+/$"))
    success_message(page)
    expect(page.locator(".page-head .badge")).to_have_text(text["draft_badge"])
    solution = Solution.objects.get()
    assert solution.status == "draft"

    page.locator(f"a[href='/my/solutions/{solution.pk}/edit/']").click()
    page.locator("input[name=deployment_modes][value='on_premise']").check()
    page.locator("input[name=deployment_modes][value='edge']").check()
    page.locator("#id_maturity").select_option("product")
    page.locator("#id_base_model").fill("书衡视觉 2.0")
    page.locator("#id_filing_number").fill(FILING_NUMBER)
    page.locator("#id_price_min").fill("30")
    page.locator("#id_price_max").fill("150")
    page.locator("#id_contact_name").fill("陈博士")
    page.locator("#id_contact_phone").fill("13900001111")
    assert page.locator("#id_title").input_value() == "工业视觉质检大模型"
    page.get_by_role("button", name=text["submit"], exact=True).click()
    page.wait_for_url(f"**/my/solutions/{solution.pk}/")
    success_message(page)
    expect(page.locator(".page-head .badge")).to_have_text(text["review_badge"])
    shot("solution-submitted")

    # --- the office publishes it; the worker matches it ----------------------------------
    staff = programme["staff"]
    assert (
        catalog_services.approve_records(
            by=staff, records=Solution.objects.filter(pk=solution.pk)
        ).done
        == 1
    )
    sent_email(PROVIDER_EMAIL, "review_decision")
    page.goto(f"/solutions/{solution.pk}/")
    expect(page.locator(".filing-badge", has_text=FILING_NUMBER)).to_have_text(
        f"{text['filed']} · {FILING_NUMBER}"
    )
    nav(page, text["my_solutions"])
    page.get_by_role("link", name="工业视觉质检大模型").click()
    page.get_by_role("link", name=text["see_matches"], exact=True).click()
    reload_until(page, "#matches li[data-need]")
    need = programme["need"]
    card = page.locator(f"#matches li[data-need='{need.pk}']")
    expect(card).to_contain_text(text["budget"])
    expect(
        card.locator("[data-component='capabilities'], [data-component='industry']")
    ).to_have_count(2)
    expect(card.locator(".terms mark").first).to_be_visible()
    shot("matched-needs")

    # --- filter; the filters come back next time, and can be cleared ---------------------
    page.locator("#id_industry").select_option("manufacturing")
    page.locator("#id_min_score").fill("10")
    page.get_by_role("button", name=text["filter"], exact=True).click()
    page.wait_for_url(re.compile(r"industry=manufacturing"))
    expect(page.locator("#matches li[data-need]")).to_have_count(1)
    nav(page, text["workspace"])
    nav(page, text["matched_needs"])
    expect(page.locator("#filters-restored")).to_be_visible()
    assert page.locator("#id_industry").evaluate(
        "s => [...s.selectedOptions].map(o => o.value)"
    ) == ["manufacturing"]
    assert page.locator("#id_min_score").input_value() == "10"
    expect(page.locator("#matches li[data-need]")).to_have_count(1)
    shot("matched-needs-restored")
    page.locator("#filters-restored a").click()
    page.wait_for_url(re.compile(r"/matches/needs/$"))
    expect(page.locator("#filters-restored")).to_have_count(0)
    assert page.locator("#id_min_score").input_value() == ""

    # --- interest; the enterprise agrees; contact details ------------------------------
    card = page.locator(f"#matches li[data-need='{need.pk}']")
    card.get_by_role("button", name=text["interested"], exact=True).click()
    success_message(page)
    enterprise_user = programme["enterprise_user"]
    sent_email(enterprise_user.email, "interest_received")
    interest_services.respond(by=enterprise_user, interest=Interest.objects.get(), accept=True)
    sent_email(PROVIDER_EMAIL, "interest_accepted")
    nav(page, text["introductions"])
    expect(page.locator("#accepted")).to_contain_text(NEED_PHONE)
    shot("introductions")

    # --- the invitation email, the personal RSVP page, a blocked slot -------------------
    event = programme["event"]
    assert registration_services.send_invitations(event, by=staff) == 1
    invitation = sent_email(PROVIDER_EMAIL, "event_invitation")
    assert (event.title_en if language == "en" else event.title_zh) in invitation.subject
    page.goto(path_in(invitation, r"/events/rsvp/[\w-]+/"))
    page.locator("#id_attendees").fill("陈博士, 刘工")
    page.get_by_role("button", name=text["attend"], exact=True).click()
    success_message(page)
    registration = Registration.objects.get(event=event, organization=programme["provider"])
    assert (registration.status, registration.attendees) == ("registered", "陈博士, 刘工")
    page.locator("#availability input[name=slots][value='0']").check()
    page.locator("#availability").get_by_role("button", name=text["save"], exact=True).click()
    success_message(page)
    assert list(registration.unavailable_slots.values_list("slot", flat=True)) == [0]
    shot("rsvp")

    # --- on the event page the provider asks the enterprise for a meeting; it agrees ----
    enterprise = need.organization
    enterprise_name = enterprise.name_en if language == "en" else enterprise.name
    nav(page, text["my_events"])
    page.locator("#upcoming").get_by_role("link").first.click()
    suggestion = page.locator("#suggestion-list > li", has_text=enterprise_name)
    suggestion.get_by_text(text["request"], exact=True).click()
    suggestion.locator("textarea").fill("可现场演示冲压件缺陷检测，希望了解产线节拍。")
    suggestion.get_by_role("button", name=text["send_request"], exact=True).click()
    assert enterprise_name in success_message(page)
    sent_email(enterprise_user.email, "event_meeting_request")
    request_services.answer_request(
        request=MeetingRequest.objects.get(event=event), accept=True, by=enterprise_user
    )
    assert MeetingRequest.objects.get().requested_by_side == "provider"

    # --- the office builds (worker) and sends the schedule ------------------------------
    schedule_services.build_schedule(event, by=staff)
    wait_for(
        lambda: Event.objects.filter(pk=event.pk, schedule_status="built").exists(),
        what="the schedule",
    )
    schedule_services.send_schedules(Event.objects.get(pk=event.pk), by=staff)
    reload_until(page, "#meetings > li")
    meeting = page.locator("#meetings > li")
    expect(meeting).to_have_count(1)
    expect(meeting).to_contain_text(enterprise_name)
    assert "13:30–13:50" not in meeting.inner_text()  # the blocked first slot
    with page.expect_download() as download:
        page.get_by_role("link", name=text["download"], exact=True).click()
    assert download.value.path().read_text(encoding="utf-8").count("BEGIN:VEVENT") == 1
    shot("schedule")
    schedule_email = sent_email(PROVIDER_EMAIL, "event_schedule")
    assert (event.title_en if language == "en" else event.title_zh) in schedule_email.subject
    assert OutgoingEmail.objects.filter(status="failed").count() == 0
