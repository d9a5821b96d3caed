"""In Chromium, in Chinese and English, on a desktop and a phone: an event dated next
month refuses start, finish and no-shows (the confirmation page says why and offers
the audited override); a participant's event page and schedule email carry the
check-in code and its QR, and the check-in page reads that QR and checks them in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from core.models import OutgoingEmail
from events.models import Event, Registration
from events.services import day, notifications
from tests.factories import (
    DEFAULT_PASSWORD,
    EventFactory,
    MeetingFactory,
    OrganizationFactory,
    RegistrationFactory,
    StaffFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1366, "height": 900}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
CODES = {"zh": "zh-hans", "en": "en"}  # the site's language codes


def open_as(browser, live_server, email: str, *, language: str, viewport: dict):
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALES[language], viewport=viewport
    )
    # The site speaks Chinese unless the visitor chose otherwise (the language cookie).
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": CODES[language], "url": live_server.url}]
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/workspace/")
    return context, page


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def choose_action(page, action: str, pk: int) -> None:
    page.locator(f"input[name=_selected_action][value='{pk}']").check()
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_event_next_month_refuses_start_finish_and_no_shows(
    browser, live_server, screenshot, language
):
    staff = StaffFactory(email=f"office-{language}@example.com", language=CODES[language])
    event = EventFactory(scheduled=True, date=day.local_date() + dt.timedelta(days=35))
    absent = RegistrationFactory(event=event)
    context, page = open_as(browser, live_server, staff.email, language=language, viewport=DESKTOP)

    for action, status in [
        ("start_selected", Event.Status.SCHEDULED),
        ("finish_selected", Event.Status.RUNNING),
        ("mark_no_shows", Event.Status.RUNNING),
    ]:
        Event.objects.filter(pk=event.pk).update(status=status)
        page.goto("/admin/events/event/")
        choose_action(page, action, event.pk)
        # The confirmation page names the event's day and offers the override.
        page.locator("#confirm-items .early-warning").wait_for()
        assert event.date.isoformat() in page.locator("#confirm-items").inner_text()
        assert page.locator("#id_override").is_visible()
        screenshot(page, f"{language}-{action}-confirm")
        page.locator("#confirm-submit").click()  # without ticking the override
        error = page.locator(".messagelist .error").first
        error.wait_for()
        assert event.date.isoformat() in error.inner_text()
        event.refresh_from_db()
        absent.refresh_from_db()
        assert (event.status, absent.status) == (status, Registration.Status.REGISTERED)
    screenshot(page, f"{language}-refused")
    context.close()

    # On a phone, the check-in page says check-in opens on the day, and asks first.
    context, phone = open_as(browser, live_server, staff.email, language=language, viewport=PHONE)
    phone.goto(f"/events/{event.pk}/check-in/")
    assert event.date.isoformat() in phone.locator("#early-banner").inner_text()
    fits(phone, PHONE["width"])
    screenshot(phone, f"{language}-check-in-before-the-day-phone")
    context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_participant_has_the_check_in_code_and_the_door_reads_its_qr(
    browser, live_server, screenshot, language
):
    event = EventFactory(
        scheduled=True,
        date=day.local_date(),
        start_time=dt.time(0, 0),
        end_time=dt.time(23, 40),
    )
    registration = RegistrationFactory(
        event=event, organization=OrganizationFactory(name="上海漕河泾精密制造有限公司")
    )
    provider = RegistrationFactory(event=event, provider=True)
    MeetingFactory(
        event=event, enterprise=registration.organization, provider=provider.organization, slot=1
    )
    participant = member_of(
        registration.organization, email=f"zhou-{language}@example.com", language=CODES[language]
    )
    staff = StaffFactory(email=f"door-{language}@example.com", language=CODES[language])
    code = registration.check_in_code_display

    # The schedule email carries the code, its QR (attached PNG) and the .ics.
    notifications.email_schedules(event)
    email = OutgoingEmail.objects.get(to=participant.email, kind="event_schedule")
    assert code in email.body_text
    assert {a["filename"] for a in email.attachments} == {"schedule.ics", "check-in-code.png"}

    # The participant's event page, on a phone and on a desktop.
    qr_uri = None
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, page = open_as(
            browser, live_server, participant.email, language=language, viewport=viewport
        )
        page.goto(f"/events/{event.pk}/")
        assert page.locator("#check-in-code-text").inner_text().strip() == code
        qr = page.locator("#check-in-qr")
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
        qr_uri = qr.get_attribute("src")
        if name == "phone":
            fits(page, PHONE["width"])
        screenshot(page, f"{language}-event-page-{name}")
        page.locator("#printable-schedule-link").click()
        assert code in page.locator("#check-in-code-text").inner_text()
        screenshot(page, f"{language}-printable-{name}")
        context.close()

    # At the door: the check-in page reads the QR (with its camera scanner's library).
    context, door = open_as(browser, live_server, staff.email, language=language, viewport=DESKTOP)
    door.goto(f"/events/{event.pk}/check-in/")
    scanned = door.evaluate(
        """async (uri) => {
            const img = new Image();
            img.src = uri;
            await img.decode();
            const canvas = document.createElement("canvas");
            canvas.width = img.naturalWidth * 2;
            canvas.height = img.naturalHeight * 2;
            const context = canvas.getContext("2d");
            context.imageSmoothingEnabled = false;
            context.fillStyle = "#fff";
            context.fillRect(0, 0, canvas.width, canvas.height);
            context.drawImage(img, 0, 0, canvas.width, canvas.height);
            const data = context.getImageData(0, 0, canvas.width, canvas.height);
            const found = window.jsQR(data.data, data.width, data.height);
            return found && found.data;
        }""",
        qr_uri,
    )
    assert scanned == registration.check_in_code
    assert door.locator("#camera-start").is_visible() is door.evaluate(
        "!!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)"
    )
    door.locator("#id_token").fill(scanned)
    door.locator("#id_token").press("Enter")  # what a USB scanner does
    door.locator(".messages .success").wait_for()
    screenshot(door, f"{language}-checked-in")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CHECKED_IN
    context.close()
