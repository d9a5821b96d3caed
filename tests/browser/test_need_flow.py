"""In Chromium: an enterprise posts a need in Chinese, staff approves it, it is published."""

import pytest

from core.models import Capability, Industry
from matchmaking.models import Need
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, StaffFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACT_PHONE = "13877776666"
CONTACT_EMAIL = "zhou.gong@example.com"


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workspace/")


def test_post_need_fix_budget_error_approve_and_publish(page, screenshot):
    enterprise = member_of(
        OrganizationFactory(name="上海某精密制造有限公司"), email="zhou@example.com"
    )
    staff = StaffFactory(email="office@example.com")
    assert Industry.objects.filter(code="manufacturing").exists()
    assert Capability.objects.filter(code="computer_vision").exists()

    sign_in(page, enterprise.email)
    page.goto("/my/needs/new/")
    page.get_by_label("标题").fill("冲压件表面缺陷视觉检测")
    page.get_by_label("行业", exact=True).select_option(label="工业制造")
    page.get_by_label("视觉检测与识别").check()
    page.get_by_label("公开摘要").fill("冲压件划痕、凹坑在线检测，替代人工目检。")
    page.get_by_label("详细描述").fill("6 条产线，节拍 2 秒/件，需私有化部署。")
    page.get_by_label("预算下限").fill("200")
    page.get_by_label("预算上限").fill("50")
    page.get_by_label("联系人", exact=True).fill("周工")
    page.get_by_label("联系电话").fill(CONTACT_PHONE)
    page.get_by_label("联系邮箱").fill(CONTACT_EMAIL)
    page.get_by_role("button", name="提交审核").click()

    error = page.locator("#field-budget_max .errorlist")
    assert "不能低于" in error.inner_text()
    screenshot(page, "budget-error")
    assert page.get_by_label("标题").input_value() == "冲压件表面缺陷视觉检测"
    assert Need.objects.count() == 0

    page.get_by_label("预算上限").fill("300")
    page.get_by_label("视觉检测与识别").check()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url("**/my/needs/*/")
    need = Need.objects.get()
    assert need.status == "submitted"
    assert "审核中" in page.content()

    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.get_by_label("邮箱").fill(staff.email)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    page.goto("/admin/matchmaking/need/")
    page.locator(f"input[name=_selected_action][value='{need.pk}']").check()
    page.locator("select[name=action]").select_option("approve_selected")
    page.locator("button[name=index]").click()
    screenshot(page, "admin-approved")
    need.refresh_from_db()
    assert need.status == "approved"

    page.context.clear_cookies()
    page.goto("/needs/")
    assert "冲压件表面缺陷视觉检测" in page.content()
    page.get_by_role("link", name="冲压件表面缺陷视觉检测").click()
    body = page.content()
    screenshot(page, "public-detail")
    assert CONTACT_PHONE not in body
    assert CONTACT_EMAIL not in body
    assert page.locator("#contact-hidden").is_visible()
