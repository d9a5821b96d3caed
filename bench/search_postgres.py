"""PostgreSQL's own text search next to the catalog search: relevance and latency.

    python manage.py bench_search --compare-postgres   (DATABASE_URL on PostgreSQL)

Three rankings of the judged queries of tests/search/judgments.json, each over the
published records of the database (the demo catalog when it is seeded, else the demo
catalog imported and rolled back, as `manage.py search_relevance` does):

- `engine`: the catalog search (the engine's TF-IDF vectors, matchmaking/search);
- `fts`: PostgreSQL full-text search, `to_tsvector('simple', title, summary,
  description) @@ plainto_tsquery('simple', q)` ranked by `ts_rank` (PostgreSQL ships
  no Chinese parser: zhparser and pg_jieba are extensions the platform does not ask
  a host to install, so a run of Chinese characters is one word);
- `trigram`: pg_trgm, `q <% text` ranked by `word_similarity(q, text)`.

Latency: each ranking's p50 / p95 per need query, over the database's published
needs, with a GIN index for the PostgreSQL rankings (created for the run, dropped
after). Results: docs/BENCHMARKS.md, "Search".
"""

from __future__ import annotations

import statistics
import time

from django.db import connection

from matchmaking.search.evaluation import engine_ranking, evaluate_on_demo, load_judgments

_FIELDS = "coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(description, '')"
_DOCUMENT = f"to_tsvector('simple', {_FIELDS})"
_INDEXES = {
    "fts": "CREATE INDEX IF NOT EXISTS {table}_bench_fts ON {table} USING gin (({document}))",
    "trigram": "CREATE INDEX IF NOT EXISTS {table}_bench_trig ON {table} "
    "USING gin (({fields}) gin_trgm_ops)",
}
# Only our own table and column names are put in; the query is a parameter.
_SQL = {
    "fts": f"SELECT id FROM {{table}} WHERE status = 'approved' AND {_DOCUMENT} "  # noqa: S608
    f"@@ plainto_tsquery('simple', %s) ORDER BY ts_rank({_DOCUMENT}, "
    f"plainto_tsquery('simple', %s)) DESC, id DESC LIMIT 10",
    "trigram": f"SELECT id FROM {{table}} WHERE status = 'approved' AND %s <%% ({_FIELDS}) "  # noqa: S608
    f"ORDER BY word_similarity(%s, {_FIELDS}) DESC, id DESC LIMIT 10",
}


def _sql_ranking(name: str):
    def ranking(published, kind: str, query: str) -> list[int]:
        sql = _SQL[name].format(table=published.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(sql, [query, query])
            return [row[0] for row in cursor.fetchall()]

    return ranking


RANKINGS = {
    "engine": engine_ranking,
    "fts": _sql_ranking("fts"),
    "trigram": _sql_ranking("trigram"),
}


def _indexes(action: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in ("matchmaking_need", "matchmaking_solution"):
            for name, statement in _INDEXES.items():
                if action == "create":
                    cursor.execute(
                        statement.format(table=table, document=_DOCUMENT, fields=_FIELDS)
                    )
                else:
                    cursor.execute(f"DROP INDEX IF EXISTS {table}_bench_{name[:4]}")


def compare() -> dict:
    """Relevance (recall@10, MRR over all judged queries) and latency of each ranking."""
    from matchmaking.models import Need, Status  # noqa: PLC0415

    if connection.vendor != "postgresql":
        raise RuntimeError("--compare-postgres needs DATABASE_URL on PostgreSQL")
    judgments = load_judgments()
    queries = [j["q"] for j in judgments if j["kind"] == "need"]
    published = Need.objects.filter(status=Status.APPROVED)
    _indexes("create")
    try:
        results = {}
        for name, ranking in RANKINGS.items():
            figures = evaluate_on_demo(judgments, ranking)["all"]
            ranking(published, "need", queries[0])  # warm: the engine builds its index
            times = []
            for query in queries:
                started = time.perf_counter()
                ranking(published, "need", query)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            results[name] = {
                "queries": figures.queries,
                "recall_at_10": round(figures.recall, 3),
                "mrr": round(figures.mrr, 3),
                "published_needs": published.count(),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            }
        return results
    finally:
        _indexes("drop")
