"""Smoke test of `manage.py bench_engine_peer` at a tiny size: its report, not its speed."""

import io
import json

from django.core.management import call_command


def test_bench_engine_peer_reports_both_contenders_and_writes_the_ratio(tmp_path):
    out = io.StringIO()
    output = tmp_path / "peer.json"

    call_command(
        "bench_engine_peer",
        needs=60,
        solutions=40,
        runs=1,
        threads=2,
        json=True,
        output=output,
        stdout=out,
    )

    report = json.loads(out.getvalue().splitlines()[-1])
    written = json.loads(output.read_text(encoding="utf-8"))
    assert written == report
    assert (report["needs"], report["solutions"], report["top_n"]) == (60, 40, 10)
    assert report["engine_over_peer"] == report["engine"]["total_s"] / report["peer"]["total_s"]
    assert report["engine_threads_over_peer"] == (
        report["engine_threads"]["total_s"] / report["peer"]["total_s"]
    )
    # Both engines found the same pairs; the peer kept at most 10 per need and solution.
    assert report["engine"]["kept"] == report["engine_threads"]["kept"] > 0
    assert 0 < report["peer"]["kept"] <= 10 * (60 + 40)
    assert len(report["all_totals_s"]["peer"]) == 1
