"""Benchmark the matching engine against a TF-IDF + sparse_dot_topn peer on the same texts.

    python manage.py bench_engine_peer                      # 10,000 needs x 5,000 solutions
    python manage.py bench_engine_peer --threads 2 --json --output engine_peer.json

The definition of both contenders and of `engine_over_peer` is `bench.peer`'s
(also `python -m bench.peer`). Needs no database. Results go to docs/BENCHMARKS.md;
it is not a timed test.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.peer import run_peer_benchmark


class Command(BaseCommand):
    help = (
        "Time the engine (fit + both directions with explanations) against scikit-learn "
        "TF-IDF + sparse_dot_topn top-10 both ways, best of two runs each (docs/BENCHMARKS.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--needs", type=int, default=10_000)
        parser.add_argument("--solutions", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--threads",
            type=int,
            default=2,
            help="also time the engine with this many threads per chunk (1: only one thread)",
        )
        parser.add_argument("--runs", type=int, default=2, help="runs of each; the best counts")
        parser.add_argument(
            "--json", action="store_true", help="also print the figures as JSON on the last line"
        )
        parser.add_argument("--output", type=Path, help="write the JSON report to this file")

    def handle(self, *args, **options) -> None:
        if options["needs"] < 1 or options["solutions"] < 1 or options["runs"] < 1:
            raise CommandError("--needs, --solutions and --runs must be at least 1")
        if options["threads"] < 1:
            raise CommandError("--threads must be at least 1")
        try:
            import sklearn  # noqa: F401, PLC0415 -- a development dependency
            import sparse_dot_topn  # noqa: F401, PLC0415
        except ImportError as error:
            raise CommandError(
                f"the peer needs the development requirements ({error.name} is missing): "
                "pip install -r requirements-dev.txt"
            ) from error
        self.stdout.write(
            f"Engine vs peer: {options['needs']} needs x {options['solutions']} solutions, "
            f"seed {options['seed']}, top 10 both ways, best of {options['runs']} runs each"
        )
        report = run_peer_benchmark(
            options["needs"],
            options["solutions"],
            options["seed"],
            threads=options["threads"],
            runs=options["runs"],
            progress=lambda line: self.stdout.write(f"  {line}"),
        )
        report["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        report["machine"] = f"{platform.machine()}, Python {platform.python_version()}"
        self._print(report)
        if options["output"]:
            options["output"].write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            self.stdout.write(f"report written to {options['output']}")
        if options["json"]:
            self.stdout.write(json.dumps(report))

    def _print(self, report: dict) -> None:
        engine, peer = report["engine"], report["peer"]
        self.stdout.write("")
        self.stdout.write("engine, one thread (best run)            seconds")
        for label, key in (
            ("vectorise (fit)", "vectorize_s"),
            ("sparse products", "product_s"),
            ("scoring (structured components)", "score_s"),
            ("top-k, both directions", "topk_s"),
            ("merge", "merge_s"),
            ("explanations", "explanations_s"),
            ("total", "total_s"),
        ):
            self.stdout.write(f"  {label:<38}{engine[key]:>9.3f}")
        self.stdout.write("peer (best run)")
        for label, key in (
            ("TfidfVectorizer char_wb (1, 2)", "vectorize_s"),
            ("sp_matmul_topn(top_n=10), both ways", "products_topn_s"),
            ("total", "total_s"),
        ):
            self.stdout.write(f"  {label:<38}{peer[key]:>9.3f}")
        ratio = report["engine_over_peer"]
        verdict = "met" if ratio <= report["target"] else "MISSED"
        self.stdout.write("")
        self.stdout.write(
            f"engine_over_peer (one thread)           {ratio:>9.3f}  <= {report['target']:g}  "
            f"{verdict}"
        )
        if "engine_threads_over_peer" in report:
            self.stdout.write(
                f"engine with {report['threads']} threads over peer         "
                f"{report['engine_threads_over_peer']:>9.3f}  "
                f"(engine {report['engine_threads']['total_s']:.3f} s)"
            )
