"""Helpers of the user-journey tests: sign in, switch language, wait for the worker.

The journeys run against the live server with a real Celery worker process: what the
worker does (matching, emails, planning, schedules) is awaited by polling the database
or by reloading the page until it shows the result, never by sleeping blindly.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from core.models import OutgoingEmail
from tests import helpers
from tests.factories import DEFAULT_PASSWORD

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
# Background work on a loaded test machine: generous, and only reached on failure.
WORKER_TIMEOUT = 60.0


def wait_for(predicate: Callable[[], object], *, timeout: float = WORKER_TIMEOUT, what: str = ""):
    """Poll `predicate` (a database read) until it returns something truthy; return it,
    or fail the journey with what it waited for."""
    result = helpers.wait_for(predicate, timeout=timeout)
    if not result:
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
    return result


def reload_until(page: Page, selector: str, *, timeout: float = WORKER_TIMEOUT) -> None:
    """Reload the page until `selector` is on it (the worker's result has arrived)."""
    deadline = time.monotonic() + timeout
    while page.locator(selector).count() == 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {selector}")
        page.wait_for_timeout(250)
        page.reload()


def sent_email(to: str, kind: str) -> OutgoingEmail:
    """The email of `kind` to `to`, once the worker has sent it."""
    return wait_for(
        lambda: OutgoingEmail.objects.filter(to=to, kind=kind, status="sent").first(),
        what=f"the {kind} email to {to}",
    )


def path_in(email: OutgoingEmail, pattern: str) -> str:
    """The site path of the first link in the email's text matching `pattern`."""
    match = re.search(r"https?://[^/\s]+(" + pattern + r")", email.body_text)
    assert match, email.body_text
    return match.group(1)


def open_menu(page: Page) -> None:
    """On a phone the navigation sits behind the menu button."""
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def nav(page: Page, name: str) -> None:
    """Follow a link of the header's navigation, as a person would (menu on a phone)."""
    open_menu(page)
    page.locator("#site-nav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def switch_language(page: Page, language: str) -> None:
    """Press 中文 or EN in the header."""
    open_menu(page)
    page.locator(f".lang-switch button[value='{language}']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en" if language == "en" else "zh-CN")


def sign_in(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/workspace/")


def sign_out(page: Page) -> None:
    open_menu(page)
    page.locator("#site-nav form[action$='/logout/'] button").click()
    page.wait_for_load_state()


def success_message(page: Page) -> str:
    message = page.locator(".messages .success")
    expect(message).to_be_visible()
    return message.inner_text()


def assert_fits(page: Page) -> None:
    """Nothing sticks out sideways: the page is usable at the viewport's width."""
    width = page.viewport_size["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} is {overflow}px wide on a {width}px screen"
