"""In Chromium: staff scan an RSVP code at the door and finish the event in admin, a
participant rates the meeting, and the programme dashboard counts it."""

from __future__ import annotations

import pytest

from events.models import Event, Meeting, Outcome, Registration
from tests.factories import (
    DEFAULT_PASSWORD,
    EventFactory,
    MeetingFactory,
    OrganizationFactory,
    RegistrationFactory,
    StaffFactory,
    member_of,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_event_day"),
]


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/workspace/")


def test_check_in_finish_feedback_and_dashboard(page, browser, live_server):
    staff = StaffFactory(email="office@example.com")
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    enterprise = RegistrationFactory(
        event=event, organization=OrganizationFactory(name="上海漕河泾精密制造有限公司")
    )
    provider = RegistrationFactory(provider=True, event=event)
    RegistrationFactory(event=event, organization=OrganizationFactory(name="上海另一家制造公司"))
    meeting = MeetingFactory(
        event=event, enterprise=enterprise.organization, provider=provider.organization, slot=0
    )
    participant = member_of(enterprise.organization, email="zhou@example.com")

    # Staff at the door: the scanner types the code and presses Enter.
    sign_in(page, staff.email)
    page.goto(f"/events/{event.pk}/check-in/")
    page.locator("#id_token").fill(enterprise.rsvp_token)
    page.locator("#id_token").press("Enter")
    page.wait_for_selector(".messages .success")
    page.locator(f"#registration-{provider.pk} button[value=check_in]").click()
    page.wait_for_selector(f"#registration-{provider.pk} button[value=undo]")
    # Typing filters the list at once.
    page.locator("#id_q").fill("另一家")
    assert page.locator(f"#registration-{enterprise.pk}").is_hidden()
    assert set(event.registrations.values_list("status", flat=True)) == {
        Registration.Status.CHECKED_IN,
        Registration.Status.REGISTERED,
    }

    # Staff finish the event in admin.
    page.goto("/admin/events/event/")
    page.locator(f"input[name=_selected_action][value='{event.pk}']").check()
    page.locator("select[name=action]").select_option("finish_selected")
    page.locator("button[name=index]").click()
    page.locator("#confirm-submit").click()  # finishing asks first
    page.wait_for_selector(".messagelist .success")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD

    # The participant rates the meeting on a phone.
    phone = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 375, "height": 800}
    )
    mobile = phone.new_page()
    sign_in(mobile, participant.email)
    mobile.goto(f"/events/{event.pk}/feedback/")
    mobile.locator(f"#id_m{meeting.pk}-rating_4").check()
    mobile.locator(f"#id_m{meeting.pk}-next_step").select_option("pilot")
    mobile.locator(f"#id_m{meeting.pk}-deal_value").fill("120")
    mobile.locator("main form[method=post] button[type=submit]").click()
    mobile.wait_for_selector(".messages .success")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    phone.close()
    assert list(Outcome.objects.values_list("rating", "next_step", "deal_value")) == [
        (5, "pilot", 120)
    ]

    # The dashboard counts it.
    page.goto(f"/dashboard/?season={event.season_id}")
    funnel = page.locator("#funnel-table tbody tr")
    assert [funnel.nth(i).locator("td").first.inner_text() for i in range(5)] == [
        "1",
        "1",
        "1",
        "1",
        "0",
    ]
    assert page.locator("#domain-table").inner_text().count("120") == 1
