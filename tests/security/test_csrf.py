"""CSRF: a POST without a token is refused on every URL of the site.

Every URL of the access matrix (so every URL the resolver knows) is posted to with a
client that enforces CSRF checks and sends no token, as a role that reaches the view
and as an anonymous visitor: Django's CSRF middleware must answer 403 before any view
runs, and DRF must refuse session-authenticated writes the same way.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from tests.security.conftest import client_as
from tests.security.routes import named_routes, walk
from tests.security.test_access_matrix import ADMIN_LOGIN, LOGIN, MATRIX, Row, _admin_rows, _url
from tests.security.world import ANONYMOUS, ENTERPRISE, PROVIDER, ROLES, STAFF

pytestmark = pytest.mark.django_db

MARK = "csrf-rejected"
# The token endpoint takes no session (authentication_classes = []): there is no
# ambient credential to forge a request with; the email and password are the proof.
NO_SESSION = {"api:auth-token-list"}


def csrf_failure(request, reason=""):
    """Stands in for Django's CSRF failure page, so that the test can tell its 403s apart."""
    return HttpResponseForbidden(f"{MARK}: {reason}")


@pytest.fixture(autouse=True)
def _marked_failures(settings):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_failure"


def _reaching_role(row: Row) -> str:
    """A signed-in role the view lets in (the CSRF check must come before it anyway)."""
    for role in (ENTERPRISE, PROVIDER, STAFF):
        if row.expect[ROLES.index(role)] not in (LOGIN, ADMIN_LOGIN):
            return role
    return STAFF


def _rows() -> list:
    seen, rows = set(), []
    for row in [*MATRIX, *_admin_rows()]:
        if row.name not in seen:  # one URL per name is enough: the check precedes the view
            seen.add(row.name)
            rows.append(pytest.param(row, id=row.name))
    return rows


def _refused_for_csrf(response) -> bool:
    body = response.content.decode(errors="replace")
    return response.status_code == 403 and (MARK in body or "CSRF Failed" in body)


def _post_without_token(world, role: str, url: str, is_api: bool):
    cache.clear()
    with transaction.atomic():
        client = client_as(world, role, enforce_csrf_checks=True)
        if is_api:
            response = client.post(url, json.dumps({}), content_type="application/json")
        else:
            response = client.post(url, {"action": "submit"})
        transaction.set_rollback(True)
    return response


def _bare_403_that_a_token_lifts(world, role: str, url: str, response) -> bool:
    """The Swagger page renders its errors as a bare "403 Forbidden" page.

    Such a 403 is the CSRF refusal when the very same POST, given a valid token, is not
    refused: then the token alone made the difference.
    """
    if response.status_code != 403 or response.content.strip() != b"403 Forbidden":
        return False
    token = "t" * 32
    cache.clear()
    with transaction.atomic():
        client = client_as(world, role, enforce_csrf_checks=True)
        client.cookies["csrftoken"] = token
        with_token = client.post(url, {}, HTTP_X_CSRFTOKEN=token)
        transaction.set_rollback(True)
    return with_token.status_code != 403


@pytest.mark.parametrize("row", _rows())
def test_post_without_a_token_is_refused(in_world, row):
    url = _url(row, in_world)
    # DRF views (the API and its schema/docs pages) check CSRF only for session users:
    # an anonymous call carries no ambient credential, so there is nothing to forge.
    is_api = row.name.startswith(("api:", "api-"))
    roles = {_reaching_role(row)} | (set() if is_api else {ANONYMOUS})

    responses = {role: _post_without_token(in_world, role, url, is_api) for role in sorted(roles)}

    answers = {
        role: response.status_code
        for role, response in responses.items()
        if row.name not in NO_SESSION
        and not _refused_for_csrf(response)
        and not _bare_403_that_a_token_lifts(in_world, role, url, response)
    }
    assert answers == {}


def test_the_same_post_with_a_token_gets_through(in_world):
    """A control: the 403s above come from the missing token, not from the view."""
    client = client_as(in_world, ENTERPRISE, enforce_csrf_checks=True)
    page = client.get(reverse("my-need-new"))
    token = page.context["csrf_token"]

    without = client.post(reverse("my-need-new"), {"title": "视觉质检"})
    with_token = client.post(
        reverse("my-need-new"), {"title": "视觉质检", "csrfmiddlewaretoken": str(token)}
    )

    assert (_refused_for_csrf(without), _refused_for_csrf(with_token)) == (True, False)


def test_login_is_protected_from_login_csrf(in_world):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("login"), {"username": "owner@ent-one.example", "password": "x" * 12}
    )

    assert _refused_for_csrf(response)


def test_token_authenticated_api_writes_need_no_csrf_token(in_world):
    """With a token header there is no ambient credential: DRF rightly skips the check."""
    from rest_framework.authtoken.models import Token  # noqa: PLC0415

    key = Token.objects.create(user=in_world.user(ENTERPRISE)).key
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(
        reverse("api:need-list"),
        json.dumps({"title": "仓储机器人调度", "capabilities": ["embodied"]}),
        content_type="application/json",
    )

    assert response.status_code == 201


def test_no_view_of_the_site_is_csrf_exempt():
    """Only DRF's views are (its SessionAuthentication enforces CSRF itself)."""
    exempt = [
        route.name or route.pattern
        for route in walk()
        if getattr(route.view, "csrf_exempt", False) and not hasattr(route.view, "cls")
    ]

    assert exempt == []


def test_the_csrf_exempt_check_would_see_an_exempt_view():
    assert getattr(csrf_exempt(lambda request: None), "csrf_exempt", False)


def test_every_named_url_is_posted_to():
    assert {param.values[0].name for param in _rows()} == set(named_routes())
