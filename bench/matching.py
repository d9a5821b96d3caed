"""Engine benchmark: one run that measures what docs/BENCHMARKS.md reports.

    python -m bench.matching --needs 10000 --solutions 5000
    python -m bench.matching --rss --needs 100000 --solutions 50000 --chunk-size 2000

The first measures, in one run on synthetic data: vectorising, product + top-k
of both sides, explanations and the total engine time; a bare `A @ B.T` on
the same TF-IDF matrices, and over it `engine_with_explanations_over_matmul`
(product + top-k + explanations, the product owner's target: <= 2.0) and
`engine_over_matmul` (product + top-k alone, kept for comparison with earlier
runs); scoring one new need incrementally over a full run
(`incremental_over_full`, target <= 0.01); and agreement of the top-k with a
brute force over `score_pair` on 200 needs (`topk_agreement`, target 1.0).

`--rss` runs the engine in a fresh subprocess (chunked, as workers would) and
reports its peak resident memory from `resource.getrusage` (target < 2048 MB
per worker), next to the memory the generated records alone took, and the
phase times of that run (product, score, top-k, merge, explanations).

Django-free: `manage.py bench_matching` wraps it and adds persistence.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import statistics
import subprocess
import sys
import time

from matchmaking.engine.incremental import score_need
from matchmaking.engine.model import fit
from matchmaking.engine.pipeline import match_all
from matchmaking.engine.reference import score_pair
from matchmaking.engine.synthetic import generate_needs, generate_solutions


def _max_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine_benchmark(
    needs: int = 10_000,
    solutions: int = 5_000,
    k: int = 20,
    seed: int = 0,
    *,
    agreement_sample: int = 200,
) -> dict[str, float]:
    """Measure one full run and its parts (seconds unless named otherwise)."""
    need_records = generate_needs(needs, seed)
    solution_records = generate_solutions(solutions, seed)

    started = time.perf_counter()
    model = fit(need_records, solution_records)
    model = dataclasses.replace(model, config=dataclasses.replace(model.config, k=k))
    result = match_all(model)
    total = time.perf_counter() - started
    timings = result.timings

    started = time.perf_counter()
    bare = model.needs.matrix @ model.solutions.matrix.T
    matmul = time.perf_counter() - started
    del bare

    # Fresh needs (not in the model), as approvals arrive between recomputes.
    fresh = generate_needs(5, seed + 1)
    incremental_times = []
    for record in fresh:
        record = dataclasses.replace(record, id=needs + record.id)
        started = time.perf_counter()
        score_need(model, record)
        incremental_times.append(time.perf_counter() - started)
    incremental = statistics.median(incremental_times)

    agreement = _topk_agreement(
        model, need_records, solution_records, result, agreement_sample, seed
    )
    product_topk = timings["product_topk"]
    return {
        "needs": needs,
        "solutions": solutions,
        "k": k,
        "vocabulary": len(model.terms),
        "kept_pairs": len(result),
        "vectorize_s": model.timings["vectorize"],
        "product_topk_s": product_topk,
        "explanations_s": timings["explanations"],
        "engine_total_s": total,
        "matmul_s": matmul,
        "engine_over_matmul": product_topk / matmul,
        "engine_with_explanations_over_matmul": (product_topk + timings["explanations"]) / matmul,
        "incremental_need_s": incremental,
        "incremental_over_full": incremental / total,
        "topk_agreement": agreement,
    }


def _topk_agreement(model, need_records, solution_records, result, sample, seed) -> float:
    """Share of sampled needs whose kept list equals a brute force over score_pair."""
    rng = random.Random(seed)  # noqa: S311 -- sampling, not security
    chosen = rng.sample(need_records, min(sample, len(need_records)))
    cache: dict[object, dict[str, float]] = {}
    k = model.config.k
    agree = 0
    for need in chosen:
        scored = []
        for solution in solution_records:
            pair = score_pair(need, solution, model, cache=cache)
            if pair is not None:
                scored.append((-pair.score, solution.id))
        expected = [solution_id for _, solution_id in sorted(scored)[:k]]
        agree += [p.solution_id for p in result.for_need(need.id)] == expected
    return agree / len(chosen)


def _rss_child(needs: int, solutions: int, k: int, seed: int, chunk_size: int) -> dict[str, float]:
    need_records = generate_needs(needs, seed)
    solution_records = generate_solutions(solutions, seed)
    data_mb = _max_rss_mb()
    started = time.perf_counter()
    model = fit(need_records, solution_records)
    model = dataclasses.replace(model, config=dataclasses.replace(model.config, k=k))
    result = match_all(model, chunk_size=chunk_size)
    return {
        "needs": needs,
        "solutions": solutions,
        "chunk_size": chunk_size,
        "kept_pairs": len(result),
        "engine_total_s": time.perf_counter() - started,
        "timings": {"vectorize": model.timings["vectorize"], **result.timings},
        "records_rss_mb": data_mb,
        "peak_rss_mb": _max_rss_mb(),
    }


def measure_peak_rss(
    needs: int = 100_000,
    solutions: int = 50_000,
    k: int = 20,
    seed: int = 0,
    chunk_size: int = 10_000,
) -> dict[str, float]:
    """Peak RSS of a chunked full run, measured in a fresh subprocess."""
    command = [
        sys.executable, "-m", "bench.matching", "--rss-child",
        "--needs", str(needs), "--solutions", str(solutions), "--k", str(k),
        "--seed", str(seed), "--chunk-size", str(chunk_size),
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 -- our own module
    return json.loads(completed.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--solutions", type=int, default=5_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--rss", action="store_true", help="peak memory of a chunked run")
    parser.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        report = _rss_child(args.needs, args.solutions, args.k, args.seed, args.chunk_size)
    elif args.rss:
        report = measure_peak_rss(args.needs, args.solutions, args.k, args.seed, args.chunk_size)
    else:
        report = run_engine_benchmark(args.needs, args.solutions, args.k, args.seed)
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
