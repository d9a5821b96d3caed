"""Development evaluation of the matching quality.

`needs.json` and `solutions.json` hold a small catalog written for a Shanghai
"AI large model+" programme (industrial visual inspection, hospital knowledge
QA, grid forecasting, bank service agents, legal review, logistics …) in
Chinese, English and mixed text. Each need lists the solutions a domain
expert judged relevant: 2 = a provider the enterprise should meet, 1 =
partially relevant; unlisted = 0. The judgments were made by reading the
texts, never from engine output, and include traps: shared words but another
problem, the answer in the other language or in synonyms, the right
capability with an impossible deployment or a budget far apart.

`evaluate()` ranks every need's solutions with the engine and with a plain
TF-IDF cosine over the same text (same character/word n-grams, no glossary,
no structured fields) and reports precision@5 (relevance >= 1 counts) and
nDCG@10 (gain 2^rel - 1), averaged over needs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matchmaking.engine.config import EngineConfig
from matchmaking.engine.model import fit
from matchmaking.engine.pipeline import match_all
from matchmaking.engine.records import NeedRecord, SolutionRecord
from matchmaking.engine.text import Tokenizer

DATA_DIR = Path(__file__).parent


@dataclass
class Dataset:
    needs: list[NeedRecord]
    solutions: list[SolutionRecord]
    # (need id, solution id) -> relevance 1 or 2; absent = 0
    judgments: dict[tuple[int, int], int]
    need_keys: dict[int, str]
    solution_keys: dict[int, str]


def load_dataset(directory: Path = DATA_DIR) -> Dataset:
    """Records with integer ids (1-based, file order) and organizations from their keys."""
    raw_needs = json.loads((directory / "needs.json").read_text(encoding="utf-8"))
    raw_solutions = json.loads((directory / "solutions.json").read_text(encoding="utf-8"))
    organizations: dict[str, int] = {}

    def organization(key: str) -> int:
        return organizations.setdefault(key, len(organizations) + 1)

    solution_ids = {item["key"]: i for i, item in enumerate(raw_solutions, start=1)}
    solutions = [
        SolutionRecord(
            id=solution_ids[item["key"]],
            organization_id=organization(item["organization"]),
            title=item["title"],
            summary=item["summary"],
            description=item["description"],
            industries=tuple(item["industries"]),
            capabilities=tuple(item["capabilities"]),
            deployment_modes=tuple(item["deployment_modes"]),
            maturity=item["maturity"],
            price_min=item["price_min"],
            price_max=item["price_max"],
        )
        for item in raw_solutions
    ]
    needs, judgments = [], {}
    for i, item in enumerate(raw_needs, start=1):
        needs.append(
            NeedRecord(
                id=i,
                organization_id=organization(item["organization"]),
                title=item["title"],
                summary=item["summary"],
                description=item["description"],
                industry=item["industry"],
                capabilities=tuple(item["capabilities"]),
                deployment=item["deployment"],
                data_readiness=item["data_readiness"],
                budget_min=item["budget_min"],
                budget_max=item["budget_max"],
            )
        )
        for key, relevance in item["relevant"].items():
            judgments[i, solution_ids[key]] = relevance
    return Dataset(
        needs=needs,
        solutions=solutions,
        judgments=judgments,
        need_keys={i: item["key"] for i, item in enumerate(raw_needs, start=1)},
        solution_keys={v: k for k, v in solution_ids.items()},
    )


def precision_at(ranked: Sequence[int], relevance: dict[int, int], k: int = 5) -> float:
    return sum(1 for item in ranked[:k] if relevance.get(item, 0) >= 1) / k


def ndcg_at(ranked: Sequence[int], relevance: dict[int, int], k: int = 10) -> float:
    def dcg(gains: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(relevance.values(), reverse=True))
    return dcg([relevance.get(item, 0) for item in ranked]) / ideal if ideal else 0.0


@dataclass(frozen=True)
class Metrics:
    precision_at_5: float
    ndcg_at_10: float


@dataclass
class EvaluationReport:
    engine: Metrics
    baseline: Metrics
    # The same metrics for the provider's view (each solution ranking needs).
    engine_solution_side: Metrics
    baseline_solution_side: Metrics
    per_need: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "engine": vars(self.engine),
            "baseline": vars(self.baseline),
            "engine_solution_side": vars(self.engine_solution_side),
            "baseline_solution_side": vars(self.baseline_solution_side),
        }


def _metrics(rankings: dict[int, list[int]], relevance: dict[int, dict[int, int]]) -> Metrics:
    judged = [owner for owner in rankings if relevance.get(owner)]
    return Metrics(
        precision_at_5=float(np.mean([precision_at(rankings[o], relevance[o]) for o in judged])),
        ndcg_at_10=float(np.mean([ndcg_at(rankings[o], relevance[o]) for o in judged])),
    )


def baseline_rankings(dataset: Dataset) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Plain TF-IDF cosine of the texts (same n-grams, no glossary, no structure).

    scikit-learn is a development requirement (requirements-dev.in), imported
    here only: the platform itself never needs it.
    """
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    except ImportError as error:  # pragma: no cover - a production install
        raise RuntimeError(
            "the TF-IDF baseline needs scikit-learn, a development requirement: "
            "pip install -r requirements-dev.txt"
        ) from error
    tokenizer = Tokenizer(use_glossary=False)

    def analyzer(text: str) -> list[str]:
        counts: dict[str, float] = {}
        tokenizer.count(text, 1, counts)
        return [term for term, n in counts.items() for _ in range(int(n))]

    def text(record: NeedRecord | SolutionRecord) -> str:
        return "\n".join((record.title, record.summary, record.description))

    vectorizer = TfidfVectorizer(analyzer=analyzer)
    matrix = vectorizer.fit_transform([text(x) for x in (*dataset.needs, *dataset.solutions)])
    n_needs = len(dataset.needs)
    cosine = (matrix[:n_needs] @ matrix[n_needs:].T).toarray()
    need_ids = [n.id for n in dataset.needs]
    solution_ids = [s.id for s in dataset.solutions]
    for_needs = {
        need_ids[i]: [solution_ids[j] for j in np.lexsort((solution_ids, -cosine[i]))]
        for i in range(n_needs)
    }
    for_solutions = {
        solution_ids[j]: [need_ids[i] for i in np.lexsort((need_ids, -cosine[:, j]))]
        for j in range(len(solution_ids))
    }
    return for_needs, for_solutions


def evaluate(
    config: EngineConfig | None = None, dataset: Dataset | None = None
) -> EvaluationReport:
    """Engine versus plain TF-IDF on the development set."""
    dataset = dataset or load_dataset()
    config = config or EngineConfig(k=20)
    result = match_all(fit(dataset.needs, dataset.solutions, config))
    engine_needs = {n.id: [p.solution_id for p in result.for_need(n.id)] for n in dataset.needs}
    engine_solutions = {
        s.id: [p.need_id for p in result.for_solution(s.id)] for s in dataset.solutions
    }
    base_needs, base_solutions = baseline_rankings(dataset)
    by_need: dict[int, dict[int, int]] = {}
    by_solution: dict[int, dict[int, int]] = {}
    for (need_id, solution_id), relevance in dataset.judgments.items():
        by_need.setdefault(need_id, {})[solution_id] = relevance
        by_solution.setdefault(solution_id, {})[need_id] = relevance
    per_need = {
        dataset.need_keys[n]: {
            "engine_p5": precision_at(engine_needs[n], by_need[n]),
            "baseline_p5": precision_at(base_needs[n], by_need[n]),
            "engine_ndcg10": ndcg_at(engine_needs[n], by_need[n]),
            "baseline_ndcg10": ndcg_at(base_needs[n], by_need[n]),
        }
        for n in by_need
    }
    return EvaluationReport(
        engine=_metrics(engine_needs, by_need),
        baseline=_metrics(base_needs, by_need),
        engine_solution_side=_metrics(engine_solutions, by_solution),
        baseline_solution_side=_metrics(base_solutions, by_solution),
        per_need=per_need,
    )
