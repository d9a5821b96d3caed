"""The load test, small: the user mix without errors, 50 concurrent submissions stored once.

The same simulated users as `loadtest/run.py` (locust, in a subprocess) against
gunicorn on the private PostgreSQL: anonymous visitors browsing and filtering the
catalog, the demo provider on its matched needs, enterprises submitting needs and
accepting introductions. Then 50 users sign in and submit one need each at the same
moment. No timing thresholds here: the figures are in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import importlib.util

import pytest

from loadtest import runner
from loadtest.harness import AppServer
from tests import services

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

BURST = 50
MIX = runner.Phase(
    "mix",
    ("Visitor", "Provider", "Enterprise", "HealthProbe"),
    users=11,
    spawn_rate=11,
    seconds=25,
    think=(0.2, 0.8),
)
SUBMIT_BURST = runner.Phase(
    "burst", ("NeedSubmitter",), users=BURST, spawn_rate=10, seconds=600, burst_users=BURST
)


@pytest.fixture
def locust_installed():
    """locust is a pinned test dependency: missing, it skips (fails with REQUIRE_SERVICES=1)."""
    if importlib.util.find_spec("locust") is None:
        if services.require_services():
            pytest.fail("REQUIRE_SERVICES=1 but locust is not installed (requirements-dev.txt)")
        pytest.skip("needs locust (pip install -r requirements-dev.txt)")


def test_user_mix_has_no_errors_and_concurrent_submissions_are_stored_exactly_once(
    locust_installed, site_env, tmp_path
):
    plan_path = tmp_path / "plan.json"
    plan = runner.prepare(site_env, plan_path, per_enterprise=6)
    with AppServer(site_env, workers=2, threads=2, log_path=tmp_path / "gunicorn.log") as server:
        mix = runner.run_phase(MIX, server.url, plan_path, tmp_path, "ci")
        burst = runner.run_phase(SUBMIT_BURST, server.url, plan_path, tmp_path, "ci")
        server_log = server.log_tail()
    stored = runner.verify(site_env, [mix, burst], tmp_path)
    mix_summary, burst_summary = runner.summarize(mix), runner.summarize(burst)

    assert sum(len(account["interests"]) for account in plan["enterprises"]) > 0
    # No request failed: sign-ins, pages, submissions, acceptances.
    assert mix_summary["failures"] == [], server_log
    assert burst_summary["failures"] == [], server_log
    assert mix_summary["errors_all"] == burst_summary["errors_all"] == 0
    # Every kind of page was visited in the mix.
    assert {
        "/needs/",
        "/needs/<id>/",
        "/solutions/",
        "/solutions/<id>/",
        "/matches/needs/",
        "/healthz (probe)",
    } <= mix_summary["endpoints"].keys()
    # Each submission, in the mix and in the burst, is stored exactly once.
    assert len(burst["attempted_markers"]) == BURST
    assert burst_summary["burst"]["arrived"] == BURST
    assert len(mix["attempted_markers"]) > 0
    assert stored["missing"] == []
    assert stored["duplicated"] == []
    assert stored["stored_exactly_once"] == stored["markers_attempted"]
    assert stored["markers_answered_ok"] == stored["markers_attempted"]
    assert stored["stored_status"] == {"submitted": stored["markers_attempted"]}
    # Each introduction that answered "accepted" is accepted in the database.
    assert stored["accepts_answered_ok"] > 0
    assert stored["accepts_stored"] == stored["accepts_answered_ok"]
