"""The cache is never the broker's Redis database (config/settings.py CACHE_URL)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"


def _settings(monkeypatch, **env) -> dict:
    for name in ("REDIS_URL", "CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.mark.parametrize(
    ("broker", "cache"),
    [
        ("redis://redis:6379/0", "redis://redis:6379/1"),
        ("redis://127.0.0.1:6379/4", "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/1"),
    ],
)
def test_by_default_the_cache_is_the_next_database_of_the_brokers_server(
    monkeypatch, broker, cache
):
    computed = _settings(monkeypatch, REDIS_URL=broker)

    assert computed["CELERY_BROKER_URL"] == broker
    assert computed["CACHES"]["default"]["LOCATION"] == cache


def test_a_cache_url_of_its_own_wins(monkeypatch):
    computed = _settings(
        monkeypatch, REDIS_URL="redis://redis:6379/0", CACHE_URL="redis://cache:6379/0"
    )

    assert computed["CACHES"]["default"]["LOCATION"] == "redis://cache:6379/0"


def test_without_redis_the_cache_is_in_process(monkeypatch):
    computed = _settings(monkeypatch)

    assert computed["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
