"""Review from the record's own admin page: approve, or return with the office's
reasons; the next submission under review opens after each decision."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from matchmaking.models import Need, ReturnReason, Solution, Status
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def submitted(factory=NeedFactory, days_ago=0, **kwargs):
    author = member_of(OrganizationFactory())
    return factory(
        organization=author.primary_membership.organization,
        created_by=author,
        status=Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user)
    return user


def review_url(record):
    return reverse(f"admin:matchmaking_{record._meta.model_name}_review", args=[record.pk])


def change_url(record):
    return reverse(f"admin:matchmaking_{record._meta.model_name}_change", args=[record.pk])


def test_the_page_of_a_submission_offers_the_decision_and_the_office_reasons(client, staff):
    need = submitted()
    body = client.get(change_url(need)).content.decode()
    assert review_url(need) in body
    for reason in ReturnReason.objects.filter(active=True):
        assert reason.title_zh in body


def test_a_published_record_offers_no_decision(client, staff):
    need = NeedFactory(status=Status.APPROVED)
    assert review_url(need) not in client.get(change_url(need)).content.decode()


def test_approving_publishes_audits_and_opens_the_oldest_waiting(client, staff, run_on_commit):
    newest, oldest, current = submitted(days_ago=1), submitted(days_ago=9), submitted(days_ago=3)

    with run_on_commit():
        response = client.post(review_url(current), {"decision": "approve"})

    current.refresh_from_db()
    assert current.status == Status.APPROVED
    assert response.url == change_url(oldest)
    assert AuditEntry.objects.filter(action="need.approved", actor=staff).count() == 1
    assert [m.to for m in mail.outbox] == [[current.created_by.email]]
    assert newest.status == Status.SUBMITTED


def test_returning_sends_the_template_in_the_submitter_language_and_own_words(
    client, staff, run_on_commit
):
    need = submitted(factory=NeedFactory)
    need.created_by.language = "en"
    need.created_by.save()
    reason = ReturnReason.objects.create(
        title_zh="预算不明", title_en="Budget", text_zh="请填写预算。", text_en="Give the budget."
    )

    with run_on_commit():
        client.post(
            review_url(need),
            {"decision": "return", "reasons": [reason.pk], "note": "上限请写明。"},
        )

    need.refresh_from_db()
    assert need.status == Status.REJECTED
    assert need.review_note == "Give the budget.\n上限请写明。"
    assert "Give the budget." in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="need.rejected", actor=staff).count() == 1


def test_returning_without_any_reason_is_refused_and_the_page_stays(client, staff):
    need = submitted()
    response = client.post(review_url(need), {"decision": "return", "note": "  "})
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED
    assert response.url == change_url(need)


def test_after_the_last_decision_the_list_of_what_waits_opens(client, staff):
    solution = submitted(factory=SolutionFactory)
    response = client.post(review_url(solution), {"decision": "approve"})
    assert Solution.objects.get(pk=solution.pk).status == Status.APPROVED
    assert response.url.startswith(reverse("admin:matchmaking_solution_changelist"))
    assert "status__exact=submitted" in response.url


def test_a_record_no_longer_under_review_is_left_as_it_is(client, staff):
    need = submitted()
    Need.objects.filter(pk=need.pk).update(status=Status.WITHDRAWN)
    response = client.post(review_url(need), {"decision": "approve"}, follow=True)
    assert Need.objects.get(pk=need.pk).status == Status.WITHDRAWN
    assert any(m.level_tag == "warning" for m in get_messages(response.wsgi_request))


def counts(response) -> list[int]:
    """The numbers the admin's messages report, in order (whatever the language)."""
    return [
        int(n) for m in get_messages(response.wsgi_request) for n in re.findall(r"-?\d+", str(m))
    ]


def test_bulk_approve_counts_what_it_published_and_what_it_skipped(client, staff):
    waiting = [submitted(), submitted()]
    published = NeedFactory(status=Status.APPROVED)
    changelist = reverse("admin:matchmaking_need_changelist")
    response = client.post(
        changelist,
        {"action": "approve_selected", "_selected_action": [n.pk for n in [*waiting, published]]},
        follow=True,
    )
    assert Need.objects.filter(status=Status.APPROVED).count() == 3
    assert counts(response) == [2, 1]


def test_bulk_approve_of_the_whole_filtered_list_skips_nothing(client, staff):
    waiting = [submitted(), submitted(), submitted()]
    changelist = reverse("admin:matchmaking_need_changelist") + "?status__exact=submitted"
    response = client.post(
        changelist,
        {"action": "approve_selected", "select_across": "1", "_selected_action": [waiting[0].pk]},
        follow=True,
    )
    assert Need.objects.filter(status=Status.APPROVED).count() == 3
    assert counts(response) == [3]  # before: "3 published", then "-1 were not under review"


def test_only_staff_who_may_change_records_decide(client):
    need = submitted()
    client.force_login(StaffFactory(is_superuser=False))
    response = client.post(review_url(need), {"decision": "approve"})
    assert response.status_code == 403
    assert Need.objects.get(pk=need.pk).status == Status.SUBMITTED
