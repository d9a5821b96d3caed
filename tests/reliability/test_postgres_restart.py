"""PostgreSQL restarts and outages under traffic: a short burst of errors, then recovery.

The site runs under gunicorn with the production settings: persistent connections
(CONN_MAX_AGE) checked before reuse (CONN_HEALTH_CHECKS). While PostgreSQL is down,
requests that need it fail and `/readyz` says so (503, database check failing); once
it is back every request succeeds again without restarting the app.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field

import psutil
import pytest

from loadtest.harness import AppServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

# Requests that were in flight or arrived while the database came back may fail; after
# this long past the moment PostgreSQL accepts connections again, none may.
GRACE_SECONDS = 2.0
OUTAGE_SECONDS = 2.0
TRAFFIC_THREADS = 4
# Each traffic thread pauses this long between requests (~ 4 × 10 requests a second).
PAUSE_SECONDS = 0.1


@dataclass(frozen=True)
class Sample:
    path: str
    started: float
    ended: float
    status: int  # 0: no HTTP answer at all

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Window:
    """When the database was unavailable: from the stop command to ready again."""

    name: str
    start: float
    end: float = 0.0

    def burst(self, samples: list[Sample]) -> list[Sample]:
        """Failed requests that overlapped the window or its grace period."""
        return [
            s
            for s in samples
            if not s.ok and s.ended >= self.start and s.started <= self.end + GRACE_SECONDS
        ]

    def arrived_while_down(self, samples: list[Sample]) -> list[Sample]:
        """Failed requests that started while the database was down."""
        return [s for s in self.burst(samples) if self.start <= s.started <= self.end]

    def failed_around(self, samples: list[Sample]) -> list[Sample]:
        """Failed requests that did not arrive while it was down: cut in flight, or sent
        over a stale pooled connection after it came back."""
        down = self.arrived_while_down(samples)
        return [s for s in self.burst(samples) if s not in down]

    def failed_after_recovery(self, samples: list[Sample]) -> list[Sample]:
        """Failed requests that started after the database accepted connections again."""
        return [s for s in self.burst(samples) if s.started > self.end]


@dataclass
class Traffic:
    """Threads requesting catalog pages and /readyz in turn, recording every answer."""

    server: AppServer
    paths: list[str]
    threads: int = TRAFFIC_THREADS
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(offset,), daemon=True)
            for offset in range(self.threads)
        ]

    def _run(self, offset: int) -> None:
        index = offset
        while not self._stop.is_set():
            path = self.paths[index % len(self.paths)]
            index += 1
            started = time.monotonic()
            status, _body = self.server.get(path, timeout=15)
            with self._lock:
                self.samples.append(Sample(path, started, time.monotonic(), status))
            self._stop.wait(PAUSE_SECONDS)

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)


def catalog_paths(server: AppServer) -> list[str]:
    """Lists, details and a filtered list of the demo catalog, and the readiness probe."""
    paths = ["/needs/", "/solutions/", "/needs/?industry=manufacturing&ordering=-budget"]
    for kind in ("needs", "solutions"):
        status, body = server.get(f"/{kind}/")
        assert status == 200
        ids = sorted(set(re.findall(rf'href="/{kind}/(\d+)/"', body.decode())))
        assert ids, f"no {kind} in the demo catalog page"
        paths += [f"/{kind}/{pk}/" for pk in ids[:3]]
    return [*paths, "/readyz"]


def server_processes(server: AppServer) -> set[int]:
    """The gunicorn master and worker pids: they must survive a database outage."""
    master = psutil.Process(server.process.pid)
    return {master.pid, *(child.pid for child in master.children())}


def wait_until_ready(server: AppServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.get("/readyz")[0] == 200:
            return
        time.sleep(0.1)
    pytest.fail(f"/readyz did not return to 200 within {timeout} s:\n{server.log_tail()}")


def describe(samples: list[Sample]) -> str:
    return ", ".join(f"{s.path}→{s.status}" for s in samples[:40])


def test_postgres_restart_and_outage_cost_a_short_burst_and_no_app_restart(
    pg_cluster, site_env, tmp_path
):
    with AppServer(site_env, workers=2, threads=2, log_path=tmp_path / "gunicorn.log") as server:
        paths = catalog_paths(server)
        processes_before = server_processes(server)
        with Traffic(server, paths) as traffic:
            time.sleep(3)

            restart = Window("restart", time.monotonic())
            pg_cluster.restart(mode="fast")
            restart.end = time.monotonic()
            time.sleep(GRACE_SECONDS + 2)

            outage = Window("outage", time.monotonic())
            pg_cluster.stop(mode="fast")
            probes, liveness = [], []
            while time.monotonic() < outage.start + OUTAGE_SECONDS:
                status, body = server.get("/readyz")
                probes.append((status, json.loads(body or b"{}")))
                liveness.append(server.get("/healthz")[0])
                time.sleep(0.2)
            pg_cluster.start()
            outage.end = time.monotonic()
            wait_until_ready(server)
            time.sleep(GRACE_SECONDS + 3)
        final_status, final_body = server.get("/readyz")
        processes_after = server_processes(server)

    samples = sorted(traffic.samples, key=lambda s: s.started)
    errors = [s for s in samples if not s.ok]
    rate = len(samples) / (samples[-1].ended - samples[0].started)
    for window in (restart, outage):
        print(  # noqa: T201 — the figures are the point of this test; pytest -s shows them
            f"\n{window.name}: database unavailable {window.end - window.start:.2f} s; "
            f"{len(window.arrived_while_down(samples))} failed requests arrived meanwhile, "
            f"{len(window.failed_around(samples))} failed around it "
            f"({len(window.failed_after_recovery(samples))} after it was back); "
            f"{len(samples)} requests in all at {rate:.1f}/s, server concurrency "
            f"{server.concurrency}"
        )

    # Before anything happened, everything worked.
    assert [s for s in errors if s.ended < restart.start] == []
    # During the outage the readiness probe reports the database as the failing check.
    assert probes
    assert {status for status, _body in probes} == {503}
    assert {body["checks"]["database"]["ok"] for _status, body in probes} == {False}
    # …while the process itself is alive: liveness does not depend on the database.
    assert set(liveness) == {200}
    # The app answered throughout: every failure is an HTTP error page, none a refused
    # or timed-out connection.
    assert {s.status for s in errors} <= {500, 503}
    # Errors happen only around the restart and the outage, never after recovery + grace.
    assert sorted(restart.burst(samples) + outage.burst(samples), key=lambda s: s.started) == (
        errors
    )
    # A short burst. Requests that arrive while PostgreSQL is down fail (there is no
    # database to answer them); beyond those, a restart cuts the requests in flight
    # and a stale pooled connection may fail once — at most two per server thread.
    # Health-checked connections (CONN_HEALTH_CHECKS) make the stale ones none.
    for window in (restart, outage):
        assert len(window.failed_around(samples)) <= server.concurrency * 2, describe(
            window.failed_around(samples)
        )
        assert len(window.failed_after_recovery(samples)) <= server.concurrency, describe(
            window.failed_after_recovery(samples)
        )
    # Afterwards every request succeeds again, from the same processes: no app restart.
    recovered = [s for s in samples if s.started > outage.end + GRACE_SECONDS]
    assert len(recovered) >= TRAFFIC_THREADS
    assert [s for s in recovered if not s.ok] == []
    assert final_status == 200
    assert json.loads(final_body)["checks"]["database"]["ok"] is True
    assert processes_after == processes_before
