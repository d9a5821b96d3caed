"""In Chromium: a visitor finds an organization in the directory, on a phone and on a
desktop, in Chinese and in English, and opens its page (no contact on it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.models import Organization
from tests.browser.journey import PHONE, assert_fits, open_menu
from tests.factories import NeedFactory, OrganizationFactory, SolutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
CONTACT_EMAIL = "li.boshi@voice.example"


@pytest.fixture
def directory():
    maker = OrganizationFactory(
        name="华东精密铸造有限公司",
        name_en="East China Precision Casting",
        verified=True,
        description="汽车铸件与冲压件制造，正在寻找缺陷检测方案。",
    )
    NeedFactory(organization=maker, title="铸件表面缺陷视觉检测")
    voice = OrganizationFactory(
        name="声语智能科技有限公司",
        name_en="Shengyu Voice AI",
        kind=Organization.Kind.PROVIDER,
        verified=True,
        description="",
    )
    SolutionFactory(
        organization=voice,
        title="客服通话录音分析平台",
        summary="通话转写、情绪识别与服务质检。",
        description="支持方言与多人通话。",
        capabilities=["speech"],
        industries=["retail"],
        contact_email=CONTACT_EMAIL,
    )
    return {"maker": maker, "voice": voice}


def open_directory(browser, live_server, *, language: str, viewport: dict):
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALES[language], viewport=viewport
    )
    context.add_cookies([{"name": "aiplus_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto("/")
    open_menu(page)
    page.locator("#site-nav").get_by_role(
        "link", name="参与机构" if language == "zh-hans" else "Organizations", exact=True
    ).click()
    page.wait_for_url("**/organizations/")
    return context, page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_phone_shows_results_first_and_filters_behind_a_button(
    browser, live_server, screenshot, directory, language
):
    context, page = open_directory(browser, live_server, language=language, viewport=PHONE)
    filters = page.locator("details.filters")
    results = page.locator("section ul.list")
    expect(results.locator("li h3")).to_have_count(2)
    assert filters.get_attribute("open") is None  # folded: the results come first
    assert page.locator("#id_capability").is_visible() is False
    assert_fits(page)
    screenshot(page, f"{language}-phone")

    filters.locator("summary").click()
    page.locator(
        "#id_capability label", has_text="语音" if language == "zh-hans" else "Speech"
    ).click()
    screenshot(page, f"{language}-phone-filters")
    page.locator("details.filters button[type=submit]").click()
    page.wait_for_load_state()
    expect(results.locator("li h3")).to_have_count(1)
    name = "声语智能科技有限公司" if language == "zh-hans" else "Shengyu Voice AI"
    expect(results.locator("li h3")).to_have_text(name)
    assert_fits(page)
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_desktop_search_across_languages_and_open_an_organization(
    browser, live_server, screenshot, directory, language
):
    context, page = open_directory(browser, live_server, language=language, viewport=DESKTOP)
    assert page.locator("details.filters").get_attribute("open") is not None
    screenshot(page, f"{language}-desktop")

    # The capability's label in the other language finds the provider through its solution.
    page.locator("#id_q").fill("speech" if language == "zh-hans" else "语音")
    page.locator("details.filters button[type=submit]").click()
    page.wait_for_load_state()
    cards = page.locator("section ul.list > li")
    expect(cards).to_have_count(1)
    expect(cards.locator(".snippet a")).to_have_text("客服通话录音分析平台")
    screenshot(page, f"{language}-desktop-search")

    page.locator("#id_q").fill("defect detection")
    page.locator("details.filters button[type=submit]").click()
    page.wait_for_load_state()
    expect(cards).to_have_count(1)
    expect(cards.locator("mark").first).to_have_text("缺陷检测")

    cards.locator("h3 a").click()
    page.wait_for_url(f"**/organizations/{directory['maker'].pk}/")
    expect(page.locator("h1")).to_have_text(
        "华东精密铸造有限公司" if language == "zh-hans" else "East China Precision Casting"
    )
    expect(page.get_by_role("link", name="铸件表面缺陷视觉检测")).to_be_visible()
    assert CONTACT_EMAIL not in page.content()
    assert_fits(page)
    screenshot(page, f"{language}-desktop-detail")

    page.set_viewport_size(PHONE)
    page.goto(f"/organizations/{directory['voice'].pk}/")
    assert CONTACT_EMAIL not in page.content()
    assert_fits(page)
    screenshot(page, f"{language}-phone-detail")
    context.close()
