"""Search latency under load: the catalog search at 10,000 published needs against /healthz.

    python manage.py bench_search [--needs 10000] [--databases postgresql sqlite] [--json]

For each database (a private PostgreSQL cluster, and the embedded SQLite default in a
scratch file) it migrates, loads the demo programme (`seed_demo`), adds `--needs`
published synthetic needs (`matchmaking.engine.synthetic`, bilingual), starts the site
under gunicorn exactly as the load test does (loadtest/harness.py,
platform/gunicorn.conf.py, production settings) and runs two locust phases with the same
users and no think time: only `/healthz` (the server's floor), then only
`/needs/?q=…` cycling through the need queries of tests/search/judgments.json. The
figure is the search's p95 over /healthz's p95 (target ≤ 10).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from loadtest import harness, runner

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "tests" / "search" / "judgments.json"
TARGET_RATIO = 10


def need_queries() -> list[str]:
    queries = json.loads(JUDGMENTS.read_text(encoding="utf-8"))["queries"]
    return [q["q"] for q in queries if q["kind"] == "need"]


def populate(count: int) -> dict:
    """Add `count` published synthetic needs (run inside the site's environment)."""
    from django.utils import timezone  # noqa: PLC0415

    from core.models import Capability, Industry, Organization  # noqa: PLC0415
    from matchmaking.engine.synthetic import generate_needs  # noqa: PLC0415
    from matchmaking.models import Need, Status  # noqa: PLC0415

    records = generate_needs(count, seed=0, organizations=max(1, count // 50))
    industries = dict(Industry.objects.values_list("code", "pk"))
    capabilities = dict(Capability.objects.values_list("code", "pk"))
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"基准测试企业{i}", kind="enterprise", uscc=f"BENCH{i:013d}", district="徐汇区"
        )
        for i in range(max(1, count // 50))
    )
    now = timezone.now()
    needs = Need.objects.bulk_create(
        (
            Need(
                organization=organizations[(r.organization_id - 1) % len(organizations)],
                title=r.title[:120],
                summary=r.summary[:600],
                description=r.description,
                industry_id=industries.get(r.industry),
                status=Status.APPROVED,
                published_at=now,
                budget_min=r.budget_min,
                budget_max=r.budget_max,
            )
            for r in records
        ),
        batch_size=1000,
    )
    through = Need.capabilities.through
    through.objects.bulk_create(
        (
            through(need_id=need.pk, capability_id=capabilities[code])
            for need, record in zip(needs, records, strict=True)
            for code in record.capabilities
            if code in capabilities
        ),
        batch_size=5000,
    )
    # Statistics and visibility maps as a database in use has them (not the autovacuum
    # that a bulk load sets off a minute later, in the middle of a measured phase).
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"needs_added": len(needs), **index_costs()}


def index_costs() -> dict:
    """What keeping the public need index costs here: a whole build (written to the
    shared file), a new process reading that file, and following one edited need and
    one withdrawn need (catch-up, in a process holding the index)."""
    from matchmaking.models import Need, Status  # noqa: PLC0415
    from matchmaking.search import index  # noqa: PLC0415

    def timed(action) -> float:
        started = time.perf_counter()
        action()
        return round(time.perf_counter() - started, 3)

    index.forget()  # a cold process
    build = timed(lambda: index.index_for("need"))
    index.forget()  # a new worker: reads the file
    load = timed(lambda: index.index_for("need"))
    need = Need.objects.filter(status=Status.APPROVED).order_by("pk").first()
    need.title = f"{need.title}（修订）"
    need.save()
    edit = timed(lambda: index.index_for("need"))
    need.status = Status.WITHDRAWN
    need.save()
    withdraw = timed(lambda: index.index_for("need"))
    return {
        "needs_indexed": len(index.index_for("need")),
        "index_build_s": build,
        "index_file_read_s": load,
        "follow_edit_s": edit,
        "follow_withdrawal_s": withdraw,
    }


class Editor(threading.Thread):
    """Edits a published need every `every` seconds (its title and last change), straight
    in the database, as an office approving and correcting records all day would: every
    worker's index has to follow each edit while the searches go on."""

    def __init__(self, database_url: str, every: float) -> None:
        super().__init__(daemon=True)
        self.url, self.every = database_url, every
        self.edits = 0
        self._finished = threading.Event()

    def finish(self) -> None:
        self._finished.set()
        self.join(timeout=30)

    def _connect(self):
        if self.url.startswith("sqlite:"):
            import sqlite3  # noqa: PLC0415

            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
            return connection, "?"
        import psycopg  # noqa: PLC0415

        return psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)), "%s"

    def run(self) -> None:
        connection, mark = self._connect()
        try:
            cursor = connection.cursor()
            cursor.execute(
                "SELECT id, title FROM matchmaking_need WHERE status = 'approved' ORDER BY id"
            )
            needs = cursor.fetchall()
            while not self._finished.wait(self.every):
                pk, title = needs[self.edits % len(needs)]
                changed = datetime.now(UTC)
                if mark == "?":  # SQLite: the text Django stores (UTC, no zone)
                    changed = changed.strftime("%Y-%m-%d %H:%M:%S.%f")
                cursor.execute(
                    f"UPDATE matchmaking_need SET title = {mark}, updated_at = {mark} "  # noqa: S608
                    f"WHERE id = {mark}",
                    (f"{title[:100]}（修订{self.edits + 1}）", changed, pk),
                )
                connection.commit()
                self.edits += 1
        finally:
            connection.close()


def _warm(server) -> None:
    """Every judged query once, as many at a time as the server has threads, before a
    search phase: each worker loaded its indexes and templates before its first request
    (platform/gunicorn.conf.py), and this warms the rest of its code paths. Before each
    search phase, not once: gunicorn replaces a worker after `max_requests` (2,000 ±
    200), which the /healthz phase reaches in every worker."""
    paths = [f"/needs/?{urlencode({'q': q})}" for q in need_queries()]
    with ThreadPoolExecutor(server.workers * server.threads) as pool:
        statuses = set(pool.map(lambda path: server.get(path, timeout=120)[0], paths))
    if statuses != {200}:
        raise runner.LoadTestError(f"warm-up searches answered {sorted(statuses)}")


def _measure(env: dict, database: str, args, output: Path) -> dict:
    env = {**env, "SEARCH_INDEX_DIR": str(output / f"search-index-{database}")}
    harness.manage(env, "migrate", "--noinput", timeout=1200)
    harness.manage(env, "seed_demo", timeout=1200)
    populated = json.loads(harness.manage(env, "bench_search", "--populate", str(args.needs)))
    plan_path = output / f"plan-{database}.json"
    plan_path.write_text(
        json.dumps(
            {"password": "", "enterprises": [], "search_queries": need_queries()},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    result = {"database": database, **populated}
    with harness.AppServer(env, log_path=output / f"gunicorn-{database}.log") as server:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        phases = (
            ("healthz", "TrivialView"),
            ("search", "SearchPage"),
            ("search_live", "SearchPage"),
        )
        for name, user_class in phases:
            if name != "healthz":
                _warm(server)
            phase = runner.Phase(
                f"{name}-{database}",
                (user_class,),
                users=args.users,
                spawn_rate=args.users,
                seconds=args.seconds,
            )
            editor = Editor(env["DATABASE_URL"], args.edit_every) if name == "search_live" else None
            if editor:
                editor.start()
            try:
                summary = runner.summarize(
                    runner.run_phase(phase, server.url, plan_path, output, stamp)
                )
            finally:
                if editor:
                    editor.finish()
            endpoint = "/healthz" if name == "healthz" else "/needs/?q="
            stats = summary["endpoints"].get(endpoint, {})
            result[name] = {
                "requests": stats.get("requests"),
                "rps": stats.get("rps"),
                "p50_ms": stats.get("p50_ms"),
                "p95_ms": stats.get("p95_ms"),
                "errors": summary["errors_all"],
                **({"edits": editor.edits} if editor else {}),
            }
    p95_search, p95_health = result["search"]["p95_ms"], result["healthz"]["p95_ms"]
    result["p95_ratio"] = round(p95_search / p95_health, 2) if p95_health else None
    p95_live = result["search_live"]["p95_ms"]
    result["p95_ratio_live"] = round(p95_live / p95_health, 2) if p95_health and p95_live else None
    result["target_met"] = result["p95_ratio"] is not None and result["p95_ratio"] <= TARGET_RATIO
    return result


def run(args) -> list[dict]:
    results = []
    output = Path(args.output or tempfile.mkdtemp(prefix="aiplus-bench-search-"))
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        static = harness.collect_static(Path(scratch) / "static")
        for database in args.databases:
            if database == "postgresql":
                with harness.PostgresCluster() as cluster:
                    url = cluster.create_database("aiplus_bench_search")
                    env = harness.site_env(url, static_root=static)
                    results.append(_measure(env, database, args, output))
            else:
                url = f"sqlite:///{Path(scratch) / 'bench-search.sqlite3'}"
                env = harness.site_env(url, static_root=static)
                results.append(_measure(env, database, args, output))
    return results
