"""No app module reads a setting at import time: a test may change any setting for itself
(pytest-django's `settings` fixture, `override_settings`) and the code must see it.

Reads inside function bodies happen per call; reads at module or class level, and in
default argument values, happen once at import. Models are the exception: a field's
choices are fixed when the model class is built (migrations record them).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "core", "matchmaking", "events")
SKIPPED_PARTS = {"migrations", "models", "settings"}
ALWAYS_FIXED = {"AUTH_USER_MODEL"}  # swappable models are resolved once, by design


def import_time_reads(source: str) -> list[int]:
    """Line numbers of `settings.NAME` / `api_settings.NAME` read at import time."""
    found: list[int] = []

    def visit(node: ast.AST, *, in_body: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            # Defaults and decorators run at import; the body runs per call.
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    visit(default, in_body=in_body)
            for decorator in getattr(node, "decorator_list", []):
                visit(decorator, in_body=in_body)
            body = node.body if isinstance(node.body, list) else [node.body]
            for child in body:
                visit(child, in_body=True)
            return
        if (
            not in_body
            and isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("settings", "api_settings")
            and node.attr.isupper()
            and node.attr not in ALWAYS_FIXED
        ):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, in_body=in_body)

    visit(ast.parse(source), in_body=False)
    return found


def test_the_reading_tells_import_time_from_call_time():
    source = (
        "from django.conf import settings\n"
        "LIMIT = settings.A\n"
        "def f(x=settings.B):\n    return settings.C\n"
        "class K:\n    size = settings.D\n    def g(self):\n        return settings.E\n"
    )
    assert import_time_reads(source) == [2, 3, 6]


def test_no_app_module_reads_a_setting_at_import_time():
    found = {
        str(path.relative_to(ROOT)): lines
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not SKIPPED_PARTS.intersection(path.relative_to(ROOT).parts)
        and not path.name.startswith("settings")
        and (lines := import_time_reads(path.read_text()))
    }
    assert found == {}
