"""In Chromium, in Chinese: staff open the oldest submission from the workbench,
approve it from its own page, the next one opens, and they return it with one of the
office's reasons and words of their own; then the list of what waits opens, empty."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matchmaking.models import Need, ReturnReason, Status
from tests.factories import (
    DEFAULT_PASSWORD,
    NeedFactory,
    OrganizationFactory,
    StaffFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def waiting(title: str, days: int) -> Need:
    author = member_of(OrganizationFactory())
    return NeedFactory(
        title=title,
        organization=author.primary_membership.organization,
        created_by=author,
        status=Status.SUBMITTED,
        published_at=None,
        submitted_at=timezone.now() - timedelta(days=days),
    )


def test_staff_review_the_queue_from_each_record_page(page, screenshot):
    oldest = waiting("质检报告自动生成", days=6)
    second = waiting("想用大模型提升效率", days=2)
    staff = StaffFactory(email="office@example.com")
    reason = ReturnReason.objects.get(title_zh="描述不够具体")

    page.goto("/admin/login/")
    page.get_by_label("邮箱").fill(staff.email)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    page.locator("#workbench-review-need").get_by_role("link", name=oldest.title).click()

    panel = page.locator("#review-panel")
    expect(panel).to_contain_text("另有 1 条等待")
    screenshot(page, "review-panel")
    panel.get_by_role("button", name="通过并发布").click()

    page.wait_for_url(f"**/admin/matchmaking/need/{second.pk}/change/")
    expect(page.locator(".messagelist .success")).to_contain_text(oldest.title)
    panel.get_by_label("描述不够具体").check()
    panel.get_by_label("补充说明").fill("请说明现有系统和数据规模。")
    panel.get_by_role("button", name="按所选理由退回").click()

    page.wait_for_url("**/admin/matchmaking/need/?status__exact=submitted")
    expect(page.locator(".messagelist")).to_contain_text("没有其他待审核的记录")
    oldest.refresh_from_db()
    second.refresh_from_db()
    assert oldest.status == Status.APPROVED
    assert second.status == Status.REJECTED
    assert second.review_note == f"{reason.text_zh}\n请说明现有系统和数据规模。"
