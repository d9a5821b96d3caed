"""tools/house_rules.py finds oversized modules and repeated blocks (it runs in make test)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("house_rules", ROOT / "tools" / "house_rules.py")
house_rules = sys.modules["house_rules"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(house_rules)

BLOCK = "".join(f"value_{n} = compute({n}, limit={n * 3})\n" for n in range(8))


def test_a_module_over_the_limit_is_named(tmp_path):
    (tmp_path / "big.py").write_text("x = 1\n" * 601)
    (tmp_path / "fine.py").write_text("x = 1\n" * 600)

    found = house_rules.oversized(house_rules.source_files(tmp_path), root=tmp_path)

    assert found == ["big.py: 601 lines (limit 600)"]


def test_tests_and_migrations_are_left_out(tmp_path):
    for folder in ("tests", "app/migrations"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "long.py").write_text("x = 1\n" * 700)

    assert house_rules.source_files(tmp_path) == []


def test_eight_identical_lines_in_two_places_are_one_pair(tmp_path):
    (tmp_path / "a.py").write_text("def a():\n" + BLOCK.replace("value", "    value"))
    (tmp_path / "b.py").write_text("import os\n\n" + BLOCK + "print(os.sep)\n")

    pairs = house_rules.repeated_blocks(house_rules.source_files(tmp_path), root=tmp_path)

    assert pairs == [
        (house_rules.Block("a.py", 2, 9), house_rules.Block("b.py", 3, 10)),
    ]


def test_seven_identical_lines_and_closing_brackets_are_not_a_copy(tmp_path):
    seven = "".join(BLOCK.splitlines(keepends=True)[:7])
    (tmp_path / "a.py").write_text(seven + ")\n]\n}\n")
    (tmp_path / "b.py").write_text(seven + ")\n]\n}\n")

    assert house_rules.repeated_blocks(house_rules.source_files(tmp_path), root=tmp_path) == []


def test_a_longer_copy_is_reported_once_as_one_run(tmp_path):
    long_block = BLOCK + "".join(f"extra_{n} = {n}\n" for n in range(5))
    (tmp_path / "a.py").write_text(long_block)
    (tmp_path / "b.py").write_text(long_block)

    pairs = house_rules.repeated_blocks(house_rules.source_files(tmp_path), root=tmp_path)

    assert pairs == [(house_rules.Block("a.py", 1, 13), house_rules.Block("b.py", 1, 13))]
