"""Phases of the load test, run as locust subprocesses, and their statistics.

Used by `loadtest/run.py` (the full run) and `tests/reliability/test_load_small.py`
(the small one in CI). Nothing here imports locust or gevent: locust patches the
standard library of the process it runs in, so it always runs in its own.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
SIGN_IN = ("/accounts/login/ (form)", "/accounts/login/ (sign in)")


class LoadTestError(RuntimeError):
    """A phase or the database step did not complete."""


@dataclass(frozen=True)
class Phase:
    """One locust run: which simulated users, how many, for how long."""

    name: str
    classes: tuple[str, ...]
    users: int
    spawn_rate: float
    seconds: int
    think: tuple[float, float] = (1.0, 3.0)
    burst_users: int = 0


def prepare(env: dict[str, str], plan_path: Path, per_enterprise: int | None = None) -> dict:
    """Pending introductions in the (seeded) database and the plan file of the users."""
    _django(env, "plan", plan_path, *([str(per_enterprise)] if per_enterprise else []))
    return json.loads(plan_path.read_text(encoding="utf-8"))


def verify(env: dict[str, str], results: list[dict], workdir: Path) -> dict:
    """Ask the database how often each submitted marker was stored, and what was accepted."""
    merged = {
        "attempted_markers": [m for r in results for m in r["attempted_markers"]],
        "submitted_markers": [m for r in results for m in r["submitted_markers"]],
        "accepted_interests": [pk for r in results for pk in r["accepted_interests"]],
    }
    path = workdir / "verify-input.json"
    path.write_text(json.dumps(merged, ensure_ascii=False), encoding="utf-8")
    return json.loads(_django(env, "verify", path))


def _django(env: dict[str, str], command: str, path: Path, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 — our own command line
        [sys.executable, "-m", "loadtest.prepare", command, str(path), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise LoadTestError(f"loadtest.prepare {command} failed:\n{result.stderr[-5000:]}")
    return result.stdout


def run_phase(phase: Phase, host: str, plan_path: Path, workdir: Path, run_id: str) -> dict:
    """Run locust headless for the phase; returns the raw results the locustfile wrote."""
    results_path = workdir / f"locust-{phase.name}.json"
    log_path = workdir / f"locust-{phase.name}.log"
    env = {
        **os.environ,
        "LOADTEST_PLAN": str(plan_path),
        "LOADTEST_RESULTS": str(results_path),
        "LOADTEST_RUN": f"{run_id}-{phase.name}",
        "LOADTEST_THINK": f"{phase.think[0]},{phase.think[1]}",
        "LOADTEST_USERS": str(phase.users),
        "LOADTEST_BURST_USERS": str(phase.burst_users),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "--users",
        str(phase.users),
        "--spawn-rate",
        str(phase.spawn_rate),
        "--run-time",
        f"{phase.seconds}s",
        "--stop-timeout",
        "60",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
        *phase.classes,
    ]
    with log_path.open("w") as log:
        completed = subprocess.run(  # noqa: S603 — our own command line
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=phase.seconds + 900,
            check=False,
        )
    if completed.returncode != 0 or not results_path.exists():
        raise LoadTestError(
            f"locust phase {phase.name} exited {completed.returncode}:\n"
            + log_path.read_text(errors="replace")[-5000:]
        )
    return json.loads(results_path.read_text(encoding="utf-8"))


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def _stats(rows: list[list], seconds: float) -> dict:
    times = sorted(row[1] for row in rows)
    return {
        "requests": len(rows),
        "failures": sum(1 for row in rows if not row[2]),
        "rps": round(len(rows) / seconds, 2) if seconds > 0 else None,
        "p50_ms": _round(percentile(times, 50)),
        "p95_ms": _round(percentile(times, 95)),
        "p99_ms": _round(percentile(times, 99)),
        "max_ms": _round(times[-1] if times else None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summarize(results: dict) -> dict:
    """Throughput, percentiles and errors of a phase.

    Timings and throughput count the steady state: requests started after every user
    had signed in (`ready_at`; for a burst, its release) until locust stopped. Errors
    count every request, the sign-ins included.
    """
    samples: dict[str, list] = results["samples"]
    every = [row for rows in samples.values() for row in rows]
    burst = results.get("burst") or {}
    start = (
        burst.get("released_at")
        or results.get("ready_at")
        or min((row[0] for row in every), default=0)
    )
    seconds = max(results["quit_at"] - start, 1e-9)
    steady = {
        name: [row for row in rows if row[0] >= start]
        for name, rows in samples.items()
        if name not in SIGN_IN
    }
    summary = {
        "seconds": round(seconds, 1),
        "requests_all": len(every),
        "errors_all": sum(1 for row in every if not row[2]),
        "error_rate": round(sum(1 for row in every if not row[2]) / max(len(every), 1), 5),
        "total": _stats([row for rows in steady.values() for row in rows], seconds),
        "endpoints": {name: _stats(rows, seconds) for name, rows in sorted(steady.items()) if rows},
        "sign_ins": _stats(samples.get(SIGN_IN[1], []), seconds),
        "failures": results["failures"][:20],
    }
    if burst.get("users"):
        rows = samples.get("/my/needs/new/ (burst submit)", [])
        released, last = burst.get("released_at"), burst.get("last_answer_at")
        summary["burst"] = {
            **burst,
            "wall_seconds": round(last - released, 2) if released and last else None,
            # From the first request of the phase until the last user had signed in.
            "sign_in_seconds": round(released - min(row[0] for row in every), 1)
            if released and every
            else None,
            "submit": _stats(rows, (last - released) if released and last else 0),
        }
    return summary
