"""Suite-wide fixtures: real services when present, and a loud account of what is skipped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from tests import services

ROOT = Path(__file__).resolve().parent.parent
SERVICE_MARKERS = {
    "postgres": "postgres",
    "redis": "redis",
    "celery_worker": "redis",
    "browser": "browser",
}
_skipped_for: Counter[str] = Counter()


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
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


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (outbox relays) of what the test does, as production would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class WorkerProcess:
    """A `celery worker` subprocess on Redis, using the test database (as in production)."""

    def __init__(self, env: dict[str, str], concurrency: int) -> None:
        self.env = env
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        handle, name = tempfile.mkstemp(prefix="celery-worker-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)

    def start(self) -> None:
        self.stdout = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 — our own command line
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.stdout,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("celery worker did not start:\n" + self.output())

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """kill -9 the whole worker (main process and pool children)."""
        if self.process and self.process.poll() is None:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                child.kill()
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.stdout.close()


@pytest.fixture
def celery_worker(transactional_db, django_db_serialized_rollback, settings):
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

    redis.Redis.from_url(url).flushdb()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": url,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{connection.settings_dict['NAME']}"
        ),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        # Small chunks: a full re-match of a test catalog fans out to several tasks.
        "MATCHING_CHUNK_NEEDS": "10",
    }
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    app._pool = None  # noqa: SLF001 — drop connections made for the in-memory broker
    worker = WorkerProcess(env, concurrency=2)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        app.conf.update(saved)
        app._pool = None  # noqa: SLF001


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
def page(browser, live_server, django_db_serialized_rollback):
    """A fresh browser page (Chinese locale, desktop size) on the live test server."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
