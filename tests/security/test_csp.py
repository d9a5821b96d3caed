"""The policy on every response, and the checker the access matrix uses to enforce it."""

from __future__ import annotations

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests.security.csp import inline_code, policy_problems

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<script>alert(1)</script>", ["inline <script id=None>"]),
        ('<script type="module">x()</script>', ["inline <script id=None>"]),
        ('<button onclick="print()">p</button>', ["<button onclick=…>"]),
        ('<a href=" JavaScript:go()">x</a>', ["<a href=javascript:…>"]),
        ('<script src="/static/js/site.js"></script>', []),
        ('<script type="application/json" id="data">{"a": 1}</script>', []),
        ('<p data-confirm="sure?" class="once">x</p>', []),
    ],
)
def test_the_checker_finds_inline_code(html, found):
    assert inline_code(html) == found


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        (None, ["no Content-Security-Policy header"]),
        ("default-src 'self'; frame-ancestors 'none'", []),
        (
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            ["script-src 'self' 'unsafe-inline'"],
        ),
        ("script-src 'self'", ["no frame-ancestors"]),
    ],
)
def test_the_checker_judges_the_policy(header, problems):
    assert policy_problems(header) == problems


def test_a_page_has_a_policy_that_allows_only_the_sites_own_scripts(client):
    response = client.get(reverse("home"))

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_a_view_that_sets_a_stricter_policy_keeps_it():
    # As the attachment download does: `default-src 'none'; sandbox`.
    response = HttpResponse("file")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    middleware = CSPMiddleware(lambda request: response)

    answered = middleware(RequestFactory().get("/attachments/1/"))

    assert answered["Content-Security-Policy"] == "default-src 'none'; sandbox"
