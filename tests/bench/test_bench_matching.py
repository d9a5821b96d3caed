"""Smoke tests of `manage.py bench_matching` at tiny sizes: its report, not its speed.

The targets themselves (ratios, memory) are checked by running the benchmark and
reading docs/BENCHMARKS.md, never here: timings on a shared machine are noise.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from core.models import Organization
from matchmaking.models import Match, MatchRun, Need, Solution

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_KEYS = {
    "engine_over_matmul",
    "incremental_over_full",
    "topk_agreement",
    "persist_rows_per_s",
    "peak_rss_mb",
    "needs",
    "solutions",
}


def run_bench(**options) -> tuple[list[str], dict]:
    out = io.StringIO()
    call_command("bench_matching", json=True, stdout=out, **options)
    lines = out.getvalue().splitlines()
    return lines, json.loads(lines[-1])


def test_bench_matching_json_has_the_required_keys_and_sane_values():
    lines, report = run_bench(needs=200, solutions=100)

    assert report.keys() >= REQUIRED_KEYS
    assert (report["needs"], report["solutions"]) == (200, 100)
    assert report["topk_agreement"] == 1.0
    assert report["peak_rss_mb"] is None
    assert report["persist_rows"] == report["kept_pairs"]
    assert report["kept_pairs"] > 0
    assert report["engine_over_matmul"] > 0
    assert 0 < report["incremental_over_full"] < 1
    assert report["persist_rows_per_s"] > 0
    assert report["database"] == connection.vendor
    assert f"database: {connection.vendor} ({report['persist_method']})" in lines


def test_bench_matching_leaves_the_database_as_found():
    run_bench(needs=50, solutions=30)

    counts = [m.objects.count() for m in (Match, MatchRun, Need, Solution, Organization)]
    assert counts == [0, 0, 0, 0, 0]


def test_bench_matching_peak_memory_reports_only_the_subprocess_rss(monkeypatch):
    monkeypatch.chdir(ROOT)  # the child runs `python -m bench.matching`

    _lines, report = run_bench(needs=200, solutions=100, peak_memory=True, chunk_size=64)

    assert report["peak_rss_mb"] >= report["records_rss_mb"] > 0
    assert (report["needs"], report["solutions"], report["chunk_size"]) == (200, 100, 64)
    assert report["peak_timings"]["topk"] > 0
    assert report["topk_over_product"] == (
        report["peak_timings"]["topk"] / report["peak_timings"]["product"]
    )
    assert report["engine_over_matmul"] is None
    assert report["persist_rows_per_s"] is None
    assert MatchRun.objects.count() == 0
