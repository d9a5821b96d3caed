"""Writing match rows: the one writer of a generation's Match rows from engine results.

`write_match_rows(run_id=..., result=...)` writes every pair of a `MatchResult` (a whole
run's, or a chunk's: any slice of pairs) as rows of the given run. On PostgreSQL it
streams COPY text; elsewhere (the embedded SQLite default) it uses batched
`bulk_create`. Both write the same values:

* the pair's ids and its score;
* its components rounded to 4 decimals (Python's `round`), as a JSON object;
* its shared terms, as a JSON list;
* its two ranks (0 in the arrays means "not in that side's top-k": NULL);
* the result's algorithm version and the time of writing.

The COPY text is formatted column by column for a batch of rows at once, not row by
row: components are rounded as arrays, each distinct value and term is JSON-encoded
once by `json.dumps`, and `%` templates join the pieces. The text is exactly what
`json.dumps` of the per-row dict and list would give.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import numpy as np
from django.db import connection, connections, transaction
from django.utils import timezone

from matchmaking import engine
from matchmaking.models import Match

COLUMNS = (
    "need_id",
    "solution_id",
    "run_id",
    "score",
    "components",
    "terms",
    "rank_for_need",
    "rank_for_solution",
    "algorithm_version",
    "computed_at",
)
# Rows formatted at once on PostgreSQL, while the writer's thread sends the last ones.
COPY_BATCH = 10_000
# Rows per INSERT elsewhere.
INSERT_BATCH = 2_000
# Solution ranks set by this many connections at once (PostgreSQL, outside a
# transaction), when there are at least this many.
PARALLEL_CONNECTIONS = 2
PARALLEL_MIN_ROWS = 20_000

# COPY's text format: the escapes psycopg's write_row applies.
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
)


def write_match_rows(
    *, run_id: int, result: engine.MatchResult, computed_at: datetime | None = None
) -> int:
    """Write the result's pairs as Match rows of run `run_id`; returns how many.

    Runs in the caller's transaction (or autocommit): a caller that must replace a
    generation's rows deletes them first.
    """
    computed_at = computed_at or timezone.now()
    if not len(result):
        return 0
    if connection.vendor == "postgresql":
        return _copy(run_id, result, computed_at)
    return _insert(run_id, result, computed_at)


# --- elsewhere: batched INSERTs ------------------------------------------------------


def _rows(run_id: int, result: engine.MatchResult, computed_at: datetime) -> Iterator[Match]:
    names = result.component_names()
    for i in range(len(result)):
        yield Match(
            need_id=int(result.need_ids[i]),
            solution_id=int(result.solution_ids[i]),
            run_id=run_id,
            score=float(result.scores[i]),
            components={
                name: round(float(v), 4)
                for name, v in zip(names, result.components[i], strict=True)
            },
            terms=[result.terms[t] for t in result.term_ids[i].tolist() if t >= 0],
            rank_for_need=int(result.rank_for_need[i]) or None,
            rank_for_solution=int(result.rank_for_solution[i]) or None,
            algorithm_version=result.algorithm_version,
            computed_at=computed_at,
        )


def _insert(run_id: int, result: engine.MatchResult, computed_at: datetime) -> int:
    count = 0
    batch: list[Match] = []
    for row in _rows(run_id, result, computed_at):
        batch.append(row)
        if len(batch) == INSERT_BATCH:
            Match.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Match.objects.bulk_create(batch)
    return count + len(batch)


# --- PostgreSQL: COPY ----------------------------------------------------------------


def _escape(text: str) -> str:
    return text.translate(_COPY_ESCAPES)


def _constant(text: str) -> str:
    """Fixed text of a `%` template: escaped for COPY, its own % doubled."""
    return _escape(text).replace("%", "%%")


def round4(values: np.ndarray) -> np.ndarray:
    """`round(v, 4)` of every value of a 2-d array, as arrays.

    rint(v * 1e4) / 1e4 picks the same multiple of 1e-4 as Python's correctly rounded
    `round` unless v * 1e4 lies within rounding error of a half step; those values
    (and any that are not small and finite) go through `round`.
    """
    scaled = values * 1e4
    out = np.rint(scaled) / 1e4
    unsure = ~(np.abs(values) < 1e6) | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    for i, j in zip(*np.nonzero(unsure), strict=True):
        out[i, j] = round(float(values[i, j]), 4)
    return out


def _json_floats(values: np.ndarray) -> np.ndarray:
    """json.dumps of each value (object array), encoding each distinct value once."""
    bits, inverse = np.unique(values.view(np.int64), return_inverse=True)
    text = [json.dumps(v) for v in bits.view(np.float64).tolist()]
    return np.array(text, dtype=object)[inverse]


def _rank_text(ranks: np.ndarray) -> list[str]:
    distinct, inverse = np.unique(ranks, return_inverse=True)
    text = np.array([str(r) if r else "\\N" for r in distinct.tolist()], dtype=object)
    return text[inverse].tolist()


class _CopyText:
    """The COPY text of a result's rows, a batch at a time.

    Holds what every batch shares: the line and components templates and the JSON
    text of each term met so far.
    """

    def __init__(self, run_id: int, result: engine.MatchResult, computed_at: datetime) -> None:
        self.result = result
        names = result.component_names()
        # json.dumps(dict) is "{" + '"name": value' joined by ", " + "}".
        self.components_template = (
            "{"
            + ", ".join(_constant(json.dumps(name, ensure_ascii=False)) + ": %s" for name in names)
            + "}"
        )
        self.line_template = (
            f"%s\t%s\t{run_id}\t%s\t%s\t%s\t%s\t%s\t"
            f"{_constant(result.algorithm_version)}\t{_constant(computed_at.isoformat())}\n"
        )
        self.term_text: dict[int, str] = {}  # term id -> json.dumps of the term, COPY-escaped

    def _terms_json(self, term_ids: np.ndarray) -> list[str]:
        """Each row's terms as json.dumps of the list, COPY-escaped."""
        # Move the -1 padding to the end of each row, keeping the terms' order.
        term_ids = np.take_along_axis(
            term_ids, np.argsort(term_ids < 0, axis=1, kind="stable"), axis=1
        )
        for term_id in np.unique(term_ids[term_ids >= 0]).tolist():
            if term_id not in self.term_text:
                text = json.dumps(self.result.terms[term_id], ensure_ascii=False)
                self.term_text[term_id] = _escape(text)
        counts = (term_ids >= 0).sum(axis=1)
        out = np.empty(len(term_ids), dtype=object)
        for count in np.unique(counts).tolist():
            at = np.flatnonzero(counts == count)
            template = "[" + ", ".join(["%s"] * count) + "]"
            pieces = [[self.term_text[t] for t in term_ids[at, j].tolist()] for j in range(count)]
            out[at] = [template % row for row in zip(*pieces, strict=True)] if count else "[]"
        return out.tolist()

    def lines(self, rows: slice) -> str:
        """The COPY text of a batch of rows."""
        result = self.result
        components = round4(np.asarray(result.components[rows], dtype=np.float64))
        values = [_json_floats(components[:, j]) for j in range(components.shape[1])]
        fields = zip(
            map(str, result.need_ids[rows].tolist()),
            map(str, result.solution_ids[rows].tolist()),
            map(repr, result.scores[rows].astype(np.float64).tolist()),
            [self.components_template % row for row in zip(*values, strict=True)],
            self._terms_json(np.asarray(result.term_ids[rows])),
            _rank_text(result.rank_for_need[rows]),
            _rank_text(result.rank_for_solution[rows]),
            strict=True,
        )
        return "".join([self.line_template % row for row in fields])


def _copy(run_id: int, result: engine.MatchResult, computed_at: datetime) -> int:
    # psycopg only matters on PostgreSQL, where it is installed.
    from psycopg.copy import QueuedLibpqWriter  # noqa: PLC0415

    text = _CopyText(run_id, result, computed_at)
    sql = f"COPY {Match._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"
    with connection.cursor() as wrapper:
        # psycopg's own cursor: Django's DEBUG wrapper takes no `writer`. The queued
        # writer's write() only queues (at most ~128 MB) and a thread sends, so the
        # formatting of a batch overlaps the server's work on the previous ones.
        cursor = wrapper.cursor
        with cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
            for start in range(0, len(result), COPY_BATCH):
                copy.write(text.lines(slice(start, start + COPY_BATCH)))
    return len(result)


# --- the solution side of a full run, set after the chunks wrote their rows -------------


def set_solution_ranks(
    *, run_id: int, need_ids: np.ndarray, solution_ids: np.ndarray, ranks: np.ndarray
) -> int:
    """Set `rank_for_solution` of rows of run `run_id` that exist already; returns how many.

    A full run's chunks write their needs' lists; the merged solution-side lists then
    rank pairs among those rows. On PostgreSQL the ranks are COPied into a temporary
    table and set by one UPDATE … FROM; elsewhere by a batched UPDATE per row.

    Outside a transaction on PostgreSQL, a large set is split by need between
    `PARALLEL_CONNECTIONS` connections that update at once, each in its own
    transaction: the rows belong to a generation nobody reads before the flip, so
    they need not change together, and the database then updates on several cores
    while the worker's other core would idle (the last serial part of a full run).
    Inside a transaction (tests, a caller's atomic block) other connections would not
    see its rows: one connection does it all.
    """
    if not len(ranks):
        return 0
    need_ids, solution_ids, ranks = (np.asarray(a) for a in (need_ids, solution_ids, ranks))
    parts = PARALLEL_CONNECTIONS
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or parts < 2
        or len(ranks) < PARALLEL_MIN_ROWS
    ):
        return _set_ranks(run_id, need_ids, solution_ids, ranks)
    # Split at need boundaries so that no two connections touch the same index range.
    order = np.argsort(need_ids, kind="stable")
    bounds = np.linspace(0, len(order), parts + 1).astype(int)
    slices = [order[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    with ThreadPoolExecutor(max_workers=len(slices)) as pool:
        counts = pool.map(
            lambda rows: _in_own_connection(
                _set_ranks, run_id, need_ids[rows], solution_ids[rows], ranks[rows]
            ),
            slices,
        )
        return sum(counts)


def _in_own_connection(function, *args):
    """Run `function` in this thread's own connection and transaction, then close it."""
    try:
        with transaction.atomic():
            return function(*args)
    finally:
        connections.close_all()


def _set_ranks(
    run_id: int, need_ids: np.ndarray, solution_ids: np.ndarray, ranks: np.ndarray
) -> int:
    table = Match._meta.db_table
    triples = zip(need_ids.tolist(), solution_ids.tolist(), ranks.tolist(), strict=True)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET rank_for_solution = %s "  # noqa: S608 -- our table name
                "WHERE run_id = %s AND need_id = %s AND solution_id = %s",
                [(rank, run_id, need, solution) for need, solution, rank in triples],
            )
            return len(ranks)
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS solution_ranks "
            "(need_id bigint, solution_id bigint, rank integer) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE solution_ranks")
        with cursor.cursor.copy("COPY solution_ranks FROM STDIN") as copy:
            copy.write("".join(f"{n}\t{s}\t{r}\n" for n, s, r in triples))
        cursor.execute(
            f"UPDATE {table} AS m SET rank_for_solution = t.rank "  # noqa: S608
            "FROM solution_ranks AS t WHERE m.run_id = %s "
            "AND m.need_id = t.need_id AND m.solution_id = t.solution_id",
            [run_id],
        )
        return cursor.rowcount
