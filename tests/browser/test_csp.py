"""Under the Content-Security-Policy, the pages' scripts still run and nothing is blocked.

The access matrix (tests/security/test_access_matrix.py) checks every HTML answer for
the header and for inline code; this opens the pages with scripts of their own in
Chromium, which enforces the policy, and records every violation the browser reports
and every script error — a blocked script would show as one or the other, or as a
widget that no longer works (checked below where a page has one).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

from events.models import Event
from tests.browser.journey import sign_in
from tests.factories import EventFactory, SeasonFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
window.print = () => { window.__printed = true; };
"""


@pytest.fixture
def watched(page):
    """The page, with the policy violations and script errors of each load recorded."""
    page.context.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.errors = errors
    return page


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp")
    assert (url, violations, page.errors) == (url, [], [])


@pytest.fixture
def event():
    return EventFactory(short=True, season=SeasonFactory(), status=Event.Status.SCHEDULED)


def test_the_site_and_the_api_pages_run_under_the_policy(watched):
    visit(watched, reverse("home"))
    visit(watched, reverse("login"))
    visit(watched, reverse("api-docs"))

    expect(watched.locator(".swagger-ui .info .title")).to_be_visible()
    visit(watched, "/api/v1/")  # the browsable API (the browser asks for HTML)
    expect(watched.locator(".response-info")).to_be_visible()


def test_the_staff_pages_run_under_the_policy(watched, event):
    staff = StaffFactory()
    sign_in(watched, staff.email)

    visit(watched, reverse("dashboard"))
    expect(watched.locator("canvas").first).to_be_visible()
    visit(watched, reverse("event-check-in", args=[event.pk]))
    visit(watched, reverse("admin:index"))
    visit(watched, reverse("admin:events_event_change", args=[event.pk]))
    visit(watched, reverse("admin:matchmaking_need_changelist"))


def test_the_print_button_prints(watched, event):
    sign_in(watched, StaffFactory().email)

    visit(watched, reverse("admin:events_event_print", args=[event.pk]))
    watched.locator("[data-print]").click()

    assert watched.evaluate("window.__printed") is True


def test_the_periodic_task_form_explains_the_chosen_crontab(watched):
    crontab = CrontabSchedule.objects.create(minute="30", hour="3")
    sign_in(watched, StaffFactory().email)

    visit(watched, reverse("admin:django_celery_beat_periodictask_add"))
    watched.locator("#id_crontab").select_option(str(crontab.pk))

    expect(watched.locator(".field-crontab .help")).to_contain_text("03:30")
    assert watched.evaluate("window.__csp") == []
