"""PIPL: a person exports all their personal data and can erase their account."""

import json
import logging

import pytest
from django.core import mail
from django.urls import reverse

from core.models import AuditEntry, Consent, OutgoingEmail, User
from core.services import privacy
from matchmaking.models import Match, MatchRun
from matchmaking.services import catalog as catalog_services
from tests.factories import (
    DEFAULT_PASSWORD,
    NeedFactory,
    OrganizationFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    org = OrganizationFactory(name="上海某精密制造有限公司")
    user = member_of(org, email="li.hua@example.com", full_name="李华", phone="13700001111")
    Consent.objects.create(user=user, notice_version="2026-11", ip_address="10.0.0.1")
    need = NeedFactory(
        organization=org,
        created_by=user,
        contact_name="李华",
        contact_phone="13700001111",
        contact_email="li.hua@example.com",
        description="项目联系人李华负责产线改造。",
    )
    return user, need


def test_export_contains_account_consents_and_records(client, person):
    user, need = person
    client.force_login(user)

    response = client.get(reverse("export-data"))

    assert response["Content-Disposition"] == 'attachment; filename="aiplus-personal-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "li.hua@example.com"
    assert data["account"]["phone"] == "13700001111"
    assert [c["notice_version"] for c in data["consents"]] == ["2026-11"]
    assert [n["title"] for n in data["needs_created"]] == [need.title]
    assert data["needs_created"][0]["contact"]["phone"] == "13700001111"


def test_export_requires_login(client):
    assert client.get(reverse("export-data")).status_code == 302


def test_delete_account_needs_the_password(client, person):
    user, _ = person
    client.force_login(user)
    response = client.post(reverse("delete-account"), {"password": "wrong", "confirm": "on"})
    assert list(response.context["form"].errors) == ["password"]
    assert User.objects.get(pk=user.pk).is_active


def test_delete_account_erases_personal_data_everywhere(client, person, run_on_commit):
    user, need = person
    email = OutgoingEmail.objects.create(
        to=user.email, user=user, subject="致李华", body_text="李华您好"
    )
    with run_on_commit():
        catalog_services.transition(record=need, to="closed", by=StaffFactory())
    client.force_login(user)

    response = client.post(
        reverse("delete-account"), {"password": DEFAULT_PASSWORD, "confirm": "on"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.email, user.full_name, user.phone, user.is_active) == (
        f"deleted-{user.pk}@invalid",
        "",
        "",
        False,
    )
    assert not user.has_usable_password()
    need.refresh_from_db()
    assert (need.contact_name, need.contact_phone, need.contact_email) == ("", "", "")
    assert "李华" not in need.description
    assert need.title  # the record itself is kept for the statistics
    email.refresh_from_db()
    assert (email.to, email.subject) == ("deleted@invalid", privacy.REDACTED)
    assert Consent.objects.get(user=user).notice_version == "2026-11"
    assert user.memberships.count() == 0
    assert "_auth_user_id" not in client.session


def test_erasure_removes_the_name_from_match_explanations(person):
    user, need = person
    run = MatchRun.objects.create(kind="full", status="succeeded")
    row = Match.objects.create(
        need=need,
        solution=SolutionFactory(),
        run=run,
        score=0.5,
        terms=["李华", "视觉检测"],
        algorithm_version="t",
        computed_at=need.created_at,
    )

    privacy.erase_account(user)

    row.refresh_from_db()
    assert row.terms == ["视觉检测"]


def test_queued_email_to_an_erased_person_is_never_sent(person):
    user, _ = person
    email = OutgoingEmail.objects.create(to=user.email, user=user, subject="x", body_text="y")

    privacy.erase_account(user)

    email.refresh_from_db()
    assert email.status == "failed"
    from core.tasks import send_email  # noqa: PLC0415

    send_email.apply(kwargs={"email_id": email.pk})
    assert mail.outbox == []


def test_erasure_keeps_audit_entries_but_anonymises_the_actor(person):
    staff = StaffFactory(email="reviewer@example.com", full_name="审核员")
    AuditEntry.objects.create(actor=staff, actor_label=str(staff), action="need.approved")
    privacy.erase_account(staff)
    entries = AuditEntry.objects.order_by("pk").values_list("action", "actor_label", "object_label")
    assert list(entries) == [
        ("need.approved", f"deleted user #{staff.pk}", ""),
        ("account.erased", f"deleted user #{staff.pk}", f"{privacy.REDACTED} <{privacy.REDACTED}>"),
    ]


def test_app_logs_never_carry_email_addresses(client, caplog, run_on_commit, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caplog.set_level(logging.DEBUG)
    with run_on_commit():
        client.post(
            reverse("signup"),
            {
                "email": "log.check@example.com",
                "full_name": "日志检查",
                "password1": "Blue-Harbour-Lantern-42",
                "password2": "Blue-Harbour-Lantern-42",
                "organization_mode": "new",
                "uscc": "91350100M000100Y43",
                "organization_name": "某公司",
                "organization_kind": "enterprise",
                "consent": "on",
            },
        )
    assert User.objects.filter(email="log.check@example.com").exists()
    app_records = [
        r for r in caplog.records if r.name.startswith(("matchmaking", "events", "config"))
    ]
    assert all("log.check@example.com" not in r.getMessage() for r in app_records)
