"""Relevance figures of the catalog search over judged queries (docs/SEARCH.md).

Judgments name records by their catalog key (`source_key`, as the demo catalog and
any catalog import set it). Recall@10: the share of a query's relevant records among
its first ten results; MRR: the mean of 1 / rank of the first relevant result (0 when
none is found).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet

from matchmaking.models import Need, Solution, Status
from matchmaking.search.queries import by_relevance, search


def judgments_path() -> Path:
    """The judged queries of the project (read when asked, not at import time)."""
    return Path(settings.BASE_DIR) / "tests" / "search" / "judgments.json"


CUTOFF = 10
_MODELS = {"need": Need, "solution": Solution}


@dataclass(frozen=True)
class Figures:
    queries: int
    recall: float
    mrr: float
    misses: tuple[str, ...]  # queries whose relevant records are not all in the first ten


def load_judgments(path: Path | None = None) -> list[dict]:
    return json.loads((path or judgments_path()).read_text(encoding="utf-8"))["queries"]


def engine_ranking(published: QuerySet, kind: str, query: str) -> list[int]:
    """The catalog search's first results, as an anonymous visitor gets them."""
    found = search(published, kind=kind, query=query, user=AnonymousUser(), restrict=False)
    return list(by_relevance(found).values_list("pk", flat=True)[:CUTOFF])


def evaluate(
    judgments: list[dict],
    ranking: Callable[[QuerySet, str, str], list[int]] = engine_ranking,
) -> dict[str, Figures]:
    """Figures per half ("tuning", "held-out") and for all queries, searched as an
    anonymous visitor over the published records of the database (by the catalog
    search, or by another `ranking` to compare: bench/search_postgres.py)."""
    keys = {
        kind: dict(model.objects.exclude(source_key=None).values_list("source_key", "pk"))
        for kind, model in _MODELS.items()
    }
    per_half: dict[str, list[tuple[float, float, str]]] = {}
    for judgment in judgments:
        kind = judgment["kind"]
        relevant = {keys[kind][key] for key in judgment["relevant"] if key in keys[kind]}
        published = _MODELS[kind].objects.filter(status=Status.APPROVED)
        ranked = ranking(published, kind, judgment["q"])[:CUTOFF]
        recall = len(relevant & set(ranked)) / len(relevant) if relevant else 0.0
        first = next((i for i, pk in enumerate(ranked, start=1) if pk in relevant), None)
        row = (recall, 1.0 / first if first else 0.0, f"{kind}: {judgment['q']}")
        per_half.setdefault(judgment.get("half", "tuning"), []).append(row)
        per_half.setdefault("all", []).append(row)
    return {
        half: Figures(
            queries=len(rows),
            recall=sum(r[0] for r in rows) / len(rows),
            mrr=sum(r[1] for r in rows) / len(rows),
            misses=tuple(r[2] for r in rows if r[0] < 1.0),
        )
        for half, rows in per_half.items()
    }


def evaluate_on_demo(
    judgments: list[dict],
    ranking: Callable[[QuerySet, str, str], list[int]] = engine_ranking,
) -> dict[str, Figures]:
    """`evaluate` over the demo catalog: the database's own when it is seeded, else
    the demo catalog imported in a transaction that is rolled back afterwards."""
    from matchmaking.catalog_io import import_catalog, parse_document  # noqa: PLC0415
    from matchmaking.services.demo import DEMO_CATALOG  # noqa: PLC0415

    catalog = parse_document(DEMO_CATALOG.read_bytes())
    if Need.objects.filter(source_key=catalog["needs"][0]["key"]).exists():
        return evaluate(judgments, ranking)
    with transaction.atomic():
        import_catalog(catalog, status=Status.APPROVED)
        figures = evaluate(judgments, ranking)
        transaction.set_rollback(True)
    return figures
