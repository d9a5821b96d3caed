"""Incremental matching: a record that changed is re-matched in the active generation.

A need or solution approved, edited or withdrawn is recorded as a PendingMatch in the
transaction of its change (`request_match`); the `match_pending` job then brings its
matches up to date, exactly as a full recompute would: published records are scored
against the other side with the stored vocabulary, others leave every list they
were in. The active generation's rows are edited in place, under a row lock on
MatchingState, and the stored engine model is kept current so that the next
increment scores against everything published so far.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.outbox import enqueue
from matchmaking import engine, tasks
from matchmaking.models import Match, MatchingState, MatchRun, Need, PendingMatch, Solution, Status
from matchmaking.services.matching import (
    Kind,
    exclusions,
    need_records,
    solution_records,
    start_full_run,
)


def request_match(kind: Kind, pk: int) -> None:
    """Record that a need or solution changed, and wake the incremental job.

    Called inside the transaction of the change: the request is durable with it,
    and the job runs after commit (or, if Redis is down, when the sweep re-sends it).
    """
    PendingMatch.objects.update_or_create(kind=kind, record_id=pk)
    enqueue(tasks.match_pending)


def on_catalog_change(record: Need | Solution) -> None:
    """Hook for the catalog services: published, edited or withdrawn → re-match it.

    Inside `batch()` the change is only collected: the batch queues one job at its end.
    """
    kind = "need" if isinstance(record, Need) else "solution"
    changes = _batch.get()
    if changes is None:
        request_match(kind, record.pk)
    else:
        changes[(kind, record.pk)] = None


# The changes collected by the innermost open batch (an ordered set), or None.
_batch: ContextVar[dict[tuple[Kind, int], None] | None] = ContextVar("matching_batch", default=None)


@dataclass
class Batch:
    """What a batch queued when it ended: "full" (with its run), "pending", or "" (nothing)."""

    job: str = ""
    run: MatchRun | None = None


@contextmanager
def batch() -> Iterator[Batch]:
    """Publish or withdraw many records in one transaction, and match them in one job.

    Every catalog change inside the block is collected instead of queueing its own
    incremental job; when the block ends without an error, `queue_batch` queues one
    job for them all, in the same transaction. A batch inside a batch joins the outer
    one. Used by the catalog import and the bulk admin actions.
    """
    outcome = Batch()
    if _batch.get() is not None:
        yield outcome  # the outer batch queues the job
        return
    changes: dict[tuple[Kind, int], None] = {}
    token = _batch.set(changes)
    try:
        with transaction.atomic():
            yield outcome
            _batch.reset(token)
            token = None
            outcome.job, outcome.run = queue_batch(list(changes))
    finally:
        if token is not None:
            _batch.reset(token)


def queue_batch(changes: Sequence[tuple[Kind, int]]) -> tuple[str, MatchRun | None]:
    """Queue one matching job for a batch of changed records: ("full", run) or ("pending", None).

    A full run when there is no generation to update yet, or when the batch is large
    (more than the incremental job takes at once, or more than
    MATCHING_BATCH_FULL_RUN_SHARE of the published catalog): re-matching everything
    from scratch is then cheaper than thousands of increments. Otherwise the changes
    are recorded as PendingMatch rows and one `match_pending` job drains them together.
    """
    if not changes:
        return "", None
    state = MatchingState.load()
    published = Need.objects.published().count() + Solution.objects.published().count()
    large = len(changes) > min(
        settings.MATCHING_PENDING_BATCH, settings.MATCHING_BATCH_FULL_RUN_SHARE * published
    )
    if state.active_run_id is None or not state.model_blob or large:
        return "full", start_full_run()
    PendingMatch.objects.bulk_create(
        [PendingMatch(kind=kind, record_id=pk) for kind, pk in changes],
        update_conflicts=True,
        unique_fields=["kind", "record_id"],
        update_fields=["requested_at"],
    )
    enqueue(tasks.match_pending)
    return "pending", None


def _other_side_lists(run_id: int, kind: Kind) -> dict[int, list[engine.TopKEntry]]:
    """Stored lists of the side opposite to `kind` (solution lists when a need changes)."""
    lists: dict[int, list[engine.TopKEntry]] = defaultdict(list)
    if kind == "need":
        rows = Match.objects.filter(run_id=run_id, rank_for_solution__isnull=False).values_list(
            "solution_id", "need_id", "score"
        )
    else:
        rows = Match.objects.filter(run_id=run_id, rank_for_need__isnull=False).values_list(
            "need_id", "solution_id", "score"
        )
    for owner, other, score in rows:
        lists[owner].append(engine.TopKEntry(other, score))
    return lists


@transaction.atomic
def match_pending(limit: int | None = None) -> MatchRun | None:
    """Bring the changed records' matches up to date, exactly as a full recompute would.

    Published records are scored against the other side with the stored vocabulary;
    others (withdrawn, closed, returned, deleted) leave every list they were in.
    Without a first full run there is nothing to update incrementally: a full run is
    queued instead, and the pending records are caught up after it.
    """
    state = MatchingState.objects.select_for_update().get_or_create(pk=1)[0]
    limit = limit or settings.MATCHING_PENDING_BATCH
    pending = list(PendingMatch.objects.order_by("requested_at", "pk")[:limit])
    if not pending:
        return None
    if state.active_run_id is None or not state.model_blob:
        start_full_run()
        return None
    started = time.perf_counter()
    run = MatchRun.objects.create(
        kind=MatchRun.Kind.INCREMENTAL,
        subject_id=pending[0].record_id if len(pending) == 1 else None,
        status=MatchRun.Status.RUNNING,
        started_at=timezone.now(),
        algorithm_version=engine.ALGORITHM_VERSION,
    )
    try:
        model = engine.FittedModel.from_bytes(bytes(state.model_blob))
    except engine.IncompatibleModelError:
        run.status, run.error = MatchRun.Status.FAILED, "stored model is from another version"
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        start_full_run()
        return run
    loaded = time.perf_counter()
    excluded = exclusions()
    totals: dict[str, int] = defaultdict(int)
    for item in pending:
        model = _apply_change(
            model, state.active_run_id, item.kind, item.record_id, excluded, totals
        )
    applied = time.perf_counter()
    state.model_blob = model.to_bytes()
    state.save(update_fields=["model_blob", "updated_at"])
    PendingMatch.objects.filter(
        pk__in=[p.pk for p in pending], requested_at__lte=max(p.requested_at for p in pending)
    ).delete()
    finished = time.perf_counter()
    run.status = MatchRun.Status.SUCCEEDED
    run.progress = 100
    run.finished_at = timezone.now()
    run.counts = {
        "needs": [p.record_id for p in pending if p.kind == "need"],
        "solutions": [p.record_id for p in pending if p.kind == "solution"],
        **totals,
    }
    run.timings = {
        "load": round(loaded - started, 4),
        "score_and_write": round(applied - loaded, 4),
        "save_model": round(finished - applied, 4),
        "total": round(finished - started, 4),
    }
    run.save()
    if PendingMatch.objects.exists():
        enqueue(tasks.match_pending)
    return run


def _score(model, kind: Kind, pk: int, excluded) -> engine.ItemScores:
    if kind == "need":
        return engine.score_need(model, need_records(Need.objects.filter(pk=pk))[0], excluded)
    return engine.score_solution(
        model, solution_records(Solution.objects.filter(pk=pk))[0], excluded
    )


def _apply_change(model, run_id: int, kind: Kind, pk: int, excluded, totals) -> engine.FittedModel:
    """One record's change applied to the active generation; returns the updated model."""
    model_class = Need if kind == "need" else Solution
    record = model_class.objects.filter(pk=pk).first()
    published = record is not None and record.status == Status.APPROVED
    writer = _GenerationWriter(run_id)
    stored = _other_side_lists(run_id, kind)
    k = model.config.k
    explained = {}
    if published:
        if kind == "need":
            model = model.with_needs(need_records(Need.objects.filter(pk=pk)))
        else:
            model = model.with_solutions(solution_records(Solution.objects.filter(pk=pk)))
        scores = _score(model, kind, pk, excluded)
        writer.replace_own_list(kind, pk, scores.top)
        merges = scores.update_other_lists(stored, k)
        entered = sorted(other for other, merge in merges.items() if pk in merge.entered)
        if entered:
            explained = {(p.need_id, p.solution_id): p for p in scores.explain(entered)}
    else:
        in_model = pk in set((model.needs if kind == "need" else model.solutions).ids.tolist())
        if in_model:
            model = model.without_needs([pk]) if kind == "need" else model.without_solutions([pk])
        writer.drop_item(kind, pk)
        merges = engine.remove_from_lists(pk, stored, k)
    other = "solution" if kind == "need" else "need"
    refill = [owner for owner, merge in merges.items() if not merge.complete]
    for owner, merge in merges.items():
        if merge.complete:
            writer.replace_other_list(other, owner, merge.entries, explained)
    for owner in refill:
        writer.replace_own_list(other, owner, _score(model, other, owner, excluded).top)
    writer.flush()
    totals["lists_changed"] += len(merges)
    totals["lists_refilled"] += len(refill)
    totals["rows_written"] += writer.written
    return model


class _GenerationWriter:
    """Edits one generation's rows in memory, then writes only what changed."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.rows: dict[tuple[int, int], Match] = {}
        self.original: dict[tuple[int, int], tuple] = {}
        self.dirty: set[tuple[int, int]] = set()
        self.written = 0
        self.now = timezone.now()

    def _load(self, condition: Q) -> None:
        for row in Match.objects.filter(condition, run_id=self.run_id):
            key = (row.need_id, row.solution_id)
            if key not in self.rows:
                self.original[key] = self._values(row)
                self.rows[key] = row

    @staticmethod
    def _values(row: Match) -> tuple:
        return (row.score, row.rank_for_need, row.rank_for_solution, row.components, row.terms)

    def _clear_rank(self, kind: Kind, item_id: int) -> None:
        field = "rank_for_need" if kind == "need" else "rank_for_solution"
        self._load(Q(**{f"{kind}_id": item_id}))
        for key, row in self.rows.items():
            if getattr(row, f"{kind}_id") == item_id and getattr(row, field) is not None:
                setattr(row, field, None)
                self.dirty.add(key)

    def _row(self, pair: engine.ScoredPair | None, need_id: int, solution_id: int) -> Match:
        key = (need_id, solution_id)
        row = self.rows.get(key)
        if row is None and pair is not None:
            row = Match(
                run_id=self.run_id,
                need_id=need_id,
                solution_id=solution_id,
                algorithm_version=engine.ALGORITHM_VERSION,
                computed_at=self.now,
            )
            self.rows[key] = row
        if pair is not None:
            row.score = pair.score
            row.components = {k: round(float(v), 4) for k, v in pair.components.items()}
            row.terms = list(pair.terms)
            row.computed_at = self.now
            row.algorithm_version = engine.ALGORITHM_VERSION
        self.dirty.add(key)
        return row

    def replace_own_list(self, kind: Kind, item_id: int, top: Sequence[engine.ScoredPair]) -> None:
        self._clear_rank(kind, item_id)
        field = "rank_for_need" if kind == "need" else "rank_for_solution"
        for rank, pair in enumerate(top, start=1):
            row = self._row(pair, pair.need_id, pair.solution_id)
            setattr(row, field, rank)

    def replace_other_list(self, kind: Kind, owner: int, entries, explained) -> None:
        """A list of the other side after a merge: ranks change, new pairs arrive."""
        self._clear_rank(kind, owner)
        field = "rank_for_need" if kind == "need" else "rank_for_solution"
        self._load(Q(**{f"{kind}_id": owner}))
        for rank, entry in enumerate(entries, start=1):
            need_id, solution_id = (
                (owner, entry.other_id) if kind == "need" else (entry.other_id, owner)
            )
            key = (need_id, solution_id)
            if key not in self.rows:
                self._load(Q(need_id=need_id, solution_id=solution_id))
            row = self._row(
                explained.get(key) if key not in self.rows else None, need_id, solution_id
            )
            setattr(row, field, rank)

    def drop_item(self, kind: Kind, item_id: int) -> None:
        self._load(Q(**{f"{kind}_id": item_id}))
        for key, row in self.rows.items():
            if getattr(row, f"{kind}_id") == item_id:
                row.rank_for_need = None
                row.rank_for_solution = None
                self.dirty.add(key)

    def flush(self) -> None:
        delete, create, update = [], [], []
        for key in self.dirty:
            row = self.rows[key]
            if row.rank_for_need is None and row.rank_for_solution is None:
                if row.pk:
                    delete.append(row.pk)
            elif row.pk:
                # Most rows of a rewritten list keep their values: write only changes.
                if self._values(row) != self.original.get(key):
                    update.append(row)
            else:
                create.append(row)
        Match.objects.filter(pk__in=delete).delete()
        Match.objects.bulk_create(create)
        Match.objects.bulk_update(
            update,
            [
                "score",
                "components",
                "terms",
                "rank_for_need",
                "rank_for_solution",
                "computed_at",
                "algorithm_version",
            ],
            batch_size=500,
        )
        self.written = len(delete) + len(create) + len(update)
