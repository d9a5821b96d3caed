"""API tokens: listed and revoked by their owner, revoked when the trust behind them ends."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEntry, Membership
from core.services import accounts, credentials
from tests.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Violet-Lantern-Harbour-58"


@pytest.fixture
def owner():
    return member_of(OrganizationFactory(), email="owner@example.com")


def _issue(user) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def _works(key: str) -> bool:
    response = APIClient().get("/api/v1/matches/", HTTP_AUTHORIZATION=f"Token {key}")
    return response.status_code == 200


def _revocations(user) -> list[str]:
    return [
        entry.details["reason"]
        for entry in AuditEntry.objects.filter(action="api_token.revoke", object_id=str(user.pk))
    ]


def test_a_token_works_until_revoked(owner):
    key = _issue(owner)

    assert _works(key) is True
    assert AuditEntry.objects.filter(action="api_token.issue", object_id=str(owner.pk)).count() == 1


def test_changing_the_password_revokes_the_tokens(client, owner):
    key = _issue(owner)
    client.force_login(owner)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert _works(key) is False
    assert Token.objects.filter(user=owner).count() == 0
    assert _revocations(owner) == ["password_changed"]


def test_resetting_the_password_revokes_the_tokens(client, owner):
    key = _issue(owner)
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    form = client.get(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(owner)])
    )

    response = client.post(form.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert _works(key) is False
    assert _revocations(owner) == ["password_changed"]


def test_staff_setting_a_password_in_the_admin_revokes_the_tokens(client, owner):
    key = _issue(owner)
    client.force_login(StaffFactory())

    response = client.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert _works(key) is False


def test_changepassword_command_revokes_the_tokens(owner, monkeypatch):
    key = _issue(owner)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", owner.email, stdout=None)

    assert _works(key) is False


def test_deactivating_the_account_revokes_the_tokens(owner):
    key = _issue(owner)

    owner.is_active = False
    owner.save()

    assert Token.objects.filter(key=key).exists() is False
    assert _revocations(owner) == ["deactivated"]


def test_saving_an_account_for_other_reasons_keeps_its_tokens(owner):
    key = _issue(owner)

    owner.full_name = "新名字"
    owner.save()

    assert _works(key) is True
    assert _revocations(owner) == []


def test_removing_the_last_membership_revokes_the_tokens(owner):
    colleague = MembershipFactory(
        organization=owner.primary_membership.organization, role=Membership.Role.MEMBER
    ).user
    key = _issue(colleague)

    accounts.remove_member(by=owner, membership=colleague.memberships.get())

    assert Token.objects.filter(key=key).exists() is False
    assert _revocations(colleague) == ["last_membership_ended"]


def test_a_membership_ending_while_another_remains_keeps_the_tokens(owner):
    colleague = MembershipFactory(
        organization=owner.primary_membership.organization, role=Membership.Role.MEMBER
    ).user
    MembershipFactory(user=colleague)
    key = _issue(colleague)

    accounts.remove_member(
        by=owner,
        membership=colleague.memberships.get(organization=owner.primary_membership.organization),
    )

    assert _works(key) is True


def test_the_account_page_lists_my_token_without_its_secret(client, owner):
    key = _issue(owner)
    client.force_login(owner)

    page = client.get(reverse("profile")).content.decode()

    assert f"…{key[-4:]}" in page
    assert f'value="{key}"' in page  # the revoke form names it, in a hidden field
    assert f">{key}<" not in page


def test_i_can_revoke_my_token_on_the_account_page(client, owner):
    key = _issue(owner)
    client.force_login(owner)

    response = client.post(reverse("api-token-revoke"), {"key": key})

    assert response.status_code == 302
    assert _works(key) is False
    assert _revocations(owner) == ["revoked_by_owner"]


def test_i_cannot_revoke_someone_elses_token(client, owner):
    other = member_of(OrganizationFactory())
    key = _issue(other)
    client.force_login(owner)

    client.post(reverse("api-token-revoke"), {"key": key})

    assert _works(key) is True


def test_revoking_tokens_of_an_account_without_any_writes_no_audit_entry(owner):
    assert credentials.revoke_api_tokens(user=owner, by=None, reason="test") == 0
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 0
