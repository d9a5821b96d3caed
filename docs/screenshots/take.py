"""Take the README's screenshots of the demo site (docs/screenshots/*.png).

Re-run on a scratch database, never the real one (the script submits one need and
opens the review form in admin, so it changes the data it looks at):

    # from the repository root
    unset REDIS_URL                     # Celery runs tasks eagerly, in-process
    export DJANGO_DEBUG=1 DATABASE_URL=sqlite:////tmp/shots/db.sqlite3 \
           MEDIA_ROOT=/tmp/shots/media
    rm -rf /tmp/shots && mkdir -p /tmp/shots
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8765 --noreload &
    .venv/bin/python docs/screenshots/take.py   # [--base http://127.0.0.1:8765]
    kill %1

Needs Playwright (requirements-dev.txt) and Debian's chromium with fonts-noto-cjk.
Desktop pages are 1280 x 800 viewport shots, phone pages 375 x 812.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
# The accounts seed_demo creates (local demo only).
STAFF = ("admin@example.com", "aiplus-admin-2026")
ENTERPRISE = ("enterprise@example.com", "aiplus-demo-2026")
PROVIDER = ("provider@example.com", "aiplus-demo-2026")
RANKED_NEED = "CNC 精密结构件外观缺陷视觉检测"
SCHEDULED_EVENT = "大模型+跨行业 供需对接会 · 数据分析与预测专场"


def shot(page: Page, name: str, anchor: str | None = None) -> None:
    """Save the viewport, scrolled so that `anchor` (a CSS selector) is at the top."""
    if anchor:
        page.locator(anchor).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(150)
    page.screenshot(path=OUT / f"{name}.png")
    sys.stdout.write(f"  {name}.png  {page.url}\n")


def sign_in(page: Page, account: tuple[str, str]) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(account[0])
    page.locator("input[name=password]").fill(account[1])
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/workspace/")


def open_page(browser, base: str, viewport: dict, language: str = "zh-hans") -> Page:
    phone = viewport is PHONE
    context = browser.new_context(
        base_url=base, viewport=viewport, is_mobile=phone, has_touch=phone, locale="zh-CN"
    )
    context.add_cookies([{"name": "aiplus_language", "value": language, "url": base}])
    context.set_default_timeout(20_000)
    return context.new_page()


def scheduled_event(page: Page) -> None:
    page.goto("/events/mine/")
    page.locator(f"#upcoming a:has-text('{SCHEDULED_EVENT}')").first.click()
    page.wait_for_load_state()


def desktop_zh(browser, base: str) -> None:
    page = open_page(browser, base, DESKTOP)
    page.goto("/")
    shot(page, "home-zh")
    page.goto("/needs/")
    shot(page, "needs-catalog-zh")
    page.locator("main a[href^='/needs/']").first.click()
    shot(page, "need-detail-zh")
    page.goto("/organizations/?q=质检")
    shot(page, "organizations-zh")

    sign_in(page, ENTERPRISE)
    shot(page, "enterprise-workspace")
    page.goto("/my/needs/")
    shot(page, "enterprise-my-needs")
    page.get_by_role("link", name=RANKED_NEED).first.click()
    shot(page, "enterprise-ranked-solutions", "#ranked-solutions")
    scheduled_event(page)
    shot(page, "event-schedule", "#schedule")
    # A new need, submitted for review: the office reviews it below.
    page.goto("/my/needs/new/")
    page.locator("#id_title").fill("五轴加工中心刀具磨损预测")
    page.locator("#id_industry").select_option(index=1)
    page.locator("input[name=capabilities]").first.check()
    page.locator("#id_summary").fill("根据主轴电流与振动数据预测刀具剩余寿命，减少断刀停机。")
    page.locator("#id_description").fill("12 台五轴加工中心，已有 PLC 数据采集，需私有化部署。")
    page.locator("#id_deployment").select_option("on_premise")
    page.locator("#id_budget_min").fill("50")
    page.locator("#id_budget_max").fill("120")
    page.locator("#id_contact_name").fill("周工")
    page.locator("#id_contact_phone").fill("13877776666")
    page.locator("#id_contact_email").fill(ENTERPRISE[0])
    shot(page, "enterprise-need-form")
    page.locator("main button[name=action][value=submit]").click()
    page.wait_for_url("**/my/needs/*/")
    shot(page, "enterprise-need-submitted")

    sign_in(page, PROVIDER)
    page.goto("/matches/needs/?clear=1")
    page.goto("/matches/needs/?min_score=30")
    shot(page, "provider-matched-needs")
    page.goto("/interests/")
    shot(page, "provider-introductions")
    page.goto("/my/solutions/")
    shot(page, "provider-my-solutions")

    sign_in(page, STAFF)
    page.goto("/dashboard/")
    shot(page, "staff-dashboard")
    page.goto("/admin/")
    shot(page, "admin-index")
    # Fold admin's model sidebar away: at 1280 px it squeezes the change lists.
    page.evaluate("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    page.goto("/admin/matchmaking/need/?status__exact=submitted")
    shot(page, "admin-review-needs")
    page.locator("#result_list input.action-select").first.check()
    page.locator("select[name=action]").select_option("reject_selected")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    page.locator("textarea[name=reason], #id_reason").first.fill(
        "请补充现有数据规模与验收指标（如预测准确率）。"
    )
    shot(page, "admin-reject-with-reason")
    page.goto("/admin/matchmaking/matchrun/")
    shot(page, "admin-match-runs")
    page.goto("/admin/events/event/")
    shot(page, "admin-events")
    page.context.close()


def switch_language(page: Page, language: str) -> None:
    """Press EN or 中文 in the header (signed in, this saves the person's preference)."""
    page.locator(f".lang-switch button[value='{language}']").click()
    page.wait_for_load_state()


def desktop_en(browser, base: str) -> None:
    page = open_page(browser, base, DESKTOP, language="en")
    page.goto("/")
    shot(page, "home-en")
    page.goto("/organizations/?q=medical+imaging")
    shot(page, "organizations-en")
    for account, path, name, anchor in (
        (PROVIDER, "/matches/needs/", "provider-matched-needs-en", None),
        (ENTERPRISE, None, "event-schedule-en", "#schedule"),
    ):
        sign_in(page, account)
        if path:
            page.goto(path)
        else:
            scheduled_event(page)
        switch_language(page, "en")  # back on the same page, in English
        shot(page, name, anchor)
        switch_language(page, "zh-hans")  # leave the demo account's preference as it was
    page.context.close()


def phone_zh(browser, base: str) -> None:
    page = open_page(browser, base, PHONE)
    page.goto("/")
    shot(page, "phone-home")
    page.goto("/organizations/")
    shot(page, "phone-organizations")
    sign_in(page, ENTERPRISE)
    page.goto("/my/needs/")
    page.get_by_role("link", name=RANKED_NEED).first.click()
    shot(page, "phone-ranked-solutions", "#ranked-solutions")
    scheduled_event(page)
    shot(page, "phone-event-schedule", "#schedule")
    page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    base = parser.parse_args().base.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for take in (desktop_zh, desktop_en, phone_zh):
            sys.stdout.write(f"{take.__name__}\n")
            take(browser, base)
        browser.close()


if __name__ == "__main__":
    main()
