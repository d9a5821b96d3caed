"""Which real services this machine offers the test suite.

CI (REQUIRE_SERVICES=1) must have them all; a laptop runs what it can and the suite
says plainly what it skipped and why.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


@cache
def postgres_available() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@cache
def redis_url() -> str | None:
    url = settings.REDIS_URL or os.environ.get("TEST_REDIS_URL", "")
    return url if url and _reachable(url, 6379) else None


@cache
def chromium_path() -> str | None:
    """Debian's Chromium, driven by Playwright (which cannot download browsers here)."""
    try:
        import playwright  # noqa: F401, PLC0415
    except ImportError:
        return None
    configured = os.environ.get("CHROMIUM_PATH")
    for candidate in ([configured] if configured else []) + list(CHROMIUM_CANDIDATES):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def missing() -> dict[str, str]:
    """Service name → why it is missing (empty when everything is here)."""
    gaps = {}
    if not postgres_available():
        gaps["postgres"] = "DATABASE_URL does not point to PostgreSQL (tests run on SQLite)"
    if redis_url() is None:
        gaps["redis"] = "no Redis reachable at REDIS_URL"
    if chromium_path() is None:
        gaps["browser"] = "no Chromium found (apt-get install chromium) or playwright missing"
    return gaps
