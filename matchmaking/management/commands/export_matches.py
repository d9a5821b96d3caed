import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.spreadsheets import csv_text
from matchmaking.catalog_io import stable_keys
from matchmaking.models import Match, MatchingState, Need, Solution

FORMAT = "aiplus-matches/1"
# The explanation's components, in the order catalog-format.md lists them.
EXPLAINED = ("industry", "capabilities", "text", "budget", "deployment", "maturity")
CSV_COLUMNS = ("need", "solution", "rank", "score", *EXPLAINED, "terms")


def matches_document() -> dict[str, Any]:
    """The active generation as an `aiplus-matches/1` document (catalog-format.md).

    Every pair in a need's list, by need key, best first. Needs and solutions are
    named by their catalog keys, exactly as `export_catalog` names them, so the two
    files join.
    """
    state = MatchingState.objects.select_related("active_run").filter(pk=1).first()
    run = state.active_run if state else None
    if run is None:
        raise CommandError("There are no matches yet: run `manage.py run_matching` first.")
    pairs = Match.objects.filter(run=run, rank_for_need__isnull=False)
    rows = list(
        pairs.values_list("need_id", "solution_id", "score", "rank_for_need", "components", "terms")
    )
    need_keys = stable_keys(
        list(Need.objects.filter(pk__in=pairs.values("need_id")).only("pk", "source_key")),
        "need",
        Need,
    )
    solution_keys = stable_keys(
        list(Solution.objects.filter(pk__in=pairs.values("solution_id")).only("pk", "source_key")),
        "sol",
        Solution,
    )
    matches = [
        {
            "need": need_keys[need_id],
            "solution": solution_keys[solution_id],
            "score": round(score, 4),
            "rank": rank,
            "explanation": {
                **{name: round(components.get(name, 0.0), 4) for name in EXPLAINED},
                "terms": terms,
            },
        }
        for need_id, solution_id, score, rank, components, terms in rows
    ]
    matches.sort(key=lambda match: (match["need"], match["rank"]))
    return {"format": FORMAT, "algorithm": run.algorithm_version, "matches": matches}


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_csv(document: dict[str, Any]) -> str:
    """One row per pair; the terms joined with "|". Keys and terms come from catalog
    imports and people's text, so the cells go through the neutralising writer."""
    return csv_text(
        CSV_COLUMNS,
        (
            [
                match["need"],
                match["solution"],
                match["rank"],
                match["score"],
                *(match["explanation"][name] for name in EXPLAINED),
                "|".join(match["explanation"]["terms"]),
            ]
            for match in document["matches"]
        ),
    )


class Command(BaseCommand):
    help = (
        "Write the current matches as an aiplus-matches/1 document (catalog-format.md): every "
        "pair in a need's list, with its score, rank and explanation, needs and solutions "
        "named by their catalog keys. --format csv writes one row per pair instead (a file "
        "gets a byte-order mark, so that Excel reads the Chinese text)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--output", metavar="FILE", help="where to write; standard output if omitted or -"
        )

    def handle(self, *args, **options) -> None:
        document = matches_document()
        text = as_csv(document) if options["format"] == "csv" else as_json(document)
        target = options["output"]
        if target and target != "-":
            encoding = "utf-8-sig" if options["format"] == "csv" else "utf-8"
            Path(target).write_text(text, encoding=encoding)
            self.stderr.write(f"{len(document['matches'])} matches written to {target}.")
        else:
            self.stdout.write(text, ending="")
