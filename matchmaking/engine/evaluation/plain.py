"""Needs written in plain business words, under three capability conditions.

`plain_needs.json` holds needs as a factory, hospital, shop or office would
write them (Chinese and English, no technical vocabulary: "冲压件表面好坏全靠
老师傅眼睛看", "We can't pay presenters around the clock"). Each lists the
capabilities an office reviewer would assign (`capabilities`), a vague or
plausible-sounding wrong pick an author might tick (`vague_capabilities`:
often 智能体/agent, "an AI helper"), and the solutions of `solutions.json`
judged relevant by reading the texts (never from engine output).

`evaluate_plain` ranks the catalog for every need with the engine and with
the plain TF-IDF baseline in each condition — reviewer, vague, none ("not
sure") — and measures the capability suggestions: top-3 recall of the
reviewer's capabilities, averaged over needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from matchmaking.engine.config import EngineConfig
from matchmaking.engine.evaluation import (
    DATA_DIR,
    Dataset,
    Metrics,
    _metrics,
    baseline_rankings,
    load_dataset,
)
from matchmaking.engine.model import fit
from matchmaking.engine.pipeline import match_all
from matchmaking.engine.records import NeedRecord

CONDITIONS: tuple[str, ...] = ("reviewer", "vague", "none")
DEVELOPMENT = "plain_needs.json"
# Written independently of the engine's glossary, cue words and development needs,
# to check that the figures generalise; never tune on it.
HELD_OUT = "plain_heldout.json"


@dataclass
class PlainCondition:
    engine: Metrics
    baseline: Metrics
    # Share of needs whose capabilities the engine scored as inferred.
    inferred_share: float


@dataclass
class PlainReport:
    conditions: dict[str, PlainCondition]
    suggestion_recall_at_3: float
    needs: int

    def as_dict(self) -> dict[str, object]:
        return {
            "conditions": {
                name: {
                    "engine": vars(c.engine),
                    "baseline": vars(c.baseline),
                    "inferred_share": c.inferred_share,
                }
                for name, c in self.conditions.items()
            },
            "suggestion_recall_at_3": self.suggestion_recall_at_3,
            "needs": self.needs,
        }


def load_plain(
    condition: str, directory: Path = DATA_DIR, filename: str = DEVELOPMENT
) -> tuple[Dataset, dict[int, tuple[str, ...]]]:
    """The catalog's solutions and the plain needs with the condition's capabilities,
    and each need's reviewer capabilities."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    catalog = load_dataset(directory)
    raw = json.loads((directory / filename).read_text(encoding="utf-8"))
    solution_ids = {key: i for i, key in catalog.solution_keys.items()}
    organizations = 10_000  # apart from the catalog's organization ids
    needs, judgments, reviewer = [], {}, {}
    for i, item in enumerate(raw, start=1):
        declared = {
            "reviewer": item["capabilities"],
            "vague": item["vague_capabilities"],
            "none": [],
        }[condition]
        needs.append(
            NeedRecord(
                id=i,
                organization_id=organizations + i,
                title=item["title"],
                summary=item["summary"],
                description=item["description"],
                industry=item["industry"],
                capabilities=tuple(declared),
                deployment=item["deployment"],
                data_readiness=item["data_readiness"],
                budget_min=item["budget_min"],
                budget_max=item["budget_max"],
            )
        )
        reviewer[i] = tuple(item["capabilities"])
        for key, relevance in item["relevant"].items():
            judgments[i, solution_ids[key]] = relevance
    dataset = replace(
        catalog,
        needs=needs,
        judgments=judgments,
        need_keys={i: item["key"] for i, item in enumerate(raw, start=1)},
    )
    return dataset, reviewer


def evaluate_plain(config: EngineConfig | None = None, filename: str = DEVELOPMENT) -> PlainReport:
    config = config or EngineConfig(k=20)
    conditions = {}
    recall = 0.0
    for condition in CONDITIONS:
        dataset, reviewer = load_plain(condition, filename=filename)
        model = fit(dataset.needs, dataset.solutions, config)
        result = match_all(model)
        rankings = {n.id: [p.solution_id for p in result.for_need(n.id)] for n in dataset.needs}
        base, _ = baseline_rankings(dataset)
        by_need: dict[int, dict[int, int]] = {}
        for (need_id, solution_id), relevance in dataset.judgments.items():
            by_need.setdefault(need_id, {})[solution_id] = relevance
        conditions[condition] = PlainCondition(
            engine=_metrics(rankings, by_need),
            baseline=_metrics(base, by_need),
            inferred_share=float(np.mean(model.needs.caps_inferred)),
        )
        if condition == "none":
            recall = suggestion_recall(model, dataset, reviewer)
    return PlainReport(
        conditions=conditions, suggestion_recall_at_3=recall, needs=len(dataset.needs)
    )


def suggestion_recall(
    model, dataset: Dataset, reviewer: dict[int, tuple[str, ...]], k: int = 3
) -> float:
    """Mean over needs of the share of the reviewer's capabilities among the top-k suggestions."""
    shares = []
    for need in dataset.needs:
        top = {
            s.code
            for s in model.suggest(need.title, need.summary, need.description).capabilities[:k]
        }
        wanted = set(reviewer[need.id])
        shares.append(len(wanted & top) / len(wanted))
    return float(np.mean(shares))
