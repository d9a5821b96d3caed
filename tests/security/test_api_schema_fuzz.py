"""Schemathesis against /api/schema/, as each role: no server error, answers as documented.

Every operation of the schema is fuzzed as the anonymous visitor, a member of the
enterprise E1, a member of the provider P1 and programme-office staff of the
security world (tests/security/world.py), each signed in with an API token (so CSRF
does not apply). Each answer must not be a 5xx, must have a documented status code
and content type, and its body must match the documented schema. Path ids are drawn
from the world's records as well as at random, so the writes reach real records.

Bounded and reproducible: a fixed number of examples per operation, derandomized.
Each example runs in a savepoint that is rolled back, and the throttles' counts are
cleared, so examples do not see each other's writes or get 429s from each other.
CI runs it on PostgreSQL (DATABASE_URL); it runs on SQLite too.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.models import Organization
from events.models import Event, Meeting
from matchmaking.models import Interest, Match, Need, Solution
from tests.security.world import ENTERPRISE, ROLES, STAFF

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The records behind each collection's `{id}`.
RECORDS = {
    "events": Event,
    "meetings": Meeting,
    "interests": Interest,
    "matches": Match,
    "needs": Need,
    "solutions": Solution,
    "organizations": Organization,
}
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the schema generator (no request)."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in HTTP_METHODS
    ]


OPERATIONS = _operations()


@contextmanager
def connection_kept_open():
    """Let requests through the real WSGI handler run inside the tests' transaction.

    The handler closes "old" database connections at the start and end of each
    request, which would close the tests' connection mid-transaction; Django's test
    client switches that off the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    """The schema as the app serves it, loaded through the WSGI application."""
    with django_db_blocker.unblock(), connection_kept_open():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


@pytest.fixture
def server_errors():
    """The exceptions behind 500 answers, so that a failure shows the traceback."""
    caught: list[BaseException] = []

    def collect(sender, request=None, **kwargs):
        caught.append(sys.exc_info()[1])

    got_request_exception.connect(collect)
    try:
        with connection_kept_open():
            yield caught
    finally:
        got_request_exception.disconnect(collect)


@pytest.fixture
def high_throttle_rates(settings):
    """Rates no example reaches, so a 429 cannot hide what the request would have done."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"writes": "100000/minute", "anon": "100000/minute"},
    }


def _strategy(operation, path: str):
    """Cases with random path ids, and with the ids of the world's records."""
    strategy = operation.as_strategy()
    collection = path.removeprefix("/api/v1/").split("/", 1)[0]
    model = RECORDS.get(collection)
    if "{id}" not in path or model is None:
        return strategy
    ids = sorted(model.objects.values_list("pk", flat=True))
    if not ids:
        return strategy
    known = st.sampled_from(ids).flatmap(
        lambda pk: operation.as_strategy(path_parameters={"id": pk})
    )
    return st.one_of(known, strategy)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_as_documented(
    in_world, api_schema, server_errors, high_throttle_rates, role, method, path
):
    user = in_world.user(role)
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    operation = api_schema[path][method]

    @given(case=_strategy(operation, path))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    def answers_as_documented(case):
        cache.clear()
        server_errors.clear()
        with transaction.atomic():
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as failure:
                if server_errors:
                    raise failure from server_errors[0]
                raise
            finally:
                transaction.set_rollback(True)

    answers_as_documented()


def test_every_operation_is_fuzzed(api_schema):
    served = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert served == set(OPERATIONS)


# --- what the fuzzer found -----------------------------------------------------------


@pytest.mark.parametrize("role", [ENTERPRISE, STAFF])
def test_nul_in_a_taxonomy_code_is_refused_not_a_server_error(in_world, client, role):
    token = Token.objects.get_or_create(user=in_world.user(role))[0]
    need = in_world["need:ent"]
    response = client.patch(
        f"/api/v1/needs/{need.pk}/",
        {"capabilities": ["a\x00b"]},
        content_type="application/json",
        headers={"authorization": f"Token {token.key}"},
    )
    assert response.status_code == 400
    assert "capabilities" in response.json()


def test_nul_in_an_api_query_answers_json(in_world, client):
    response = client.get("/api/v1/needs/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
