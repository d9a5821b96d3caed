"""Sessions as OWASP ASVS 4.0.3 level 2 asks (V3): a new one at sign-in, none left after
sign-out or a password change elsewhere, and signed-in pages kept out of caches (8.2.1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return member_of(OrganizationFactory(), email="session@example.com")


def _sign_in(client: Client, email: str) -> str:
    response = client.post(reverse("login"), {"username": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def _with_cookie(key: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = key
    return client


def _is_signed_in(client: Client) -> bool:
    return client.get(reverse("workspace")).status_code == 200


def test_signing_in_starts_a_new_session(client, user):
    before = client.session.session_key  # a session planted before signing in
    assert before is not None

    after = _sign_in(client, user.email)

    assert after != before


def test_signing_out_ends_the_session_on_the_server(client, user):
    key = _sign_in(client, user.email)
    assert _is_signed_in(_with_cookie(key))

    client.post(reverse("logout"))

    assert not _is_signed_in(_with_cookie(key))


def test_signing_out_takes_a_post(client, user):
    _sign_in(client, user.email)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert _is_signed_in(client)


def test_changing_the_password_ends_the_other_sessions(user):
    here, elsewhere = Client(), Client()
    _sign_in(here, user.email)
    _sign_in(elsewhere, user.email)
    new = "Violet-Lantern-Harbour-58"

    here.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert (_is_signed_in(here), _is_signed_in(elsewhere)) == (True, False)


def test_signed_in_pages_are_not_cached(client, user):
    client.force_login(user)

    response = client.get(reverse("profile"))

    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_public_pages_for_visitors_keep_their_caching(client):
    response = client.get(reverse("home"))

    assert "no-store" not in response.get("Cache-Control", "")
