"""Suite-wide fixtures: real services when present, and a loud account of what is skipped."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from pathlib import Path

import pytest

from tests import services
from tests.harness import WorkerProcess, worker_environment

ROOT = Path(__file__).resolve().parent.parent
SERVICE_MARKERS = {
    "postgres": "postgres",
    "redis": "redis",
    "celery_worker": "redis",
    "browser": "browser",
}
_skipped_for: Counter[str] = Counter()


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings  # noqa: PLC0415

    # A DJANGO_SETTINGS_MODULE exported by the shell would win over pyproject.toml and
    # run the suite on the production settings (no eager tasks, no test overrides).
    if settings.SETTINGS_MODULE != "tests.settings":
        raise pytest.UsageError(
            f"The test suite runs with tests.settings, not {settings.SETTINGS_MODULE}: "
            "unset DJANGO_SETTINGS_MODULE."
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    gaps = services.missing()
    lines = [
        "services: "
        + ", ".join(
            f"{name}={'missing' if name in gaps else 'yes'}"
            for name in ("postgres", "redis", "browser")
        )
    ]
    lines += [f"  {name}: {why}" for name, why in gaps.items()]
    if services.require_services():
        lines.append("REQUIRE_SERVICES=1: a missing service fails the run")
    return lines


def _mark_by_place(items: list[pytest.Item]) -> None:
    """Mark what the fast loop leaves out by where it is and what it uses, not by memory.

    `make test-fast` deselects `browser`, `reliability` and `slow`: every test in
    tests/browser/ or using a browser page is `browser`, every test in
    tests/reliability/ is `reliability`, whether or not its module says so.
    """
    browser_dir, reliability_dir = ROOT / "tests" / "browser", ROOT / "tests" / "reliability"
    for item in items:
        path = Path(item.path)
        if path.is_relative_to(browser_dir) or {"page", "browser"} & set(item.fixturenames):
            item.add_marker(pytest.mark.browser)
        if path.is_relative_to(reliability_dir):
            item.add_marker(pytest.mark.reliability)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _mark_by_place(items)
    gaps = services.missing()
    needed = {
        service
        for item in items
        for marker, service in SERVICE_MARKERS.items()
        if item.get_closest_marker(marker)
    }
    if services.require_services() and needed & gaps.keys():
        details = "; ".join(f"{name}: {gaps[name]}" for name in sorted(needed & gaps.keys()))
        raise pytest.UsageError(f"REQUIRE_SERVICES=1 but services are missing — {details}")
    for item in items:
        for marker, service in SERVICE_MARKERS.items():
            if item.get_closest_marker(marker) and service in gaps:
                item.add_marker(pytest.mark.skip(reason=f"needs {service}: {gaps[service]}"))
                _skipped_for[service] += 1
                break


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped_for:
        terminalreporter.section("skipped for missing services")
        for service, count in sorted(_skipped_for.items()):
            terminalreporter.write_line(
                f"{count} test(s) skipped: {service} — {services.missing().get(service, '')}"
            )
        terminalreporter.write_line(
            "Run `bash .ci/run` (or set DATABASE_URL/REDIS_URL) to run them."
        )


def reload_reference_data() -> None:
    """Put back what migrations load (taxonomy, holiday calendar, return reasons,
    periodic jobs).

    Transactional tests (live server, real workers, concurrency) end with a flush of
    every table, which also removes the data the migrations loaded. Django's
    serialized rollback cannot restore it once Playwright's event loop has given the
    test a fresh connection, so the reference data is reloaded explicitly instead.
    """
    import importlib  # noqa: PLC0415

    from django.apps import apps  # noqa: PLC0415

    from config.periodic import sync_periodic_tasks  # noqa: PLC0415
    from core.models import Industry  # noqa: PLC0415

    if Industry.objects.exists():
        return
    importlib.import_module("matchmaking.migrations.0002_load_taxonomy").load(
        apps, None, app_label="core"
    )
    importlib.import_module("events.migrations.0002_load_holidays").load(apps, None)
    importlib.import_module("matchmaking.migrations.0014_return_reasons").add_starting_reasons(
        apps, None
    )
    sync_periodic_tasks()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests start with the migrations' reference data in place."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server", "celery_worker", "page"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        reload_reference_data()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (pages and throttles keep state there)."""
    from django.core.cache import cache  # noqa: PLC0415

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(settings):
    """Run a test in English (pages, emails, services, commands).

    Chinese is the default language; tests that assert English wording ask for this.
    """
    from django.utils import translation  # noqa: PLC0415

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# A moment after every test event's day and start: factories date events up to a few
# years ahead (events.services.day guards what may happen before the event's day).
AFTER_EVERY_EVENT = dt.datetime(2100, 1, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def on_event_day(monkeypatch):
    """The event-day services' clock stands after every test event's start, so tests
    of running an event need not date each event today (tests/events/test_event_day.py
    covers the guard itself with the real clock)."""
    monkeypatch.setattr("events.services.day.now", lambda: AFTER_EVERY_EVENT)
    return AFTER_EVERY_EVENT


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (outbox relays) of what the test does, as production would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def drop_connections(app) -> None:
    """Forget the app's broker connections and producers, as Celery does after a fork.

    The producer pool is cached apart from the connection pool: dropping only the
    latter left `delay()` publishing to the broker of an earlier test (the in-memory
    one of the embedded default), so a worker test passed or failed by test order.
    """
    app._pool = None  # noqa: SLF001
    app.amqp._producer_pool = None  # noqa: SLF001


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker process consuming from Redis, on the test database.

    The test's own process publishes to Redis too (not eager), exactly as the web
    processes of a deployment do.
    """
    from django.db import connection  # noqa: PLC0415

    from config.celery_app import app  # noqa: PLC0415

    url = services.redis_url()
    if url is None or not services.postgres_available():
        pytest.skip("needs redis and postgres")
    import redis  # noqa: PLC0415

    # Parallel test processes (pytest-xdist) share this Redis: each one's tasks and its
    # worker's queues live under a key prefix of its own, cleared before and after.
    prefix = f"aiplus-test-{os.getpid()}:"
    client = redis.Redis.from_url(url)

    def clear_keys() -> None:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)

    clear_keys()
    env = worker_environment(
        redis_url=url, database_name=connection.settings_dict["NAME"], key_prefix=prefix
    )
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=url,
        task_always_eager=False,
        broker_transport_options={**saved["broker_transport_options"], "global_keyprefix": prefix},
    )
    drop_connections(app)  # those made for the in-memory broker
    worker = WorkerProcess(env, concurrency=2)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        app.conf.update(saved)
        drop_connections(app)
        clear_keys()
        client.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright."""
    path = services.chromium_path()
    if path is None:
        pytest.skip("needs browser")
    # Playwright's sync API runs an event loop in this thread; the test still talks to
    # the database synchronously, which is safe here (one thread, no real async code).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (Chinese locale, desktop size) on the live test server."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
