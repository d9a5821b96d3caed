"""In Chromium: a file chosen in the need form survives an error in another field.

A browser never fills a file input again, so the page shows the file as kept (ticked),
the member corrects the budget and saves, and the need has its attachment — on a phone
and on a desktop, in Chinese and in English.
"""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from matchmaking.models import Attachment
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_event_day import CODES, DESKTOP, LOCALES, PHONE, fits
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
WORDS = {
    "zh": {"chosen": "保留：需求说明书.pdf", "draft": "保存草稿"},
    "en": {"chosen": "Keep: 需求说明书.pdf", "draft": "Save as draft"},
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_chosen_file_is_kept_while_the_budget_is_corrected(
    browser, live_server, screenshot, language, device, viewport
):
    member = member_of(
        OrganizationFactory(kind="enterprise"),
        email=f"{language}-{device}@example.com",
        language=CODES[language],
    )
    context = browser.new_context(
        base_url=live_server.url, locale=LOCALES[language], viewport=viewport
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": CODES[language], "url": live_server.url}]
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(member.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/workspace/")

    page.goto("/my/needs/new/")
    page.locator("#id_title").fill("质检视觉方案征集")
    page.locator("#id_summary").fill("产线外观缺陷检测")
    page.locator("#id_budget_min").fill("50")
    page.locator("#id_budget_max").fill("10")  # upside down: the form comes back
    page.locator("#id_new_attachments").set_input_files(
        {"name": "需求说明书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=WORDS[language]["draft"]).click()

    kept = page.locator(".kept-upload")
    expect(kept).to_contain_text(WORDS[language]["chosen"])
    expect(kept.locator("input[type=checkbox]")).to_be_checked()
    kept.scroll_into_view_if_needed()
    fits(page, viewport["width"])
    screenshot(page, "kept")
    section = page.locator("fieldset").filter(has=kept)
    section.screenshot(path=str(SCREENSHOTS / f"kept-upload-{language}-{device}.png"))

    page.locator("#id_budget_max").fill("80")
    page.get_by_role("button", name=WORDS[language]["draft"]).click()
    page.wait_for_url(re.compile(r"/my/needs/\d+/$"))
    attachment = Attachment.objects.get()
    assert attachment.original_name == "需求说明书.pdf"
    expect(page.locator("body")).to_contain_text("需求说明书.pdf")
    context.close()
