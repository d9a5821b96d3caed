"""Sign-up, email verification, invitations and join requests."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Consent, Membership, Organization, OutgoingEmail, User
from core.services import accounts
from tests.factories import OrganizationFactory, make_uscc, member_of

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Blue-Harbour-Lantern-42"


def signup_data(**overrides):
    data = {
        "email": "li.ming@example.com",
        "full_name": "李明",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "organization_mode": "new",
        "uscc": "91350100M000100Y43",
        "organization_name": "福州某智能制造有限公司",
        "organization_kind": "enterprise",
        "district": "徐汇区",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_signup_new_organization_creates_owner_consent_and_verification_email(
    client, run_on_commit
):
    with run_on_commit():
        response = client.post(reverse("signup"), signup_data())

    assert response.status_code == 302
    user = User.objects.get(email="li.ming@example.com")
    org = Organization.objects.get(uscc="91350100M000100Y43")
    assert Membership.objects.get(user=user).organization == org
    assert Membership.objects.get(user=user).role == "owner"
    assert list(Consent.objects.filter(user=user).values_list("notice_version", flat=True)) == [
        "2026-11"
    ]
    assert user.email_verified_at is None
    assert [m.to for m in mail.outbox] == [["li.ming@example.com"]]
    assert OutgoingEmail.objects.get().status == "sent"


def test_signup_verification_link_from_email_verifies(client, run_on_commit):
    with run_on_commit():
        client.post(reverse("signup"), signup_data())
    link = re.search(r"http://testserver(/accounts/verify/\S+/)", mail.outbox[0].body).group(1)

    response = client.get(link)

    assert response.status_code == 302
    assert User.objects.get().email_verified_at is not None


def test_verify_email_tampered_token_is_refused_with_400(client):
    response = client.get(reverse("verify-email", args=["not-a-token"]))
    assert response.status_code == 400


def test_signup_field_errors_are_in_chinese_by_default(client):
    response = client.post(
        reverse("signup"),
        signup_data(uscc="91350100M000100Y44", password1="short", password2="short"),
    )

    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    form = response.context["form"]
    assert set(form.errors) == {"uscc", "password1"}
    assert "校验" in form.errors["uscc"][0]
    assert User.objects.count() == 0


def test_signup_field_errors_are_in_english_after_switching(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.post(reverse("signup"), signup_data(uscc="91350100M000100Y44"))

    assert response.headers["Content-Language"] == "en"
    assert (
        "The check character of this unified social credit code is wrong; please check the code."
        in response.content.decode()
    )


def test_signup_common_password_is_refused(client):
    response = client.post(
        reverse("signup"), signup_data(password1="password1234", password2="password1234")
    )
    assert "password1" in response.context["form"].errors


def test_signup_without_consent_is_refused(client):
    data = signup_data()
    del data["consent"]
    response = client.post(reverse("signup"), data)
    assert list(response.context["form"].errors) == ["consent"]


def test_signup_existing_uscc_as_new_organization_points_to_join(client):
    OrganizationFactory(uscc="91350100M000100Y43", name="已注册的公司")
    response = client.post(reverse("signup"), signup_data())
    assert "已注册的公司" in response.context["form"].errors["uscc"][0]


def test_signup_join_existing_organization_is_pending_and_owners_are_told(client, run_on_commit):
    org = OrganizationFactory(uscc="91350100M000100Y43")
    owner = member_of(org, email="owner@example.com")

    with run_on_commit():
        client.post(reverse("signup"), signup_data(organization_mode="join"))

    membership = Membership.objects.get(user__email="li.ming@example.com")
    assert membership.status == "pending"
    assert sorted(m.to[0] for m in mail.outbox) == ["li.ming@example.com", owner.email]


def test_owner_approves_join_request_membership_becomes_active(client):
    org = OrganizationFactory()
    owner = member_of(org)
    applicant = member_of(OrganizationFactory())
    pending = Membership.objects.create(user=applicant, organization=org, status="pending")
    client.force_login(owner)

    client.post(reverse("organization-member", args=[pending.pk]), {"action": "approve"})

    pending.refresh_from_db()
    assert pending.status == "active"


def test_member_cannot_decide_join_request(client):
    org = OrganizationFactory()
    member = member_of(org)
    Membership.objects.filter(user=member).update(role="member")
    applicant = member_of(OrganizationFactory())
    pending = Membership.objects.create(user=applicant, organization=org, status="pending")
    client.force_login(member)

    client.post(reverse("organization-member", args=[pending.pk]), {"action": "approve"})

    pending.refresh_from_db()
    assert pending.status == "pending"


def test_invitation_signup_joins_directly_and_verifies_email(client, run_on_commit):
    org = OrganizationFactory()
    owner = member_of(org)
    with run_on_commit():
        invitation = accounts.invite_member(
            by=owner, organization=org, email="colleague@example.com"
        )
    assert mail.outbox[-1].to == ["colleague@example.com"]

    data = signup_data(email="colleague@example.com", invitation=invitation.token)
    for field in (
        "organization_mode",
        "uscc",
        "organization_name",
        "organization_kind",
        "district",
    ):
        del data[field]
    response = client.post(reverse("signup") + f"?invitation={invitation.token}", data)

    assert response.status_code == 302
    user = User.objects.get(email="colleague@example.com")
    assert user.memberships.get().organization == org
    assert user.memberships.get().status == "active"
    assert user.email_verified_at is not None


def test_invitation_to_existing_member_is_refused():
    org = OrganizationFactory()
    owner = member_of(org)
    with pytest.raises(accounts.DomainError):
        accounts.invite_member(by=owner, organization=org, email=owner.email)


def test_last_owner_cannot_be_removed():
    org = OrganizationFactory()
    owner = member_of(org)
    with pytest.raises(accounts.DomainError):
        accounts.remove_member(by=owner, membership=owner.memberships.get())


def test_login_sets_language_cookie_from_preference(client):
    org = OrganizationFactory()
    user = member_of(org, email="en.user@example.com", language="en")

    response = client.post(
        reverse("login"), {"username": "EN.User@example.com", "password": "correct-horse-battery-9"}
    )

    assert response.status_code == 302
    assert response.cookies["aiplus_language"].value == "en"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_make_uscc_factory_codes_are_valid():
    assert accounts  # imported service module
    from core.validators import normalize_uscc  # noqa: PLC0415

    assert normalize_uscc(make_uscc(12345)) == make_uscc(12345)
