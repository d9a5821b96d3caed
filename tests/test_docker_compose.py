"""docker-compose.yml describes the platform correctly (no Docker engine runs here)."""

import importlib
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_the_platform_services():
    assert set(COMPOSE["services"]) == {"postgres", "redis", "cache", "web", "worker", "beat"}


def test_compose_services_have_health_checks():
    for name in ("postgres", "redis", "cache", "web", "worker"):
        assert "test" in COMPOSE["services"][name]["healthcheck"], name


def test_compose_keeps_the_database_in_a_volume():
    assert "pgdata:/var/lib/postgresql/data" in COMPOSE["services"]["postgres"]["volumes"]
    assert "pgdata" in COMPOSE["volumes"]


def test_compose_app_services_wait_for_healthy_dependencies():
    for name in ("web", "worker", "beat"):
        depends = COMPOSE["services"][name]["depends_on"]
        assert depends == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "cache": {"condition": "service_healthy"},
        }


def test_compose_build_files_exist():
    for name in ("web", "worker", "beat"):
        build = COMPOSE["services"][name]["build"]
        assert (ROOT / build["context"] / build["dockerfile"]).is_file()


def test_dockerfile_references_existing_files():
    dockerfile = (ROOT / "platform" / "Dockerfile").read_text()
    for path in re.findall(r"/app/(platform/[\w.\-]+|requirements\.txt)", dockerfile):
        assert (ROOT / path).is_file(), path
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_compose_commands_refer_to_importable_modules_and_files():
    for name in ("web", "worker", "beat"):
        command = COMPOSE["services"][name]["command"]
        for part in command:
            if part.startswith("/app/"):
                assert (ROOT / part.removeprefix("/app/")).is_file(), part
            if part.endswith(":application"):
                importlib.import_module(part.split(":")[0])
            if part == "-A":
                importlib.import_module(command[command.index("-A") + 1])


def test_the_cache_can_never_evict_the_brokers_jobs():
    broker = COMPOSE["services"]["redis"]["command"]
    cache = COMPOSE["services"]["cache"]["command"]
    environment = COMPOSE["x-app"]["environment"]

    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
    assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert "--maxmemory" in cache
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert environment["CACHE_URL"].startswith("redis://cache:")
