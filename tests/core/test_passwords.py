"""Password rules (OWASP ASVS 4.0.3 V2.1): length 12 to 128, not common, not easy to guess."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import User
from core.services import accounts
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db

LONGEST = (  # 128 characters
    "Eleven violet lanterns over the Huangpu glowed as seventeen ferries crossed "
    "slowly at dawn, and nobody on the Bund counted them."
)


def _codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {item.code for item in error.error_list}
    return set()


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "abcabcabcabc", "qwertyuiopas", "123123123123a", "aaaaaaaaaaaaaaaaaaaaaaaa"],
)
def test_long_but_guessable_passwords_are_refused(password):
    assert "password_too_weak" in _codes(password)


def test_a_password_made_of_the_persons_name_is_refused():
    user = User(email="zhangwei.design@example.com", full_name="zhangwei")

    assert "password_too_weak" in _codes("zhangwei.design2026", user)


def test_a_password_longer_than_128_characters_is_refused():
    assert _codes("Lantern-Harbour-" * 9) == {"password_too_long"}


@pytest.mark.parametrize(
    "password", [DEFAULT_PASSWORD, "Harbour-Lantern-Blue-42", "雨后的外滩灯塔和七只白鸽子", LONGEST]
)
def test_strong_passwords_of_12_to_128_characters_are_accepted(password):
    assert _codes(password) == set()


def test_signup_shows_why_a_weak_password_is_refused(client, english):
    response = client.post(
        reverse("signup"),
        {"email": "weak@example.com", "password1": "aaaaaaaaaaaa", "password2": "aaaaaaaaaaaa"},
    )

    assert response.status_code == 200
    assert "too easy to guess" in " ".join(response.context["form"].errors["password1"])


def test_changing_to_a_weak_password_is_refused(client):
    user = member_of(OrganizationFactory())
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "aaaaaaaaaaaa",
            "new_password2": "aaaaaaaaaaaa",
        },
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


WEAK = "aaaaaaaaaaaa"


def test_a_reset_link_refuses_a_weak_password(client):
    user = member_of(OrganizationFactory())
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    form = client.get(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    )

    response = client.post(form.url, {"new_password1": WEAK, "new_password2": WEAK})

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_signing_up_through_an_invitation_refuses_a_weak_password(client):
    owner = member_of(OrganizationFactory())
    invitation = accounts.invite_member(
        by=owner, organization=owner.primary_membership.organization, email="new@example.com"
    )

    response = client.post(
        reverse("signup") + f"?invitation={invitation.token}",
        {
            "invitation": invitation.token,
            "email": "new@example.com",
            "full_name": "新同事",
            "password1": WEAK,
            "password2": WEAK,
            "consent": "on",
        },
    )

    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="new@example.com").exists()


def test_staff_cannot_give_an_account_a_weak_password_in_the_admin(client):
    client.force_login(StaffFactory())

    response = client.post(
        reverse("admin:core_user_add"),
        {"email": "made@example.com", "full_name": "后台", "password1": WEAK, "password2": WEAK},
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["password2"]
    assert not User.objects.filter(email="made@example.com").exists()
