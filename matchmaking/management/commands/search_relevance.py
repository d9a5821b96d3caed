"""Print the catalog search's relevance figures over the judged queries (docs/SEARCH.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from matchmaking.search.evaluation import evaluate_on_demo, load_judgments


class Command(BaseCommand):
    help = "Mean recall@10 and MRR of the catalog search over judged queries on the demo catalog."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--judgments", type=Path, default=None)
        parser.add_argument("--misses", action="store_true", help="List the imperfect queries.")

    def handle(self, *args, **options) -> None:
        figures = evaluate_on_demo(load_judgments(options["judgments"]))
        for half in ("tuning", "held-out", "all"):
            if half not in figures:
                continue
            f = figures[half]
            self.stdout.write(
                f"{half:9} {f.queries:4d} queries  recall@10 {f.recall:.3f}  MRR {f.mrr:.3f}"
            )
            if options["misses"]:
                for miss in f.misses:
                    self.stdout.write(f"    missed: {miss}")
