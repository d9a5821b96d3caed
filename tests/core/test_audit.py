"""The audit log records staff actions on needs, solutions, events and meetings."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from tests.factories import NeedFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db


def test_admin_approval_is_audited_with_who_and_what(client):
    need = NeedFactory(status="submitted", title="需要审核的需求")
    staff = StaffFactory(email="reviewer@example.com")
    client.force_login(staff)

    client.post(
        reverse("admin:matchmaking_need_changelist"),
        {"action": "approve_selected", "_selected_action": [need.pk]},
    )

    entry = AuditEntry.objects.get(action="need.approved")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        staff,
        "matchmaking.Need",
        str(need.pk),
    )
    assert entry.details == {"previous": "submitted", "note": ""}


def test_admin_edit_is_audited(client):
    need = NeedFactory()
    staff = StaffFactory()
    client.force_login(staff)
    url = reverse("admin:core_organization_change", args=[need.organization.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "name": "改名后的公司",
            "kind": "enterprise",
            "uscc": need.organization.uscc,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("industry", None)

    client.post(url, data)

    entry = AuditEntry.objects.get(action="admin.change")
    assert (entry.actor, entry.object_type, entry.object_label) == (
        staff,
        "core.organization",
        "改名后的公司",
    )


def test_member_submission_is_audited_as_the_members_action():
    from matchmaking.services import catalog  # noqa: PLC0415

    need = NeedFactory(status="draft")
    member = member_of(need.organization)

    catalog.submit_for_review(by=member, record=need)

    assert list(AuditEntry.objects.values_list("actor", "action", "object_id", "details")) == [
        (member.pk, "need.submitted", str(need.pk), {"previous": "draft", "note": ""})
    ]


def test_audit_log_is_read_only_in_admin(client):
    AuditEntry.objects.create(action="need.approved", actor_label="x")
    client.force_login(StaffFactory())
    entry = AuditEntry.objects.get()
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert (
        client.post(
            reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEntry.objects.count() == 1
