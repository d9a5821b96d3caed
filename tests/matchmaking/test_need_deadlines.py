"""A need's wanted-by date and budget: a past date or an absurd budget is refused at
submission; a published need whose date passed closes itself and its owner is told."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from config.periodic import PERIODIC_TASKS
from core.models import AuditEntry, OutgoingEmail
from matchmaking.models import Need, Status, StatusChange
from matchmaking.services import catalog as services
from tests.factories import NeedFactory, OrganizationFactory, member_of
from tests.matchmaking.test_catalog_pages import need_post

pytestmark = pytest.mark.django_db


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def enterprise(client):
    user = member_of(OrganizationFactory())
    client.force_login(user)
    return user


@pytest.fixture
def complete():
    from core.models import Capability, Industry  # noqa: PLC0415

    return {
        "industry": Industry.objects.get(code="manufacturing").pk,
        "capabilities": [Capability.objects.get(code="computer_vision").pk],
    }


def test_a_past_wanted_by_date_is_refused_at_submission(client, enterprise, complete):
    response = client.post(
        reverse("my-need-new"), need_post(**complete, deadline=days(-1).isoformat())
    )
    assert response.status_code == 200
    (message,) = response.context["form"].errors["deadline"]
    assert days(-1).isoformat() in message
    assert Need.objects.count() == 0


def test_a_past_date_may_stay_in_a_draft(client, enterprise, complete):
    client.post(
        reverse("my-need-new"),
        need_post(**complete, deadline=days(-1).isoformat(), action="draft"),
    )
    assert Need.objects.get().status == Status.DRAFT


@pytest.mark.parametrize("field", ["budget_min", "budget_max"])
def test_an_absurd_budget_is_refused_at_submission(client, enterprise, complete, field):
    amounts = {"budget_min": "30", "budget_max": "80", field: "5000000"}
    response = client.post(reverse("my-need-new"), need_post(**complete, **amounts))
    assert response.status_code == 200
    assert "5000000" in response.context["form"].errors[field][0]
    assert Need.objects.count() == 0


def test_submitting_a_saved_draft_with_a_past_date_is_refused(enterprise):
    draft = NeedFactory(
        organization=enterprise.primary_membership.organization,
        status=Status.DRAFT,
        deadline=days(-3),
    )
    with pytest.raises(ValidationError) as refused:
        services.submit_for_review(by=enterprise, record=draft)
    assert "deadline" in refused.value.message_dict
    assert Need.objects.get(pk=draft.pk).status == Status.DRAFT


def test_published_needs_past_their_date_close_and_owners_are_told(run_on_commit):
    owner = member_of(OrganizationFactory())
    expired = NeedFactory(
        organization=owner.primary_membership.organization, created_by=owner, deadline=days(-1)
    )
    today = NeedFactory(deadline=days(0))
    open_ended = NeedFactory(deadline=None)

    with run_on_commit():
        assert services.close_expired_needs() == 1
        assert services.close_expired_needs() == 0  # the nightly job may run twice

    statuses = dict(Need.objects.values_list("pk", "status"))
    assert statuses == {
        expired.pk: Status.CLOSED,
        today.pk: Status.APPROVED,
        open_ended.pk: Status.APPROVED,
    }
    change = StatusChange.objects.get(need=expired)
    assert (change.from_status, change.to_status, change.by) == ("approved", "closed", None)
    assert AuditEntry.objects.filter(action="need.closed", object_id=str(expired.pk)).count() == 1
    (email,) = OutgoingEmail.objects.filter(kind="need_expired")
    assert email.to == owner.email
    assert expired.title in email.subject
    assert reverse("my-need-detail", args=[expired.pk]) in email.body_text


def test_the_nightly_job_is_scheduled():
    from matchmaking import tasks  # noqa: PLC0415

    assert "matchmaking.close_expired_needs" in {job.task for job in PERIODIC_TASKS}
    assert tasks.close_expired_needs.name == "matchmaking.close_expired_needs"
