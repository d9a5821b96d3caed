"""In Chromium: both sides talk on an introduction, the digest comes once, an unanswered
introduction is nudged and later expires (time moved by the settings, never by sleeping)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from matchmaking import tasks
from matchmaking.models import Interest, ThreadMessage
from matchmaking.services import interests
from tests.factories import (
    DEFAULT_PASSWORD,
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workspace/")


def digests() -> list:
    return [m for m in mail.outbox if "条新消息" in m.subject]


def send_message(page, text: str) -> None:
    page.get_by_label("消息").fill(text)
    page.get_by_role("button", name="发送").click()
    page.wait_for_selector(f"text={text}")


def test_both_sides_talk_the_digest_comes_once_and_silence_expires(page, settings, screenshot):
    enterprise = OrganizationFactory(name="上海某精密制造有限公司")
    provider = ProviderFactory(name="上海某智能科技有限公司")
    need = NeedFactory(organization=enterprise, title="冲压件表面缺陷视觉检测", created_by=None)
    quiet_need = NeedFactory(organization=enterprise, title="仓储盘点机器人", created_by=None)
    solution = SolutionFactory(organization=provider, title="视觉质检大模型", created_by=None)
    enterprise_user = member_of(enterprise, email="zhou@example.com")
    provider_user = member_of(provider, email="li@example.com")
    interests.express_interest(by=provider_user, need=need, solution=solution)
    quiet = interests.express_interest(by=provider_user, need=quiet_need, solution=solution)
    mail.outbox.clear()

    # The provider opens the conversation of its introduction and asks a question.
    sign_in(page, provider_user.email)
    page.goto("/interests/")
    page.locator("#outgoing li", has_text="冲压件表面缺陷视觉检测").get_by_role(
        "button", name="对话"
    ).click()
    page.wait_for_url(re.compile(r".*/threads/\d+/$"))
    send_message(page, "请问贵司产线节拍是多少？")
    screenshot(page, "provider-asked")

    # The hourly digest: one email to the enterprise, and not again.
    tasks.send_thread_digests()
    tasks.send_thread_digests()
    assert [m.to for m in digests()] == [[enterprise_user.email]]
    link = re.search(r"http\S+/threads/\d+/", digests()[0].body).group(0)

    # The enterprise follows the digest's link and answers.
    sign_in(page, enterprise_user.email)
    page.goto("/threads/")
    assert page.locator("#threads .badge").inner_text() == "1"
    page.goto(urlsplit(link).path)
    assert "请问贵司产线节拍是多少？" in page.content()
    send_message(page, "每件 2 秒，6 条产线。")
    screenshot(page, "enterprise-answered")
    assert list(ThreadMessage.objects.values_list("body", flat=True)) == [
        "请问贵司产线节拍是多少？",
        "每件 2 秒，6 条产线。",
    ]

    # Having talked, the enterprise accepts that introduction.
    page.goto("/interests/")
    page.locator("#incoming li", has_text="冲压件表面缺陷视觉检测").get_by_role(
        "button", name="接受"
    ).click()
    page.wait_for_selector("#accepted")

    tasks.send_thread_digests()
    tasks.send_thread_digests()
    assert [m.to for m in digests()] == [[enterprise_user.email], [provider_user.email]]
    assert "每件 2 秒" in digests()[1].body

    # Nobody answers the second introduction: move the clock by the settings.
    settings.INTRODUCTION_NUDGE_DAYS = 0
    tasks.follow_up_interests()
    tasks.follow_up_interests()
    nudged = [m for m in mail.outbox if "提醒" in m.subject]
    assert [m.to for m in nudged] == [[enterprise_user.email]]

    settings.INTRODUCTION_EXPIRY_DAYS = 0
    tasks.follow_up_interests()
    expired = [m for m in mail.outbox if "过期" in m.subject]
    assert sorted(m.to[0] for m in expired) == sorted([enterprise_user.email, provider_user.email])
    quiet.refresh_from_db()
    assert quiet.status == Interest.Status.EXPIRED
    page.goto("/interests/")
    assert "“视觉质检大模型” · 上海某智能科技有限公司 · 已过期" in page.locator("body").inner_text()
    screenshot(page, "expired")
