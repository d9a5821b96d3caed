"""A database made before the core app migrates to the new shape and keeps every row.

The fixtures hold the demo programme as the release before the move made it (commit
836e97f, `matchmaking` still holding users and organizations):

* `premove-demo.sqlite3.gz` — the SQLite file `make run` leaves in var/ (`migrate`,
  then `seed_demo`);
* `premove-demo.pg.sql.gz` — `pg_dump --no-owner --no-privileges` of a PostgreSQL
  database that was migrated and seeded the same way.

To make them again: `git worktree add /tmp/before 836e97f`, and in it run
`python manage.py migrate && python manage.py seed_demo` once without DATABASE_URL
(gzip var/db.sqlite3) and once with DATABASE_URL pointing at an empty PostgreSQL
database (gzip its pg_dump).

Each test migrates a copy with today's code in a separate process, exactly as an
operator would (`manage.py migrate`), then checks that every table has the rows it
had, that the content types name the new app, and that a demo user signs in and
sees their organization's needs.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SQLITE_FIXTURE = FIXTURES / "premove-demo.sqlite3.gz"
POSTGRES_FIXTURE = FIXTURES / "premove-demo.pg.sql.gz"

MOVED_MODELS = {
    "auditentry",
    "capability",
    "consent",
    "industry",
    "invitation",
    "membership",
    "organization",
    "outboxmessage",
    "outgoingemail",
    "user",
}
MOVE_MIGRATIONS = {
    ("core", "0001_initial"),
    ("events", "0004_shared_models_in_core"),
    ("matchmaking", "0012_move_shared_models_to_core"),
}
# Tables whose rows a later migration drops on purpose: the organization-wide
# calendar feeds (events 0005; the feeds became personal).
DROPPED_ROWS = {"events_calendarfeed", "django_migrations"}
# Tables that later migrations add rows to: the new models' content types and
# permissions, and the periodic tasks (with their schedules) of new nightly jobs.
GROWING_ROWS = {
    "auth_permission",
    "django_content_type",
    "django_celery_beat_crontabschedule",
    "django_celery_beat_periodictask",
}
ENTERPRISE = ("enterprise@example.com", "aiplus-demo-2026")
OWN_NEEDS_SQL = (
    "SELECT n.id FROM matchmaking_need n"
    " JOIN matchmaking_membership m ON m.organization_id = n.organization_id"
    " JOIN matchmaking_user u ON u.id = m.user_id"
    " WHERE u.email = %s ORDER BY n.id"
)

Query = Callable[[str, tuple], list[tuple]]


def _site_env(database_url: str) -> dict[str, str]:
    """The environment of `make run`: the site's settings on the given database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(DATABASE_URL=database_url, DJANGO_DEBUG="1", PYTHONPATH=str(ROOT))
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own command line
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _row_counts(query: Query, tables: list[str]) -> dict[str, int]:
    # Table names come from the database's own catalog.
    return {table: query(f'SELECT COUNT(*) FROM "{table}"', ())[0][0] for table in tables}  # noqa: S608


def _migrations_on_disk() -> set[tuple[str, str]]:
    """Every migration of the project's apps: a migrated database has them all applied."""
    return {
        (path.parent.parent.name, path.stem)
        for app in ("core", "events", "matchmaking")
        for path in (ROOT / app / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py")
    }


def _migrate_and_check(database_url: str, query: Query, tables: Callable[[], list[str]]) -> None:
    tables_before = tables()
    counts_before = _row_counts(query, tables_before)
    migrations_before = set(query("SELECT app, name FROM django_migrations", ()))
    own_needs_before = [row[0] for row in query(OWN_NEEDS_SQL, (ENTERPRISE[0],))]
    env = _site_env(database_url)

    migrated = _run(env, "manage.py", "migrate", "--noinput")

    assert migrated.returncode == 0, migrated.stderr
    assert "recorded core.0001_initial as applied" in migrated.stdout
    tables_after = tables()
    # No table goes away, and the moved models keep theirs: the move creates no `core_`
    # table. Later migrations, applied in the same run, may add tables of their own.
    assert set(tables_before) <= set(tables_after)
    assert [table for table in tables_after if table.startswith("core_")] == []
    counts_after = _row_counts(query, tables_before)
    migrations_after = set(query("SELECT app, name FROM django_migrations", ()))
    assert migrations_after - migrations_before == _migrations_on_disk() - migrations_before
    assert migrations_after - migrations_before >= MOVE_MIGRATIONS
    kept = set(counts_before) - DROPPED_ROWS - GROWING_ROWS
    assert {t: counts_after[t] for t in kept} == {t: counts_before[t] for t in kept}
    assert {t: counts_after[t] >= counts_before[t] for t in GROWING_ROWS} == dict.fromkeys(
        GROWING_ROWS, True
    )
    content_types = set(query("SELECT app_label, model FROM django_content_type", ()))
    assert {(app, model) for app, model in content_types if model in MOVED_MODELS} == {
        ("core", model) for model in MOVED_MODELS
    }
    assert _run(env, "manage.py", "migrate", "--check").returncode == 0

    probe = _run(env, "-m", "tests.core.migration_probe", *ENTERPRISE)

    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout.splitlines()[-1])
    assert own_needs_before != []
    assert (seen["login_status"], seen["login_redirect"], seen["my_needs_status"]) == (
        302,
        "/workspace/",
        200,
    )
    assert seen["own_need_ids"] == own_needs_before
    assert len(seen["listed_titles"]) == len(own_needs_before)


def test_sqlite_database_of_make_run_before_core_migrates_with_every_row(tmp_path):
    path = tmp_path / "db.sqlite3"
    with gzip.open(SQLITE_FIXTURE) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)

    def query(sql: str, params: tuple) -> list[tuple]:
        with sqlite3.connect(path) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()

    def tables() -> list[str]:
        rows = query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name",
            (),
        )
        return [name for (name,) in rows]

    _migrate_and_check(f"sqlite:///{path}", query, tables)


@pytest.mark.postgres
def test_postgres_database_with_demo_data_before_core_migrates_with_every_row():
    import psycopg  # noqa: PLC0415

    server = settings.DATABASES["default"]
    credentials = server["USER"] + (f":{server['PASSWORD']}" if server["PASSWORD"] else "")
    base = f"postgresql://{credentials}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    name = f"{server['NAME']}_before_core_{os.getpid()}"
    url = f"{base}/{name}"
    psql = shutil.which("psql")
    assert psql is not None, "psql (PostgreSQL's client) is needed to restore the dump"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        restored = subprocess.run(  # noqa: S603 — our own command line
            [psql, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-d", url],
            input=gzip.decompress(POSTGRES_FIXTURE.read_bytes()),
            capture_output=True,
            timeout=300,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr.decode()

        def query(sql: str, params: tuple) -> list[tuple]:
            with psycopg.connect(url) as connection:
                return connection.execute(sql, params).fetchall()

        def tables() -> list[str]:
            rows = query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
                (),
            )
            return [name for (name,) in rows]

        _migrate_and_check(url, query, tables)
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_database_stopped_before_the_last_premove_migration_is_refused_with_advice(tmp_path):
    path = tmp_path / "db.sqlite3"
    with gzip.open(SQLITE_FIXTURE) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "DELETE FROM django_migrations WHERE app = 'matchmaking' AND name = '0011_labels_2'"
        )

    migrated = _run(_site_env(f"sqlite:///{path}"), "manage.py", "migrate", "--noinput")

    assert migrated.returncode == 1
    assert (
        "its matchmaking migrations stop at 0010_run_heartbeat. Migrate it with the release "
        "before the core app first (commit 836e97f"
    ) in " ".join(migrated.stderr.split())
    with sqlite3.connect(path) as connection:
        applied = connection.execute(
            "SELECT COUNT(*) FROM django_migrations WHERE app = 'core'"
        ).fetchone()
    assert applied == (0,)
