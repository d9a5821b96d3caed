"""Login brute force under concurrency, and the production settings' secure headers and cookies.

The lockout (django-axes, config/settings.py AXES_*) must hold when the bad logins
arrive all at once, not only one after another (tests/matchmaking/test_login_security.py).
"""

from __future__ import annotations

import runpy
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member_of

ROOT = Path(__file__).resolve().parent.parent.parent
ATTACKERS = 50


@pytest.mark.django_db(transaction=True)
def test_parallel_bad_logins_lock_the_account_and_never_fail_the_server():
    user = member_of(OrganizationFactory(), email="brute.target@example.com")
    url = reverse("login")
    start = threading.Barrier(ATTACKERS)

    def bad_login(attempt: int) -> int:
        client = Client()
        try:
            start.wait(timeout=30)
            response = client.post(
                url, {"username": user.email, "password": f"wrong-password-{attempt:03d}"}
            )
            return response.status_code
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=ATTACKERS) as pool:
        statuses = list(pool.map(bad_login, range(ATTACKERS)))

    assert not [status for status in statuses if status >= 500], statuses
    # The login page again (200), or the lockout (429); never a way in.
    assert set(statuses) <= {200, 429}, statuses

    failures = AccessAttempt.objects.filter(username=user.email).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    assert failures is not None
    assert failures >= django_settings.AXES_FAILURE_LIMIT

    client = Client()
    response = client.post(url, {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- production headers and cookies --------------------------------------------------

SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
]


@pytest.fixture
def production(settings, monkeypatch):
    """The security settings as config/settings.py computes them for production.

    The settings module is evaluated again with no DJANGO_* variable set (as a
    deployment that sets only its secret key and hosts), and its security values are
    put over the test settings, which switch TLS off.
    """
    import os  # noqa: PLC0415

    for name in [name for name in os.environ if name.startswith("DJANGO_")]:
        monkeypatch.delenv(name)
    computed = runpy.run_path(str(ROOT / "config" / "settings.py"))
    for name in SECURITY_SETTINGS:
        setattr(settings, name, computed[name])
    return computed


def test_production_security_settings_are_strict(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production, client):
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_home_page_over_https_sends_the_secure_headers(production, client):
    response = client.get("/", secure=True)

    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert f"max-age={production['SECURE_HSTS_SECONDS']}" in hsts
    assert ("includeSubDomains" in hsts) is production["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert ("preload" in hsts) is production["SECURE_HSTS_PRELOAD"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert response["X-Frame-Options"] == production["X_FRAME_OPTIONS"] == "DENY"
    assert (
        response["Cross-Origin-Opener-Policy"]
        == production["SECURE_CROSS_ORIGIN_OPENER_POLICY"]
        == "same-origin"
    )


@pytest.mark.django_db
def test_cookies_after_login_are_secure_and_the_session_is_httponly(production, client):
    user = member_of(OrganizationFactory(), email="cookies@example.com")

    response = client.post(
        reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD}, secure=True
    )

    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == production["SESSION_COOKIE_SAMESITE"] == "Lax"
    csrf = response.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True
    assert bool(csrf["httponly"]) is production["CSRF_COOKIE_HTTPONLY"]
