"""The engine against the pipeline a user would assemble instead, on the same texts.

    python -m bench.peer --needs 10000 --solutions 5000 [--threads 2] [--json]

The peer: scikit-learn `TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2))`
fitted on every need's and solution's text (title, summary and description),
then `sparse_dot_topn.sp_matmul_topn(top_n=10)` in both directions — each need's
ten best solutions and each solution's ten best needs, by text alone, explaining
nothing, sequentially (its default).

The engine: `fit` on the same records (tokenising, vocabulary, TF-IDF) and
`match_all` with k = 10 — both directions, the structured components, masks and
each kept pair's explanation. It runs with one thread (the default of a worker
that shares its machine) and, if `threads` > 1, again with that many.

Each contender runs twice, alternating, in this one process on the same
generated catalog (`matchmaking.engine.synthetic`, seeded); the best of the two
runs is compared, and `engine_over_peer` is the one-thread engine's best over the
peer's best (target <= 1.0). The peer's packages are development dependencies
(requirements-dev.in): the platform never imports them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence

from matchmaking.engine.config import EngineConfig
from matchmaking.engine.model import fit
from matchmaking.engine.pipeline import match_all
from matchmaking.engine.records import NeedRecord, SolutionRecord
from matchmaking.engine.synthetic import generate_needs, generate_solutions

TOP_N = 10
TARGET = 1.0


def record_text(record: NeedRecord | SolutionRecord) -> str:
    """The text the engine reads from a record, as one string for the peer."""
    return "\n".join((record.title, record.summary, record.description))


def run_peer(needs: Sequence[NeedRecord], solutions: Sequence[SolutionRecord]) -> dict:
    """TF-IDF character n-grams + top-n products both ways; seconds per phase."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 -- dev-only
    from sparse_dot_topn import sp_matmul_topn  # noqa: PLC0415 -- dev-only

    texts = [record_text(r) for r in needs] + [record_text(r) for r in solutions]
    started = time.perf_counter()
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2)).fit_transform(texts)
    need_rows, solution_rows = matrix[: len(needs)], matrix[len(needs) :]
    vectorized = time.perf_counter()
    by_need = sp_matmul_topn(need_rows, solution_rows.T.tocsr(), top_n=TOP_N)
    by_solution = sp_matmul_topn(solution_rows, need_rows.T.tocsr(), top_n=TOP_N)
    finished = time.perf_counter()
    return {
        "total_s": finished - started,
        "vectorize_s": vectorized - started,
        "products_topn_s": finished - vectorized,
        "vocabulary": matrix.shape[1],
        "kept": by_need.nnz + by_solution.nnz,
    }


def run_engine(
    needs: Sequence[NeedRecord], solutions: Sequence[SolutionRecord], threads: int
) -> dict:
    """fit + both directions with explanations, k = TOP_N; seconds per phase."""
    started = time.perf_counter()
    model = fit(needs, solutions, EngineConfig(k=TOP_N))
    result = match_all(model, threads=threads)
    total = time.perf_counter() - started
    timings = result.timings
    return {
        "total_s": total,
        "vectorize_s": model.timings["vectorize"],
        "product_s": timings["product"],
        "score_s": timings["score"],
        "topk_s": timings["topk"],
        "merge_s": timings["merge"],
        "explanations_s": timings["explanations"],
        "vocabulary": len(model.terms),
        "kept": len(result),
    }


def _best(runs: list[dict]) -> dict:
    return min(runs, key=lambda run: run["total_s"])


def run_peer_benchmark(
    needs: int = 10_000,
    solutions: int = 5_000,
    seed: int = 0,
    *,
    threads: int = 1,
    runs: int = 2,
    progress: Callable[[str], None] = lambda line: None,
) -> dict:
    """Best of `runs` runs of each contender, alternating, in this process."""
    need_records = generate_needs(needs, seed)
    solution_records = generate_solutions(solutions, seed)
    contenders: dict[str, Callable[[], dict]] = {
        "engine": lambda: run_engine(need_records, solution_records, 1),
        "peer": lambda: run_peer(need_records, solution_records),
    }
    if threads > 1:
        contenders["engine_threads"] = lambda: run_engine(need_records, solution_records, threads)
    measured: dict[str, list[dict]] = {name: [] for name in contenders}
    for attempt in range(runs):
        for name, contender in contenders.items():
            measured[name].append(contender())
            progress(f"run {attempt + 1}: {name} {measured[name][-1]['total_s']:.3f} s")
    best = {name: _best(results) for name, results in measured.items()}
    report: dict = {
        "needs": needs,
        "solutions": solutions,
        "seed": seed,
        "top_n": TOP_N,
        "runs": runs,
        "threads": threads,
        "engine": best["engine"],
        "peer": best["peer"],
        "all_totals_s": {name: [r["total_s"] for r in rs] for name, rs in measured.items()},
        "engine_over_peer": best["engine"]["total_s"] / best["peer"]["total_s"],
        "target": TARGET,
    }
    if threads > 1:
        report["engine_threads"] = best["engine_threads"]
        report["engine_threads_over_peer"] = (
            best["engine_threads"]["total_s"] / best["peer"]["total_s"]
        )
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--solutions", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    report = run_peer_benchmark(
        args.needs, args.solutions, args.seed, threads=args.threads, runs=args.runs
    )
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
