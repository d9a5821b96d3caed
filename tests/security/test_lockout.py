"""The login lockout holds on the account, however it is named and wherever a password is checked.

django-axes counts failures per account (core/identity.py normalises the address) and
per client address; every place that checks a password goes through `authenticate`, so
the failures of one place count for all: the login page, the admin's login, the API
token endpoint, the password change form and the account deletion form.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from core.identity import client_ip, normalize_identity
from core.ratelimit import AnonymousRateThrottle, WriteRateThrottle, client_address
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db

LIMIT = 5
VARIANTS = [
    "Target@Example.com",
    "TARGET@EXAMPLE.COM",
    "target@EXAMPLE.com",
    " target@example.com ",
    "tArGeT@example.COM",
]


@pytest.fixture
def target():
    return member_of(OrganizationFactory(), email="target@example.com")


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _token(client: APIClient, email: str, password: str):
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


def _admin_login(client: Client, username: str, password: str):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


# --- letter case ---------------------------------------------------------------------


def test_case_variants_of_an_address_share_one_lockout_on_the_login_page(client, target):
    for variant in VARIANTS:
        _login(Client(), variant, "wrong-password-123")

    response = _login(client, "target@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["target@example.com"]


def test_case_variants_share_one_lockout_on_the_api_token_endpoint(target):
    statuses = [
        _token(APIClient(), variant, "wrong-password-123").status_code for variant in VARIANTS
    ]

    response = _token(APIClient(), "TARGET@example.com", DEFAULT_PASSWORD)

    assert statuses == [400] * (LIMIT - 1) + [429]
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "token" not in response.json()


def test_case_variants_share_one_lockout_on_the_admin_login():
    staff = StaffFactory(email="office@example.com")
    for variant in ["Office@Example.com", "OFFICE@example.com", "office@EXAMPLE.COM"] * 2:
        _admin_login(Client(), variant, "wrong-password-123")

    response = _admin_login(Client(), staff.email, DEFAULT_PASSWORD)

    assert response.status_code == 429


def test_failures_in_one_place_count_in_the_others(target):
    for _ in range(2):
        _login(Client(), "Target@example.com", "wrong-password-123")
    for _ in range(2):
        _token(APIClient(), "TARGET@EXAMPLE.COM", "wrong-password-123")
    _admin_login(Client(), "target@Example.com", "wrong-password-123")

    assert _login(Client(), target.email, DEFAULT_PASSWORD).status_code == 429
    assert _token(APIClient(), target.email, DEFAULT_PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Enterprise@Example.com", "enterprise@example.com"),
        ("  ENTERPRISE@example.COM\t", "enterprise@example.com"),
        # Full-width letters, as a phone's Chinese keyboard may type them.
        ("ｅｎｔｅｒｐｒｉｓｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "enterprise@example.com"),
        ("STRASSE@example.com", "strasse@example.com"),
    ],
)
def test_normalize_identity(typed, expected):
    assert normalize_identity(typed) == expected


# --- other places that check a password ------------------------------------------------


def test_wrong_old_passwords_on_the_change_form_lock_the_account(client, target):
    client.force_login(target)
    url = reverse("password_change")
    new = "Lantern-Harbour-Violet-77"
    for _ in range(LIMIT):
        response = client.post(
            url, {"old_password": "wrong-123", "new_password1": new, "new_password2": new}
        )
        assert response.status_code in (200, 429)

    response = client.post(
        url, {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new}
    )

    assert response.status_code == 429
    target.refresh_from_db()
    assert target.check_password(DEFAULT_PASSWORD)
    assert _login(Client(), target.email, DEFAULT_PASSWORD).status_code == 429


def test_wrong_passwords_on_the_delete_form_lock_the_account(client, target):
    client.force_login(target)
    for _ in range(LIMIT):
        client.post(reverse("delete-account"), {"password": "wrong-123", "confirm": "on"})

    response = client.post(
        reverse("delete-account"), {"password": DEFAULT_PASSWORD, "confirm": "on"}
    )

    assert response.status_code == 429
    target.refresh_from_db()
    assert target.is_active is True


def test_a_password_reset_ends_the_lockout(client, target):
    for _ in range(LIMIT):
        _login(Client(), target.email, "wrong-password-123")
    assert _login(Client(), target.email, DEFAULT_PASSWORD).status_code == 429
    uid = urlsafe_base64_encode(force_bytes(target.pk))
    token = default_token_generator.make_token(target)
    form = client.get(reverse("password_reset_confirm", args=[uid, token]))
    new = "Violet-Lantern-Harbour-58"

    response = client.post(form.url, {"new_password1": new, "new_password2": new})

    assert response.status_code == 302
    assert _login(Client(), target.email, new).status_code == 302


# --- one client address for every guard -------------------------------------------------


def test_the_lockout_and_the_throttles_see_the_same_client_behind_the_proxy(settings, rf, target):
    settings.TRUSTED_PROXY_COUNT = 1
    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}

    Client(**headers).post(
        reverse("login"), {"username": target.email, "password": "wrong-password-123"}
    )
    request = rf.post("/api/v1/needs/", **headers)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]
    assert client_ip(request) == "203.0.113.9"
    assert client_address(request) == "203.0.113.9"
    assert WriteRateThrottle().get_ident(request) == "203.0.113.9"
    assert AnonymousRateThrottle().get_ident(request) == "203.0.113.9"


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(settings, target):
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

    _login(client, target.email, "wrong-password-123")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.2"]
