"""Check two house rules of the source tree (run by `make test` and `make test-fast`).

    python tools/house_rules.py

1. No module is over 600 lines: a file that passes it is a room that wants splitting.
2. No block of 8 or more identical lines stands in two places: one piece of code
   serves where the logic is the same.

Both rules cover our Python modules and templates outside tests/ (the test suite's
arrange steps legitimately read alike) and outside migrations (generated, and never
edited once applied). Lines are compared stripped of indentation, blank lines are
skipped, and so are lines that carry no code of their own (closing brackets, `else:`),
which would otherwise make every pair of long calls look copied.

Exits 1 and names every offending file or pair; prints nothing else on success but a
one-line summary.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600
MIN_BLOCK = 8
SUFFIXES = (".py", ".html", ".js", ".css", ".txt")
# Generated code, the test suite, vendored assets and the load test's harness.
EXCLUDED_PARTS = {
    "migrations",
    "tests",
    "vendor",
    "staticfiles",
    "media",
    "var",
    ".venv",
    ".git",
    "node_modules",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
}
EXCLUDED_PREFIXES = ("static/vendor/", "docs/screenshots/", "locale/")
# Lines without code of their own: brackets, `else:`, `try:`, docstring quotes.
TRIVIAL = re.compile(r"^[\s\)\]\}\(\[\{,:;]*$|^(else|try|finally):$|^\"\"\"$|^\{% end\w+ %\}$")


@dataclass(frozen=True)
class Block:
    path: str
    first: int  # 1-based line number of the block's first line
    last: int


def source_files(root: Path = ROOT) -> list[Path]:
    """Our source files the rules apply to (what is not generated, vendored or a test)."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in SUFFIXES
        and path.is_file()
        and not EXCLUDED_PARTS.intersection(path.relative_to(root).parts)
        and not str(path.relative_to(root)).startswith(EXCLUDED_PREFIXES)
    )


def oversized(files: list[Path], root: Path = ROOT, limit: int = MAX_LINES) -> list[str]:
    """`path: N lines` for every Python module over the limit."""
    found = []
    for path in files:
        if path.suffix != ".py":
            continue
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > limit:
            found.append(f"{path.relative_to(root)}: {count} lines (limit {limit})")
    return found


def _code_lines(path: Path) -> list[tuple[int, str]]:
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if text and not TRIVIAL.match(text):
            lines.append((number, text))
    return lines


def repeated_blocks(
    files: list[Path], root: Path = ROOT, size: int = MIN_BLOCK
) -> list[tuple[Block, Block]]:
    """Pairs of places that share `size` or more identical code lines in a row.

    Every window of `size` consecutive code lines is keyed by its text. Windows seen in
    two places are grouped by the pair of files and their offset, so that a longer copy
    is reported once, as one maximal run, not once per window.
    """
    lines = {str(path.relative_to(root)): _code_lines(path) for path in files}
    seen: dict[tuple[str, ...], list[tuple[str, int]]] = defaultdict(list)
    for name, code in lines.items():
        for start in range(len(code) - size + 1):
            seen[tuple(text for _number, text in code[start : start + size])].append((name, start))
    diagonals: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for places in seen.values():
        for index, (a_name, a_start) in enumerate(places):
            for b_name, b_start in places[index + 1 :]:
                if a_name == b_name and b_start - a_start < size:
                    continue  # overlapping windows of one run, not a copy
                diagonals[(a_name, b_name, b_start - a_start)].append(a_start)
    pairs = []
    for (a_name, b_name, offset), starts in diagonals.items():
        starts.sort()
        run_start = previous = starts[0]
        for start in [*starts[1:], None]:
            if start is not None and start == previous + 1:
                previous = start
                continue
            a_lines, b_lines = lines[a_name], lines[b_name]
            pairs.append(
                (
                    Block(a_name, a_lines[run_start][0], a_lines[previous + size - 1][0]),
                    Block(
                        b_name,
                        b_lines[run_start + offset][0],
                        b_lines[previous + offset + size - 1][0],
                    ),
                )
            )
            if start is not None:
                run_start = previous = start
    return sorted(pairs, key=lambda pair: (pair[0].path, pair[0].first, pair[1].path))


def main() -> int:
    files = source_files()
    problems = oversized(files)
    problems += [
        f"{a.path}:{a.first}-{a.last} repeats {b.path}:{b.first}-{b.last}"
        for a, b in repeated_blocks(files)
    ]
    for problem in problems:
        print(problem)  # noqa: T201 — a command-line tool's output
    if problems:
        print(  # noqa: T201
            f"house rules: {len(problems)} problem(s) — split the module, or give the "
            "repeated lines one home"
        )
        return 1
    print(  # noqa: T201
        f"house rules: {len(files)} files, none over {MAX_LINES} lines, "
        f"no block of {MIN_BLOCK} lines repeated"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
