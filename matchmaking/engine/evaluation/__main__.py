"""Print the matching quality on the development set: `python -m matchmaking.engine.evaluation`.

Engine versus plain TF-IDF cosine, precision@5 and nDCG@10 averaged over the judged
needs (and, for the providers' view, over the judged solutions), next to the best
precision@5 any ranking could reach: most needs have fewer than five relevant
solutions, so precision@5 cannot reach 1. `--json` adds the figures as one JSON
object on the last line.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from matchmaking.engine.evaluation import evaluate, load_dataset
from matchmaking.engine.evaluation.plain import HELD_OUT, PlainReport, evaluate_plain


def best_precision_at_5(relevant_counts: list[int]) -> float:
    """The precision@5 of a perfect ranking: min(relevant, 5) / 5, averaged."""
    return float(np.mean([min(count, 5) / 5 for count in relevant_counts]))


CONDITION_LABELS = {
    "reviewer": "nDCG@10, reviewer's capabilities",
    "vague": "nDCG@10, vague or wrong pick",
    "none": "nDCG@10, none (not sure)",
}


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")


def _plain_table(title: str, plain: PlainReport) -> None:
    _line("")
    _line(f"{title}: {plain.needs} needs, by the capabilities they declare")
    _line(f"{'condition':<34}{'engine':>12}{'TF-IDF':>10}{'inferred':>10}")
    for name, condition in plain.conditions.items():
        _line(
            f"{CONDITION_LABELS[name]:<34}{condition.engine.ndcg_at_10:>12.3f}"
            f"{condition.baseline.ndcg_at_10:>10.3f}{condition.inferred_share:>10.2f}"
        )
    _line(
        "capability suggestions: top-3 recall of the reviewer's capabilities "
        f"{plain.suggestion_recall_at_3:.3f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)

    dataset = load_dataset()
    report = evaluate(dataset=dataset)
    per_need: dict[int, int] = {}
    per_solution: dict[int, int] = {}
    for (need_id, solution_id), relevance in dataset.judgments.items():
        if relevance >= 1:
            per_need[need_id] = per_need.get(need_id, 0) + 1
            per_solution[solution_id] = per_solution.get(solution_id, 0) + 1
    figures = report.as_dict()
    figures["best_precision_at_5"] = best_precision_at_5(list(per_need.values()))
    figures["best_precision_at_5_solution_side"] = best_precision_at_5(list(per_solution.values()))
    figures["needs"], figures["solutions"] = len(dataset.needs), len(dataset.solutions)
    figures["judged_pairs"] = len(dataset.judgments)

    _line(
        f"Development set: {len(dataset.needs)} needs, {len(dataset.solutions)} solutions, "
        f"{len(dataset.judgments)} judged pairs"
    )
    _line(f"{'ranking':<34}{'precision@5':>12}{'nDCG@10':>10}")
    rows = [
        ("needs: engine", report.engine),
        ("needs: plain TF-IDF", report.baseline),
        ("solutions: engine", report.engine_solution_side),
        ("solutions: plain TF-IDF", report.baseline_solution_side),
    ]
    for label, metrics in rows:
        _line(f"{label:<34}{metrics.precision_at_5:>12.3f}{metrics.ndcg_at_10:>10.3f}")
    _line(
        f"best possible precision@5: needs {figures['best_precision_at_5']:.3f}, "
        f"solutions {figures['best_precision_at_5_solution_side']:.3f}"
    )
    plain = evaluate_plain()
    figures["plain"] = plain.as_dict()
    _plain_table("Plain-language needs", plain)
    heldout = evaluate_plain(filename=HELD_OUT)
    figures["plain_heldout"] = heldout.as_dict()
    _plain_table("Independent held-out plain-language needs", heldout)
    if args.json:
        _line(json.dumps(figures))


if __name__ == "__main__":
    main()
