"""Schemathesis against /api/schema/, as each role: no server error, answers as documented.

Every operation of the schema is fuzzed as the anonymous visitor, a member of the
enterprise E1, a member of the provider P1 and programme-office staff of the
security world (tests/security/world.py), each signed in with an API token (so CSRF
does not apply). Each answer must not be a 5xx, must have a documented status code
and content type, and its body must match the documented schema. Two kinds of cases,
each with valid and invalid data (schemathesis' positive and negative modes, as
`st run --mode all`):

- the coverage cases: every boundary of every parameter and field the schema states
  (the largest id and one past it, wrong types, missing required fields…), all of
  them, for every operation;
- the fuzzing cases: MAX_EXAMPLES random ones per operation and mode, path ids drawn
  from the world's records as well as at random, so the writes reach real records.

Reproducible: derandomized. Each case runs in a savepoint that is rolled back, and the
throttles' counts are cleared, so cases do not see each other's writes or 429s.

On both databases in one run: the suite runs this module on its own database
(PostgreSQL in CI), and `test_the_fuzzer_passes_on_sqlite_too` runs it again in a
subprocess on SQLite, the embedded default of `make run` — where numbers no SQLite
integer holds used to be server errors that PostgreSQL never showed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

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
from schemathesis.generation.modes import GenerationMode
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

ROOT = Path(__file__).resolve().parent.parent.parent
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# Random cases per operation, role and mode.
MAX_EXAMPLES = 5
# Coverage cases per operation and role besides the bounds of its parameters (all of
# those run): a different stride of the rest for each role, so that the four roles
# together run four times as many. Keeps the module to a few minutes per database.
COVERAGE_SAMPLE = 12
BOUNDARY_SCENARIOS = {
    "Maximum value",
    "Minimum value",
    "Value greater than maximum",
    "Value smaller than minimum",
    "Incorrect type",
}
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


def _strategy(operation, path: str, mode: GenerationMode):
    """Cases with random path ids, and with the ids of the world's records."""
    strategy = operation.as_strategy(generation_mode=mode)
    collection = path.removeprefix("/api/v1/").split("/", 1)[0]
    model = RECORDS.get(collection)
    if "{id}" not in path or model is None:
        return strategy
    ids = sorted(model.objects.values_list("pk", flat=True))
    if not ids:
        return strategy
    known = st.sampled_from(ids).flatmap(
        lambda pk: operation.as_strategy(generation_mode=mode, path_parameters={"id": pk})
    )
    return st.one_of(known, strategy)


def _headers(world, role: str) -> dict[str, str]:
    user = world.user(role)
    if user is None:
        return {}
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def _answers_as_documented(case, headers: dict[str, str], server_errors: list) -> None:
    """Call the case in a savepoint that is rolled back, and check the answer."""
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


def _coverage_cases(api_schema, operation, role: str) -> list:
    """Schemathesis' coverage phase for the operation, valid and invalid: every bound of
    its path and query parameters, and a sample of the rest (see COVERAGE_SAMPLE)."""
    config = api_schema.config.generation_for(operation=operation, phase="coverage")
    cases = list(
        api_schema.iter_coverage_cases(operation, generation_modes=MODES, generation_config=config)
    )

    def is_bound(case) -> bool:
        data = case.meta.phase.data
        return (
            getattr(data, "parameter_location", None) in ("path", "query")
            and data.description in BOUNDARY_SCENARIOS
        )

    bounds = [case for case in cases if is_bound(case)]
    rest = [case for case in cases if not is_bound(case)]
    stride = max(1, len(rest) // (COVERAGE_SAMPLE * len(ROLES)))
    sample = rest[ROLES.index(role) * stride :: stride * len(ROLES)][:COVERAGE_SAMPLE]
    return bounds + sample


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_boundary_answers_as_documented(
    in_world, api_schema, server_errors, high_throttle_rates, role, method, path
):
    headers = _headers(in_world, role)
    cases = _coverage_cases(api_schema, api_schema[path][method], role)

    for case in cases:
        _answers_as_documented(case, headers, server_errors)

    assert len(cases) > 0


@pytest.mark.parametrize("mode", MODES, ids=[mode.value for mode in MODES])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_as_documented(
    in_world, api_schema, server_errors, high_throttle_rates, role, method, path, mode
):
    headers = _headers(in_world, role)
    operation = api_schema[path][method]

    @given(case=_strategy(operation, path, mode))
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
        _answers_as_documented(case, headers, server_errors)

    answers_as_documented()


@pytest.mark.postgres
@pytest.mark.slow
def test_the_fuzzer_passes_on_sqlite_too():
    """This module and the integer bounds' again, in a subprocess on SQLite (the suite
    itself runs on PostgreSQL)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "REQUIRE_SERVICES", "PYTEST_XDIST_WORKER")
    }
    # Alone (a serial run): both cores; beside other xdist workers: one.
    workers = "1" if "PYTEST_XDIST_WORKER" in os.environ else "2"
    modules = [__file__, str(Path(__file__).with_name("test_integer_bounds.py"))]
    command = [sys.executable, "-m", "pytest", *modules, "-q", "-p", "no:cacheprovider"]
    command += ["-m", "not postgres", "-n", workers, "-x"]

    result = subprocess.run(  # noqa: S603 — our own command line
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout.splitlines()[-1]


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
