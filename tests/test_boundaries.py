"""Package boundaries that no import may cross (until import-linter checks them all).

The apps never import the benchmarks (bench/ measures them, not the other way round),
the load test never imports the test suite: what the two share lives outside tests/,
and core, which every app builds on, imports none of them.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists() and p.name != "bench")


def _imports(package: str) -> dict[str, set[str]]:
    """File → the absolute module names it imports, for every module of ``package``."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _reaching(package: str, forbidden: str) -> dict[str, list[str]]:
    return {
        path: sorted(n for n in names if n == forbidden or n.startswith(f"{forbidden}."))
        for path, names in _imports(package).items()
        if any(n == forbidden or n.startswith(f"{forbidden}.") for n in names)
    }


def test_the_apps_are_found():
    assert {"config", "core", "matchmaking", "events"} <= set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_app_does_not_import_the_benchmarks(app):
    assert _reaching(app, "bench") == {}


def test_load_test_does_not_import_the_test_suite():
    assert _reaching("loadtest", "tests") == {}


@pytest.mark.parametrize("app", ["matchmaking", "events"])
def test_core_does_not_import_the_apps_built_on_it(app):
    assert _reaching("core", app) == {}
