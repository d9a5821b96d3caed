"""The header's language switch sticks: to a signed-in user, and across signing in."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


def switch(client, language: str):
    return client.post(reverse("set_language"), {"language": language, "next": "/"})


def sign_in(client, email: str):
    return client.post(reverse("login"), {"username": email, "password": DEFAULT_PASSWORD})


def test_switch_saves_the_signed_in_users_preference(client):
    user = member_of(OrganizationFactory(), language="zh-hans")
    client.force_login(user)

    response = switch(client, "en")

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "en"


def test_language_chosen_before_signing_in_survives_the_sign_in(client):
    user = member_of(OrganizationFactory(), email="zh.user@example.com", language="zh-hans")
    switch(client, "en")

    response = sign_in(client, "zh.user@example.com")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
    assert client.get(reverse("workspace")).headers["Content-Language"] == "en"


def test_sign_in_without_a_choice_uses_the_saved_preference(client):
    member_of(OrganizationFactory(), email="en.user@example.com", language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # left by someone else

    response = sign_in(client, "en.user@example.com")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_previous_users_choice_does_not_carry_over_after_sign_out(client):
    first = member_of(OrganizationFactory(), email="first@example.com", language="zh-hans")
    second = member_of(OrganizationFactory(), email="second@example.com", language="zh-hans")
    switch(client, "en")
    sign_in(client, first.email)
    client.post(reverse("logout"))

    response = sign_in(client, second.email)

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    second.refresh_from_db()
    assert second.language == "zh-hans"


def test_unknown_language_changes_nothing(client):
    user = member_of(OrganizationFactory(), language="zh-hans")
    client.force_login(user)

    switch(client, "fr")

    user.refresh_from_db()
    assert user.language == "zh-hans"
