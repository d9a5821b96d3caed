"""In Chromium: an enterprise that does not speak AI describes its problem in plain words.

It is not sure which AI capability it needs: the form suggests capabilities from what it
writes, each with the words that pointed to it; it accepts one and submits. Once the
office has published the need and matching has run, the ranked solutions say that the
capability was inferred from the description.
"""

import re

import pytest
from playwright.sync_api import expect

from matchmaking.models import Need
from matchmaking.services import catalog as catalog_services
from matchmaking.services import matching
from tests.factories import (
    DEFAULT_PASSWORD,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workspace/")


def test_plain_words_suggest_a_capability_that_the_match_explains(page, screenshot):
    vision = SolutionFactory(
        organization=ProviderFactory(name="上海书衡智能科技有限公司"),
        title="工业视觉质检平台",
        summary="产线外观缺陷自动检测：划痕、毛刺、磕碰，替代人工目检。",
        description="基于视觉大模型，小样本快速换型，支持私有化部署。",
        industries=["manufacturing"],
        capabilities=["computer_vision"],
    )
    SolutionFactory(
        organization=ProviderFactory(name="上海某智能体科技有限公司"),
        title="企业智能体平台",
        summary="自动办理审批流程的办公助手。",
        description="连接企业系统，自动处理报销与审批。",
        industries=["manufacturing"],
        capabilities=["agent"],
    )
    enterprise = member_of(OrganizationFactory(name="上海某五金制品厂"), email="li@example.com")

    sign_in(page, enterprise.email)
    page.goto("/my/needs/new/")
    page.locator("#id_title").fill("零件好坏全靠老师傅眼睛看")
    page.locator("#id_industry").select_option(label="工业制造")
    page.locator("#id_summary").fill("冲压件表面有没有划痕、毛刺，全靠老师傅肉眼一件件看。")
    page.locator("#id_description").fill("一天几万件，看久了眼睛累，坏件漏到客户那里要罚款。")

    chips = page.locator("#capability-suggestions .suggestion")
    vision_chip = chips.filter(has_text="视觉检测与识别")
    expect(vision_chip).to_be_visible()
    expect(vision_chip.locator(".reason")).to_contain_text("因为提到：")
    expect(vision_chip.locator(".reason")).to_contain_text("划痕")
    screenshot(page, "suggested")
    page.get_by_label("不确定需要哪种AI能力").check()
    vision_chip.get_by_role("button", name="接受").click()
    expect(page.get_by_label("视觉检测与识别")).to_be_checked()
    expect(vision_chip.locator(".badge.ok")).to_have_text("已接受")

    page.locator("#id_contact_name").fill("李工")
    page.locator("#id_contact_phone").fill("13877776666")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(re.compile(r"/my/needs/\d+/$"))
    need = Need.objects.get()
    assert need.status == "submitted"
    assert need.capabilities_unsure
    assert [c.code for c in need.capabilities.all()] == ["computer_vision"]

    staff = StaffFactory()
    catalog_services.approve_records(by=staff, records=Need.objects.filter(pk=need.pk))
    matching.run_full_in_process(matching.start_full_run(by=staff).pk)
    page.reload()

    ranked = page.locator("#ranked-solutions li[data-solution]")
    expect(ranked.first).to_have_attribute("data-solution", str(vision.pk))
    expect(ranked.first.locator("[data-component='capabilities_inferred']")).to_have_text(
        "能力按描述推断"
    )
    expect(ranked.first.locator("[data-component='capabilities']")).to_contain_text("100%")
    screenshot(page, "ranked")
