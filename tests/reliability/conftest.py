"""A private PostgreSQL cluster for the session, and a seeded demo database to copy.

These tests need PostgreSQL's server binaries (not DATABASE_URL): without them they
are skipped with the reason, and with REQUIRE_SERVICES=1 (CI) they fail instead.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from loadtest import harness
from tests import services

TEMPLATE = "aiplus_demo_template"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    """initdb + start a cluster of our own (restarted, stopped and restored by the tests)."""
    reason = harness.unavailable_reason()
    if reason is not None:
        if services.require_services():
            pytest.fail(f"REQUIRE_SERVICES=1 but a private PostgreSQL cannot run here: {reason}")
        pytest.skip(f"needs PostgreSQL server binaries and gunicorn: {reason}")
    with harness.PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def static_root(pg_cluster, tmp_path_factory) -> Path:
    return harness.collect_static(tmp_path_factory.mktemp("static"))


@pytest.fixture(scope="session")
def demo_template(pg_cluster, static_root, tmp_path_factory) -> str:
    """A migrated database holding the demo programme (`seed_demo`), copied per test."""
    url = pg_cluster.create_database(TEMPLATE)
    env = harness.site_env(
        url, static_root=static_root, media_root=tmp_path_factory.mktemp("template-media")
    )
    harness.manage(env, "migrate", "--noinput")
    harness.manage(env, "seed_demo")
    return TEMPLATE


@pytest.fixture
def demo_database(pg_cluster, demo_template) -> str:
    """A fresh copy of the demo database for one test; returns its name."""
    name = f"aiplus_test_{next(_names)}"
    pg_cluster.create_database(name, template=demo_template)
    yield name
    pg_cluster.drop_database(name)


@pytest.fixture
def site_env(pg_cluster, demo_database, static_root, tmp_path) -> dict[str, str]:
    """The environment of a production-like site on the test's demo database."""
    media = tmp_path / "site-media"
    media.mkdir()
    return harness.site_env(
        pg_cluster.url(demo_database), static_root=static_root, media_root=media
    )
