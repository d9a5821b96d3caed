"""Saved searches and their digests: one email per user, each record once, through the
outbox; unsubscribe without signing in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, OutgoingEmail
from matchmaking.models import SavedSearch, SearchAlert
from matchmaking.services import alerts
from tests.factories import NeedFactory, OrganizationFactory, UserFactory
from tests.helpers import wait_for

PLAIN = {"summary": "项目介绍。", "description": "详细说明。"}


def weld_search(user, **fields) -> SavedSearch:
    saved = alerts.save_search(by=user, name="焊缝", query="焊缝检测", **fields)
    SavedSearch.objects.filter(pk=saved.pk).update(created_at=timezone.now() - timedelta(days=1))
    saved.refresh_from_db()
    return saved


@pytest.mark.django_db
def test_digest_lists_new_matching_needs_once_and_then_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    weld_search(user)
    first = NeedFactory(title="车身焊缝检测", **PLAIN)
    second = NeedFactory(title="Weld seam inspection robot", **PLAIN)
    NeedFactory(title="门店销量预测", **PLAIN)
    now = timezone.now()

    sent = alerts.send_due_digests(now=now)
    again = alerts.send_due_digests(now=now + timedelta(days=8))

    email = OutgoingEmail.objects.get(kind="search_digest")
    assert (sent, again) == (1, 0)
    assert email.to == user.email
    assert first.title in email.body_text
    assert second.title in email.body_text
    assert "门店销量预测" not in email.body_text
    assert sorted(SearchAlert.objects.values_list("need_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )


@pytest.mark.django_db
def test_digest_of_two_searches_sends_a_record_once():
    user = UserFactory()
    weld_search(user)
    weld_search(user, frequency="daily")
    NeedFactory(title="焊缝检测", **PLAIN)

    alerts.send_due_digests()

    assert OutgoingEmail.objects.filter(kind="search_digest").count() == 1
    assert SearchAlert.objects.count() == 1


@pytest.mark.django_db
def test_weekly_search_waits_a_week_between_digests():
    user = UserFactory()
    weld_search(user)
    NeedFactory(title="焊缝检测 A", **PLAIN)
    now = timezone.now()
    alerts.send_due_digests(now=now)
    NeedFactory(title="焊缝检测 B", **PLAIN)

    too_soon = alerts.send_due_digests(now=now + timedelta(days=2))
    week_later = alerts.send_due_digests(now=now + timedelta(days=7))

    assert (too_soon, week_later) == (0, 1)


@pytest.mark.django_db
def test_unsubscribe_link_works_without_signing_in(client):
    saved = weld_search(UserFactory())
    link = reverse("saved-search-unsubscribe", args=[alerts.unsubscribe_token(saved)])

    shown = client.get(link)
    done = client.post(link)

    assert shown.status_code == 200
    assert saved.name in shown.content.decode()
    assert done.status_code == 200
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()
    assert AuditEntry.objects.filter(action="saved_search.deleted").count() == 1


@pytest.mark.django_db
def test_forged_unsubscribe_link_deletes_nothing(client):
    saved = weld_search(UserFactory())
    token = alerts.unsubscribe_token(saved)[:-2] + "xx"

    client.post(reverse("saved-search-unsubscribe", args=[token]))

    assert SavedSearch.objects.filter(pk=saved.pk).exists()


@pytest.mark.django_db
def test_user_saves_renames_and_deletes_a_search_from_the_pages(client):
    user = UserFactory()
    client.force_login(user)

    client.post(
        reverse("saved-search-save"), {"q": "质检", "industry": "manufacturing", "name": "QC"}
    )
    saved = SavedSearch.objects.get(user=user)
    client.post(
        reverse("saved-search-action", args=[saved.pk]), {"action": "rename", "name": "质检周报"}
    )
    profile = client.get(reverse("profile")).content.decode()
    client.post(reverse("saved-search-action", args=[saved.pk]), {"action": "delete"})

    assert (saved.query, saved.filters) == ("质检", {"industry": ["manufacturing"]})
    assert "质检周报" in profile
    assert not SavedSearch.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_someone_elses_saved_search_cannot_be_changed(client):
    saved = weld_search(UserFactory())
    client.force_login(UserFactory())

    response = client.post(reverse("saved-search-action", args=[saved.pk]), {"action": "delete"})

    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


@pytest.mark.celery_worker
@pytest.mark.postgres
def test_digest_job_on_a_real_worker_sends_one_email_then_nothing_new(celery_worker):
    from matchmaking.tasks import send_search_digests  # noqa: PLC0415

    user = UserFactory()
    saved = weld_search(user, frequency="daily")
    OrganizationFactory()
    first = NeedFactory(title="车身焊缝检测", **PLAIN)
    second = NeedFactory(title="焊缝缺陷检测", **PLAIN)

    send_search_digests.delay()
    assert wait_for(
        lambda: OutgoingEmail.objects.filter(kind="search_digest", status="sent").count() == 1,
        timeout=60,
    ), celery_worker.output()[-3000:]
    SavedSearch.objects.filter(pk=saved.pk).update(last_sent_at=timezone.now() - timedelta(days=2))
    send_search_digests.delay()
    assert wait_for(
        lambda: (
            SavedSearch.objects.get(pk=saved.pk).last_sent_at > timezone.now() - timedelta(hours=1)
        ),
        timeout=60,
    ), celery_worker.output()[-3000:]

    email = OutgoingEmail.objects.get(kind="search_digest")
    assert first.title in email.body_text
    assert second.title in email.body_text
    assert OutgoingEmail.objects.filter(kind="search_digest").count() == 1


@pytest.mark.django_db
def test_staff_dashboard_counts_the_users_following_each_topic(client):
    for user in (UserFactory(), UserFactory()):
        alerts.save_search(by=user, name="x", query="质检", filters={"industry": ["energy"]})
    alerts.save_search(by=UserFactory(), name="y", query="客服")
    client.force_login(UserFactory(is_staff=True))

    page = client.get(reverse("dashboard")).content.decode()
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>[^<]+</td><td class="num">(\d+)', page)

    assert rows == [("能源电力", "2"), ("质检", "2"), ("客服", "1")]
