"""The pinned requirements files are compiled from the chosen packages in the .in files.

`make requirements` (pip-tools) writes requirements*.txt from requirements*.in; these
checks catch a hand edit of one side that was not carried to the other.
"""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")]


def _chosen(path: Path) -> dict[str, str]:
    """Package name → its comment, for each package line of a .in file."""
    chosen = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith(("#", "-")):
            continue
        spec, _, why = line.partition("#")
        chosen[canonicalize_name(Requirement(spec.strip()).name)] = why.strip()
    return chosen


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)$", line.strip())
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


@pytest.mark.parametrize(("source", "compiled"), PAIRS)
def test_every_chosen_package_says_why(source, compiled):
    assert [name for name, why in _chosen(ROOT / source).items() if not why] == []


@pytest.mark.parametrize(("source", "compiled"), PAIRS)
def test_every_chosen_package_is_pinned_in_the_compiled_file(source, compiled):
    pins = _pins(ROOT / compiled)
    assert [name for name in _chosen(ROOT / source) if name not in pins] == []


@pytest.mark.parametrize(("source", "compiled"), PAIRS)
def test_compiled_file_pins_every_line(source, compiled):
    packages = [
        line
        for line in (ROOT / compiled).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "-"))
    ]
    assert [line for line in packages if "==" not in line] == []


def test_a_package_in_both_files_has_one_version():
    runtime, dev = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-dev.txt")
    assert {
        name: (runtime[name], dev[name])
        for name in runtime.keys() & dev.keys()
        if runtime[name] != dev[name]
    } == {}


def test_runtime_file_holds_no_development_tool():
    runtime = _pins(ROOT / "requirements.txt")
    assert sorted(runtime.keys() & _chosen(ROOT / "requirements-dev.in").keys()) == []
