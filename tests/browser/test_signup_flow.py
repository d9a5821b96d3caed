"""In a real Chromium: sign up in the Chinese UI, verify the email, sign in."""

import re

import pytest
from django.core import mail

from core.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_verify_and_login_in_chinese(page, screenshot):
    page.goto("/accounts/signup/")
    assert page.locator("h1").inner_text() == "注册"

    page.get_by_label("邮箱").fill("zhang.wei@example.com")
    page.get_by_label("姓名").fill("张伟")
    page.locator("#id_password1").fill("Harbour-Lantern-Blue-42")
    page.locator("#id_password2").fill("Harbour-Lantern-Blue-42")
    page.get_by_label("统一社会信用代码").fill("91440300708461136T")
    page.get_by_label("机构名称").fill("深圳某智能装备有限公司")
    page.get_by_label("机构类型").select_option("enterprise")
    page.locator("#id_consent").check()
    screenshot(page, "signup-form")
    page.get_by_role("button", name="创建账号").click()

    page.wait_for_url("**/accounts/signup/done/")
    assert "zhang.wei@example.com" in page.content()
    user = User.objects.get(email="zhang.wei@example.com")
    assert user.email_verified_at is None

    body = next(m.body for m in mail.outbox if m.to == ["zhang.wei@example.com"])
    link = re.search(r"https?://\S+(/accounts/verify/\S+/)", body).group(1)
    page.goto(link)
    page.wait_for_url("**/accounts/login/**")
    user.refresh_from_db()
    assert user.email_verified_at is not None

    page.get_by_label("邮箱").fill("zhang.wei@example.com")
    page.get_by_label("密码").fill("Harbour-Lantern-Blue-42")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workspace/")
    assert "深圳某智能装备有限公司" in page.content()
    screenshot(page, "workspace")


def test_signup_bad_code_shows_chinese_field_error_and_keeps_input(page):
    page.goto("/accounts/signup/")
    page.get_by_label("邮箱").fill("li@example.com")
    page.get_by_label("统一社会信用代码").fill("91350100M000100Y44")
    page.get_by_role("button", name="创建账号").click()

    error = page.locator("#field-uscc .errorlist")
    assert "校验" in error.inner_text()
    assert page.get_by_label("邮箱").input_value() == "li@example.com"
    assert User.objects.count() == 0
