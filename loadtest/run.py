"""The full load test: private PostgreSQL, demo data, gunicorn, locust; prints and saves figures.

    .venv/bin/python loadtest/run.py                  # ~12 minutes on 2 cores
    .venv/bin/python loadtest/run.py --mix-seconds 60 --burst 100   # quicker look

Steps: initdb a private cluster on a free port (loadtest/harness.py),
migrate, `seed_demo`, give the enterprises pending introductions, start gunicorn with
platform/gunicorn.conf.py on 127.0.0.1 (DEBUG off, eager tasks, no Redis), then run
locust headless in four phases:

1. `healthz`: only /healthz, no think time — the server's floor;
2. `catalog`: only /needs/, same users, no think time — the catalog page's cost;
3. `mix`: the fixed user mix (loadtest/locustfile.py) for a fixed duration;
4. `burst`: N users sign in, then all submit one need at the same moment.

Then it counts in the database how often each submitted need was stored, prints a
summary with the targets (0 errors; catalog p95 ≤ 10 × /healthz p95; every burst
submission stored exactly once) and writes everything to OUTPUT/results.json.
Traffic goes to 127.0.0.1 only, and every phase stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from loadtest import harness, runner  # noqa: E402

P95_TARGET_RATIO = 10


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mix-users", type=int, default=60)
    parser.add_argument("--mix-seconds", type=int, default=180)
    parser.add_argument("--think", default="1,3", help="think time between tasks, min,max s")
    parser.add_argument("--compare-users", type=int, default=10)
    parser.add_argument("--compare-seconds", type=int, default=30)
    parser.add_argument("--burst", type=int, default=500, help="concurrent need submissions")
    parser.add_argument("--burst-spawn-rate", type=float, default=5)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--threads", type=int, help="gunicorn threads (default: its config)")
    parser.add_argument("--output", type=Path, help="directory for results.json and logs")
    return parser.parse_args(argv)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("Django", "gunicorn", "psycopg", "locust"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        **versions,
    }


def warm_up(server: harness.AppServer, plan: dict) -> None:
    """Every process imports, compiles templates and connects before anything is timed."""
    paths = ["/healthz", "/readyz", "/needs/", "/solutions/", "/accounts/login/"]
    paths += [f"/needs/{pk}/" for pk in plan["needs"][:3]]
    paths += [f"/solutions/{pk}/" for pk in plan["solutions"][:3]]
    for _round in range(server.workers * server.threads):
        for path in paths:
            status, _body = server.get(path, timeout=60)
            if status != 200:
                raise runner.LoadTestError(f"warm-up: {path} answered {status}")


def run(args: argparse.Namespace) -> dict:
    reason = harness.unavailable_reason()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    think = tuple(float(x) for x in args.think.split(","))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or ROOT / "var" / "loadtest" / stamp
    output.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(shlex.quote(part) for part in [sys.executable, *sys.argv]),
        "machine": machine(),
    }
    phases: dict[str, dict] = {}
    raw: dict[str, dict] = {}
    with harness.PostgresCluster() as cluster, tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        step("PostgreSQL", f"private cluster on 127.0.0.1:{cluster.port}")
        url = cluster.create_database("aiplus_load")
        env = harness.site_env(
            url,
            static_root=harness.collect_static(scratch_path / "static"),
            media_root=scratch_path / "media",
        )
        step("database", "migrate, seed_demo, pending introductions")
        harness.manage(env, "migrate", "--noinput")
        harness.manage(env, "seed_demo")
        plan_path = output / "plan.json"
        plan = runner.prepare(env, plan_path)
        report["data"] = {
            "needs": len(plan["needs"]),
            "solutions": len(plan["solutions"]),
            "enterprise_accounts": len(plan["enterprises"]),
            "pending_introductions": sum(len(a["interests"]) for a in plan["enterprises"]),
        }
        report["machine"]["postgresql"] = subprocess.run(  # noqa: S603
            [str(cluster.bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        with harness.AppServer(
            env, workers=args.workers, threads=args.threads, log_path=output / "gunicorn.log"
        ) as server:
            report["server"] = {
                "gunicorn_workers": server.workers,
                "gunicorn_threads": server.threads,
                "worker_class": "gthread",
                "config": "platform/gunicorn.conf.py",
                "settings": "production (DEBUG off), eager Celery, dummy email backend",
            }
            step("gunicorn", f"{server.url}, {server.workers} workers × {server.threads} threads")
            warm_up(server, plan)
            for phase in (
                runner.Phase(
                    "healthz",
                    ("TrivialView",),
                    users=args.compare_users,
                    spawn_rate=args.compare_users,
                    seconds=args.compare_seconds,
                ),
                runner.Phase(
                    "catalog",
                    ("CatalogPage",),
                    users=args.compare_users,
                    spawn_rate=args.compare_users,
                    seconds=args.compare_seconds,
                ),
                runner.Phase(
                    "mix",
                    ("Visitor", "Provider", "Enterprise", "HealthProbe"),
                    users=args.mix_users,
                    spawn_rate=max(1, args.mix_users // 10),
                    seconds=args.mix_seconds,
                    think=think,
                ),
                runner.Phase(
                    "burst",
                    ("NeedSubmitter",),
                    users=args.burst,
                    spawn_rate=args.burst_spawn_rate,
                    seconds=max(900, int(args.burst / args.burst_spawn_rate) + 600),
                    burst_users=args.burst,
                ),
            ):
                if phase.users <= 0:
                    continue
                step(phase.name, describe(phase))
                raw[phase.name] = runner.run_phase(phase, server.url, plan_path, output, stamp)
                phases[phase.name] = {
                    "users": phase.users,
                    "classes": list(phase.classes),
                    "duration_s": phase.seconds if phase.name != "burst" else None,
                    "think_s": list(phase.think) if phase.name == "mix" else [0, 0],
                    **runner.summarize(raw[phase.name]),
                }
                print(f"    {one_line(phases[phase.name])}", flush=True)  # noqa: T201
        step("database", "counting stored submissions and accepted introductions")
        report["stored"] = runner.verify(env, list(raw.values()), output)
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["phases"] = phases
    report["targets"] = targets(report)
    (output / "results.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print_summary(report, output)
    return report


def step(name: str, detail: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name}: {detail}", flush=True)  # noqa: T201


def describe(phase: runner.Phase) -> str:
    if phase.burst_users:
        return f"{phase.users} users sign in ({phase.spawn_rate}/s), then all submit at once"
    return f"{', '.join(phase.classes)}; {phase.users} users for {phase.seconds} s"


def one_line(summary: dict) -> str:
    if "burst" in summary:
        burst, submit = summary["burst"], summary["burst"]["submit"]
        return (
            f"{burst['answered']} of {burst['users']} submitted in {burst['wall_seconds']} s "
            f"after the last sign-in: p50 {submit['p50_ms']} ms, p95 {submit['p95_ms']} ms, "
            f"max {submit['max_ms']} ms; {summary['sign_ins']['requests']} sign-ins took "
            f"{burst['sign_in_seconds']} s before; "
            f"errors {summary['errors_all']}"
        )
    total = summary["total"]
    return (
        f"{total['requests']} requests, {total['rps']} req/s, p50 {total['p50_ms']} ms, "
        f"p95 {total['p95_ms']} ms, p99 {total['p99_ms']} ms, errors {summary['errors_all']}"
    )


def targets(report: dict) -> dict:
    phases = report["phases"]
    errors = sum(phase["errors_all"] for phase in phases.values())
    result: dict = {"errors": {"value": errors, "target": 0, "met": errors == 0}}
    if "healthz" in phases and "catalog" in phases:
        floor = phases["healthz"]["endpoints"]["/healthz"]
        page = phases["catalog"]["endpoints"]["/needs/"]
        ratio = page["p95_ms"] / floor["p95_ms"] if floor["p95_ms"] else None
        result["catalog_p95_vs_healthz_p95"] = {
            "value": round(ratio, 2) if ratio is not None else None,
            "target": f"≤ {P95_TARGET_RATIO}",
            "met": ratio is not None and ratio <= P95_TARGET_RATIO,
        }
        result["catalog_throughput_vs_healthz"] = {
            "value": round(page["rps"] / floor["rps"], 3) if floor["rps"] else None,
            "target": "reported",
        }
    if "mix" in phases:
        endpoints = phases["mix"]["endpoints"]
        probe = endpoints.get("/healthz (probe)", {})
        page = endpoints.get("/needs/", {})
        if probe.get("p95_ms") and page.get("p95_ms"):
            result["in_mix_catalog_p95_vs_healthz_p95"] = {
                "value": round(page["p95_ms"] / probe["p95_ms"], 2),
                "target": "reported",
            }
    stored = report["stored"]
    burst = phases.get("burst", {}).get("burst", {})
    exactly_once = (
        stored["missing"] == []
        and stored["duplicated"] == []
        and stored["stored_exactly_once"] == stored["markers_attempted"]
        and burst.get("arrived") == burst.get("users")
    )
    result["submissions_stored_exactly_once"] = {
        "value": f"{stored['stored_exactly_once']} of {stored['markers_attempted']}",
        "target": "all",
        "met": exactly_once,
    }
    return result


def print_summary(report: dict, output: Path) -> None:
    lines = ["", "=== load test summary ===", f"machine: {report['machine']}"]
    for name, phase in report["phases"].items():
        lines.append(f"{name}: {one_line(phase)}")
        for endpoint, stats in phase["endpoints"].items():
            figures = {key: "-" if value is None else value for key, value in stats.items()}
            lines.append(
                f"    {endpoint:<34} {figures['requests']:>7} req {figures['rps']:>8} req/s"
                f"  p50 {figures['p50_ms']:>8}  p95 {figures['p95_ms']:>8}"
                f"  p99 {figures['p99_ms']:>8}  failed {figures['failures']}"
            )
        if "burst" in phase:
            lines.append(f"    burst: {phase['burst']}")
    lines.append(f"stored: {report['stored']}")
    for name, target in report["targets"].items():
        verdict = {True: "MET", False: "MISSED"}.get(target.get("met"), "")
        lines.append(f"target {name}: {target['value']} (target {target['target']}) {verdict}")
    lines.append(f"results: {output / 'results.json'}")
    print("\n".join(lines), flush=True)  # noqa: T201


def main(argv: list[str] | None = None) -> int:
    report = run(parse_args(sys.argv[1:] if argv is None else argv))
    return 0 if all(t.get("met", True) for t in report["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
