"""axe-core on the main pages, in Chinese and in English: no serious or critical finding.

axe-core is vendored in tests/browser/vendor/ (MPL-2.0, see its LICENSE) and injected
into every page the test opens; nothing is fetched from a CDN. axe checks what a
machine can: colour contrast, names of links and buttons, form labels, landmarks,
the document language, ARIA use. Besides the pages as they load, it checks the
states a person meets on the way: a form sent back with errors, a success message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from events.models import Event
from events.services import feeds
from matchmaking.models import Interest
from matchmaking.services import interests as interest_services
from matchmaking.services import matching
from tests.browser.journey import DESKTOP, sign_in, switch_language
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    RegistrationFactory,
    SeasonFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def site():
    """A small programme: a matched need and solution, introduced, meeting at an event."""
    enterprise = OrganizationFactory(
        name="上海漕河泾精密制造有限公司", name_en="Caohejing Precision"
    )
    provider = ProviderFactory(name="上海书衡智能科技有限公司", name_en="Shuheng AI", verified=True)
    enterprise_user = member_of(enterprise, email="zhou@example.com")
    provider_user = member_of(provider, email="chen@example.com")
    need = NeedFactory(organization=enterprise, title="冲压件表面缺陷视觉检测")
    solution = SolutionFactory(organization=provider, title="工业视觉质检大模型")
    matching.start_full_run()  # runs in-process here (no broker)
    interest = interest_services.express_interest(by=provider_user, need=need, solution=solution)
    interest_services.respond(
        by=enterprise_user, interest=Interest.objects.get(pk=interest.pk), accept=True
    )
    event = EventFactory(short=True, season=SeasonFactory(), status=Event.Status.SCHEDULED)
    RegistrationFactory(event=event, organization=enterprise)
    RegistrationFactory(event=event, organization=provider, side="provider")
    MeetingFactory(
        request=MeetingRequestFactory(
            event=event, enterprise=enterprise, provider=provider, need=need, solution=solution
        )
    )
    feeds.calendar_feed_for(user=enterprise_user, organization=enterprise)
    return {
        "enterprise": enterprise_user,
        "provider": provider_user,
        "staff": StaffFactory(email="office@example.com"),
        "need": need,
        "solution": solution,
        "event": event,
    }


def pages_of(site) -> dict:
    """Who sees which page or state (None: a visitor who is not signed in)."""
    need, solution, event = site["need"], site["solution"], site["event"]
    return {
        None: [
            "/",
            "/needs/",
            "/solutions/",
            f"/needs/{need.pk}/",
            f"/solutions/{solution.pk}/",
            "/organizations/",
            "/organizations/?q=视觉检测",
            f"/organizations/{solution.organization_id}/",
            "/events/",
            f"/events/{event.pk}/",
            "/accounts/signup/",
            send_empty("/accounts/signup/"),
            "/accounts/login/",
        ],
        "enterprise": [
            "/workspace/",
            "/my/needs/",
            "/my/needs/new/",
            send_empty("/my/needs/new/"),
            save_draft,
            f"/my/needs/{need.pk}/",
            "/interests/",
            "/events/mine/",
            f"/events/{event.pk}/",
        ],
        "provider": [
            "/matches/needs/",
            "/my/solutions/",
            "/my/solutions/new/",
            "/interests/",
            f"/events/{event.pk}/",
        ],
        "staff": ["/dashboard/", f"/events/{event.pk}/check-in/"],
    }


def send_empty(path: str):
    """The form at `path`, sent back with its errors (the first submit button)."""

    def step(page) -> None:
        page.goto(path)
        page.locator("main form[method=post] button[type=submit]").first.click()
        page.wait_for_selector(".errorlist")

    step.label = f"{path} (with errors)"
    return step


def save_draft(page) -> None:
    """A need saved as a draft: the detail page with a success message."""
    page.goto("/my/needs/new/")
    page.locator("#id_title").fill("产线能耗预测")
    page.locator("button[value=draft]").click()
    page.wait_for_selector(".messages .success")


save_draft.label = "/my/needs/<new>/ (with a message)"


def findings(page, step) -> list[str]:
    if callable(step):
        step(page)
        label = step.label
    else:
        page.goto(step)
        label = step
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{label}: {violation['impact']} {violation['id']} ({violation['help']}) at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_main_pages_have_no_serious_accessibility_findings(browser, live_server, site, language):
    found: list[str] = []
    visited = 0
    for role, paths in pages_of(site).items():
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=DESKTOP)
        context.add_init_script(path=AXE)
        page = context.new_page()
        page.goto("/")
        if language == "en":
            switch_language(page, "en")
        if role is not None:
            sign_in(page, site[role].email)
        for step in paths:
            found += findings(page, step)
            assert page.locator("html").get_attribute("lang") == (
                "en" if language == "en" else "zh-CN"
            ), step
            visited += 1
        context.close()
    assert visited == 29
    assert found == []
