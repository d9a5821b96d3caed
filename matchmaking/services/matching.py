"""Matching on the database: full recomputes in chunks, incremental updates, persistence.

The engine (`matchmaking.engine`) is pure; this module feeds it plain records from
the database and writes its results back as Match rows.

Generations. A full recompute writes its rows tagged with its MatchRun and then, in
one transaction, points `MatchingState.active_run` at it: readers see the old
generation until that moment and the whole new one after it. Records approved,
edited or withdrawn while the run was computing are caught up right after the flip.

Incremental updates edit the active generation in place, under a row lock on
MatchingState, and keep the stored engine model (`MatchingState.model_blob`) current
so the next increment scores against everything published so far.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import audit
from core.enums import Side
from core.models import Industry
from core.outbox import enqueue
from matchmaking import engine, tasks
from matchmaking.models import (
    FittedVocabulary,
    Match,
    MatchFeedback,
    MatchingState,
    MatchRun,
    MatchRunChunk,
    Need,
    PendingMatch,
    Solution,
    Status,
)

logger = logging.getLogger(__name__)

Kind = str  # "need" | "solution"
STALLED_AFTER = timedelta(seconds=3 * settings.CELERY_TASK_TIME_LIMIT)
COPY_COLUMNS = (
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


# --- records and configuration ----------------------------------------------------------


def engine_config() -> engine.EngineConfig:
    """The engine's configuration, with the related industries staff keep in admin."""
    pairs = {
        tuple(sorted((a, b)))
        for a, b in Industry.related.through.objects.values_list(
            "from_industry__code", "to_industry__code"
        )
    }
    return engine.EngineConfig(
        k=settings.MATCHING_TOP_K,
        min_score=settings.MATCHING_MIN_SCORE,
        related_industries=tuple(sorted(pairs)) or engine.DEFAULT_RELATED_INDUSTRIES,
    )


def need_records(queryset=None) -> list[engine.NeedRecord]:
    queryset = queryset if queryset is not None else Need.objects.published()
    rows = queryset.select_related("industry").prefetch_related("capabilities").order_by("pk")
    return [
        engine.NeedRecord(
            id=n.pk,
            organization_id=n.organization_id,
            title=n.title,
            summary=n.summary,
            description=n.description,
            industry=n.industry.code if n.industry_id else None,
            capabilities=tuple(sorted(c.code for c in n.capabilities.all())),
            deployment=n.deployment or None,
            data_readiness=n.data_readiness or None,
            budget_min=n.budget_min,
            budget_max=n.budget_max,
        )
        for n in rows
    ]


def need_vectors(records: list[engine.NeedRecord], notes: list[str]):
    """The needs' TF-IDF rows and the terms of the stored engine model, or (None, None).

    Event planning names its themes from them; why there are none is added to `notes`.
    """
    blob = MatchingState.load().model_blob
    if not records:
        return None, None
    if not blob:
        notes.append("No matching model stored yet: themes are named from capabilities only.")
        return None, None
    try:
        model = engine.FittedModel.from_bytes(bytes(blob))
    except engine.IncompatibleModelError as exc:
        notes.append(f"The stored matching model cannot be used ({exc}); run a full re-match.")
        return None, None
    return model.vectorize_needs(records), list(model.terms)


def solution_records(queryset=None) -> list[engine.SolutionRecord]:
    queryset = queryset if queryset is not None else Solution.objects.published()
    rows = queryset.prefetch_related("capabilities", "industries").order_by("pk")
    return [
        engine.SolutionRecord(
            id=s.pk,
            organization_id=s.organization_id,
            title=s.title,
            summary=s.summary,
            description=s.description,
            industries=tuple(sorted(i.code for i in s.industries.all())),
            capabilities=tuple(sorted(c.code for c in s.capabilities.all())),
            deployment_modes=tuple(s.deployment_modes),
            maturity=s.maturity or None,
            price_min=s.price_min,
            price_max=s.price_max,
        )
        for s in rows
    ]


def exclusions() -> list[engine.Exclusion]:
    """Pairs a side marked “not interested”: hidden from that side's list only."""
    side = {Side.ENTERPRISE: "need", Side.PROVIDER: "solution"}
    return [
        engine.Exclusion(need_id=n, solution_id=s, side=side[who])
        for n, s, who in MatchFeedback.objects.values_list("need_id", "solution_id", "side")
    ]


# --- full recompute ----------------------------------------------------------------------


def start_full_run(*, by=None) -> MatchRun:
    """Queue a full recompute (admin action, command, nightly beat job).

    A run already queued or computing is reused: pressing the button twice does not
    compute twice.
    """
    with transaction.atomic():
        unfinished = MatchRun.objects.select_for_update().filter(
            kind=MatchRun.Kind.FULL, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
        )
        # A run that made no progress for much longer than any task may take has lost
        # its work (the outbox would have handed lost chunks to other workers long
        # ago); it must not block new runs.
        stalled_before = timezone.now() - STALLED_AFTER
        stalled = list(
            unfinished.filter(
                Q(heartbeat_at__lt=stalled_before)
                | Q(heartbeat_at__isnull=True, created_at__lt=stalled_before)
            )
        )
        MatchRun.objects.filter(pk__in=[run.pk for run in stalled]).update(
            status=MatchRun.Status.FAILED, error="stalled", finished_at=timezone.now()
        )
        for run in stalled:
            run.status = MatchRun.Status.FAILED
        audit.record_each(None, "matchrun.failed", stalled, error="stalled")
        pending = unfinished.exclude(status=MatchRun.Status.FAILED).first()
        if pending is not None:
            return pending
        run = MatchRun.objects.create(kind=MatchRun.Kind.FULL, requested_by=by)
        audit.record(by, "matchrun.requested", run)
        enqueue(tasks.run_full_matching, kwargs={"run_id": run.pk}, key=f"full-run:{run.pk}")
    return run


def _progress(run_id: int, **fields) -> None:
    MatchRun.objects.filter(pk=run_id).update(**fields)


def prepare_full_run(run_id: int) -> list[int]:
    """Phase 1 of a full run: fit the vocabulary and split the needs into chunks.

    Returns the chunk indexes to compute. Idempotent: a retried task reuses what an
    earlier attempt stored.
    """
    run = MatchRun.objects.get(pk=run_id)
    existing = list(run.chunks.order_by("index").values_list("index", flat=True))
    if existing and FittedVocabulary.objects.filter(run=run).exists():
        return existing
    started = time.perf_counter()
    now = timezone.now()
    _progress(
        run_id,
        status=MatchRun.Status.RUNNING,
        started_at=now,
        snapshot_at=now,
        heartbeat_at=now,
        algorithm_version=engine.ALGORITHM_VERSION,
        progress=1,
    )
    needs, solutions = need_records(), solution_records()
    loaded = time.perf_counter()
    model = engine.fit(needs, solutions, engine_config())
    fitted = time.perf_counter()
    FittedVocabulary.objects.update_or_create(run=run, defaults={"data": model.to_bytes()})
    need_ids = [n.id for n in needs]
    size = settings.MATCHING_CHUNK_NEEDS
    chunks = [need_ids[i : i + size] for i in range(0, len(need_ids), size)] or [[]]
    MatchRunChunk.objects.filter(run=run).delete()
    MatchRunChunk.objects.bulk_create(
        MatchRunChunk(run=run, index=i, result=json.dumps(ids).encode())
        for i, ids in enumerate(chunks)
    )
    _progress(
        run_id,
        progress=5,
        chunks_total=len(chunks),
        counts={"needs": len(needs), "solutions": len(solutions)},
        timings={"load": round(loaded - started, 3), "fit": round(fitted - loaded, 3)},
    )
    return list(range(len(chunks)))


def _load_model(run_id: int) -> engine.FittedModel:
    return engine.FittedModel.from_bytes(bytes(FittedVocabulary.objects.get(run_id=run_id).data))


def dispatch_chunks(run_id: int, chunks: Sequence[int]) -> None:
    """Phase 2 fan-out: one outbox message per chunk, published after commit."""
    with transaction.atomic():
        for index in chunks:
            enqueue(
                tasks.match_chunk,
                kwargs={"run_id": run_id, "index": index},
                key=f"chunk:{run_id}:{index}",
            )


def compute_full_chunk(run_id: int, index: int) -> None:
    """Phase 2 (parallel): one chunk of needs against all solutions. Idempotent.

    The chunk that completes the set queues phase 3, in the same transaction that
    records it done: the merge is queued exactly once, however the chunks are spread.
    """
    _compute_chunk(run_id, index, queue_finish=True)


def _compute_chunk(run_id: int, index: int, *, queue_finish: bool) -> None:
    chunk = MatchRunChunk.objects.get(run_id=run_id, index=index)
    if chunk.done:
        return
    started = time.perf_counter()
    need_ids = json.loads(bytes(chunk.result))
    model = _load_model(run_id)
    result = engine.compute_chunk(model, need_ids, exclusions())
    seconds = time.perf_counter() - started
    with transaction.atomic():
        updated = MatchRunChunk.objects.filter(pk=chunk.pk, done=False).update(
            done=True, result=result.to_bytes(), seconds=round(seconds, 3)
        )
        if updated:
            run = MatchRun.objects.select_for_update().get(pk=run_id)
            run.chunks_done = F("chunks_done") + 1
            run.save(update_fields=["chunks_done"])
            run.refresh_from_db(fields=["chunks_done", "chunks_total"])
            share = run.chunks_done / max(run.chunks_total, 1)
            _progress(run_id, progress=5 + int(80 * share), heartbeat_at=timezone.now())
            if queue_finish and run.chunks_done >= run.chunks_total:
                enqueue(
                    tasks.finish_full_matching,
                    kwargs={"run_id": run_id},
                    key=f"finish-run:{run_id}",
                )


def finish_full_run(run_id: int) -> MatchRun:
    """Phase 3: merge the chunks, persist the generation, flip, and catch up."""
    run = MatchRun.objects.get(pk=run_id)
    if run.status == MatchRun.Status.SUCCEEDED:
        return run
    timings = dict(run.timings)
    started = time.perf_counter()
    model = _load_model(run_id)
    chunks = [
        engine.ChunkResult.from_bytes(bytes(c.result))
        for c in run.chunks.filter(done=True).order_by("index")
    ]
    if len(chunks) != run.chunks_total:
        raise RuntimeError(f"run {run_id}: {len(chunks)} of {run.chunks_total} chunks done")
    timings["chunks"] = round(sum(run.chunks.values_list("seconds", flat=True)), 3)
    result = engine.merge_chunks(model, chunks)
    merged = time.perf_counter()
    _progress(run_id, progress=88)
    Match.objects.filter(run_id=run_id).delete()  # a retried finish starts clean
    rows = persist_result(run, result)
    persisted = time.perf_counter()
    with transaction.atomic():
        state = MatchingState.objects.select_for_update().get_or_create(pk=1)[0]
        previous = state.active_run_id
        state.active_run_id = run_id
        state.model_blob = model.to_bytes()
        state.save(update_fields=["active_run", "model_blob", "updated_at"])
        MatchRun.objects.filter(pk=previous, kind=MatchRun.Kind.FULL).update(
            status=MatchRun.Status.SUPERSEDED
        )
    if previous:
        Match.objects.filter(run_id=previous).delete()
    # Changes requested before the snapshot are part of this generation already.
    PendingMatch.objects.filter(requested_at__lt=run.snapshot_at).delete()
    timings.update(
        merge=round(merged - started, 3),
        persist=round(persisted - merged, 3),
        persist_rows_per_s=round(rows / max(persisted - merged, 1e-9)),
        total=round(
            time.perf_counter()
            - started
            + timings.get("load", 0)
            + timings.get("fit", 0)
            + timings.get("chunks", 0),
            3,
        ),
    )
    counts = {**run.counts, "pairs": rows}
    with transaction.atomic():
        _progress(
            run_id,
            status=MatchRun.Status.SUCCEEDED,
            progress=100,
            finished_at=timezone.now(),
            timings=timings,
            counts=counts,
        )
        run.status = MatchRun.Status.SUCCEEDED
        audit.record(None, "matchrun.succeeded", run, pairs=rows)
    MatchRunChunk.objects.filter(run_id=run_id).update(result=None)
    catch_up_after(run)
    return MatchRun.objects.get(pk=run_id)


@transaction.atomic
def fail_run(run_id: int, error: str) -> None:
    """A full run's job failed for good: say so on the run, for staff to see."""
    run = (
        MatchRun.objects.select_for_update()
        .filter(pk=run_id)
        .exclude(status=MatchRun.Status.SUCCEEDED)
        .first()
    )
    if run is None:
        return
    MatchRun.objects.filter(pk=run_id).update(
        status=MatchRun.Status.FAILED, error=error[:4000], finished_at=timezone.now()
    )
    run.status = MatchRun.Status.FAILED
    audit.record(None, "matchrun.failed", run, error=error[:200])


def run_full_in_process(run_id: int) -> MatchRun:
    """All three phases in this process (eager mode, the command, tests)."""
    for index in prepare_full_run(run_id):
        _compute_chunk(run_id, index, queue_finish=False)
    return finish_full_run(run_id)


def catch_up_after(run: MatchRun) -> int:
    """Re-match records that changed while the run computed from its snapshot."""
    if run.snapshot_at is None:
        return 0
    count = 0
    for kind, model in (("need", Need), ("solution", Solution)):
        changed = model.objects.filter(updated_at__gt=run.snapshot_at).values_list("pk", flat=True)
        for pk in changed:
            PendingMatch.objects.update_or_create(kind=kind, record_id=pk)
            count += 1
    if PendingMatch.objects.exists():
        enqueue(tasks.match_pending)
    return count


def persist_result(run: MatchRun, result: engine.MatchResult) -> int:
    """Write every kept pair of a run; COPY on PostgreSQL, batched inserts elsewhere.

    Each row holds the pair's ids and score, its components rounded to 4 decimals
    (Python's `round`), its shared terms, its two ranks (0 in the result: NULL) and
    the run's version and time. On PostgreSQL the COPY text is formatted column by
    column for a batch of rows at once rather than row by row: components are rounded
    as arrays, each distinct value and term is JSON-encoded once by `json.dumps`, and
    `%` templates join the pieces. The text is what `json.dumps` of the per-row dict
    and list would give, so exactly the same data is written.
    """
    names = result.component_names()
    now = timezone.now()
    terms = result.terms
    if connection.vendor != "postgresql":

        def rows():
            for i in range(len(result)):
                term_ids = result.term_ids[i]
                yield (
                    int(result.need_ids[i]),
                    int(result.solution_ids[i]),
                    run.pk,
                    float(result.scores[i]),
                    {
                        name: round(float(v), 4)
                        for name, v in zip(names, result.components[i], strict=True)
                    },
                    [terms[t] for t in term_ids.tolist() if t >= 0],
                    int(result.rank_for_need[i]) or None,
                    int(result.rank_for_solution[i]) or None,
                    result.algorithm_version,
                    now,
                )

        return _write_rows(rows())

    # COPY's text format: the escapes psycopg's write_row applies.
    copy_escapes = str.maketrans(
        {"\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
    )

    def escape(text: str) -> str:
        return text.translate(copy_escapes)

    def constant(text: str) -> str:
        """Fixed text of a `%` template: escaped for COPY, its own % doubled."""
        return escape(text).replace("%", "%%")

    def rounded(values: np.ndarray) -> np.ndarray:
        """`round(v, 4)` of every value, as arrays.

        rint(v * 1e4) / 1e4 picks the same multiple of 1e-4 as Python's correctly
        rounded `round` unless v * 1e4 lies within rounding error of a half step;
        those values (and any that are not small and finite) go through `round`.
        """
        scaled = values * 1e4
        out = np.rint(scaled) / 1e4
        unsure = ~(np.abs(values) < 1e6) | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
        for i, j in zip(*np.nonzero(unsure), strict=True):
            out[i, j] = round(float(values[i, j]), 4)
        return out

    def as_json(values: np.ndarray) -> np.ndarray:
        """json.dumps of each value (object array), encoding each distinct value once."""
        bits, inverse = np.unique(values.view(np.int64), return_inverse=True)
        text = [json.dumps(v) for v in bits.view(np.float64).tolist()]
        return np.array(text, dtype=object)[inverse]

    def rank_text(ranks: np.ndarray) -> np.ndarray:
        distinct, inverse = np.unique(ranks, return_inverse=True)
        return np.array([str(r) if r else "\\N" for r in distinct.tolist()], dtype=object)[inverse]

    def terms_json(term_ids: np.ndarray) -> list[str]:
        """Each row's terms as json.dumps of the list, COPY-escaped."""
        # Move the -1 padding to the end of each row, keeping the terms' order.
        term_ids = np.take_along_axis(
            term_ids, np.argsort(term_ids < 0, axis=1, kind="stable"), axis=1
        )
        for term_id in np.unique(term_ids[term_ids >= 0]).tolist():
            if term_id not in term_text:
                term_text[term_id] = escape(json.dumps(terms[term_id], ensure_ascii=False))
        counts = (term_ids >= 0).sum(axis=1)
        out = np.empty(len(term_ids), dtype=object)
        for count in np.unique(counts).tolist():
            at = np.flatnonzero(counts == count)
            template = "[" + ", ".join(["%s"] * count) + "]"
            pieces = [[term_text[t] for t in term_ids[at, j].tolist()] for j in range(count)]
            out[at] = [template % row for row in zip(*pieces, strict=True)] if count else "[]"
        return out.tolist()

    def lines(rows: slice) -> str:
        """COPY text of a batch of rows."""
        components = rounded(np.asarray(result.components[rows], dtype=np.float64))
        values = [as_json(components[:, j]) for j in range(len(names))]
        fields = zip(
            map(str, result.need_ids[rows].tolist()),
            map(str, result.solution_ids[rows].tolist()),
            map(repr, result.scores[rows].astype(np.float64).tolist()),
            [components_template % row for row in zip(*values, strict=True)],
            terms_json(np.asarray(result.term_ids[rows])),
            rank_text(result.rank_for_need[rows]).tolist(),
            rank_text(result.rank_for_solution[rows]).tolist(),
            strict=True,
        )
        return "".join([line_template % row for row in fields])

    # json.dumps(dict) is "{" + '"name": value' joined by ", " + "}".
    components_template = (
        "{"
        + ", ".join(constant(json.dumps(name, ensure_ascii=False)) + ": %s" for name in names)
        + "}"
    )
    term_text: dict[int, str] = {}  # term id -> json.dumps of the term, COPY-escaped
    line_template = f"%s\t%s\t{run.pk}\t%s\t%s\t%s\t%s\t%s\t"
    line_template += f"{constant(result.algorithm_version)}\t{constant(now.isoformat())}\n"
    # psycopg only matters on PostgreSQL, where it is installed.
    from psycopg.copy import QueuedLibpqWriter  # noqa: PLC0415

    batch = 10_000  # rows formatted at once, while the writer's thread sends the last ones
    table = Match._meta.db_table
    with connection.cursor() as wrapper:
        # psycopg's own cursor: Django's DEBUG wrapper takes no `writer`. The queued
        # writer's write() only queues (at most ~128 MB) and a thread sends, so the
        # formatting of a batch overlaps the server's work on the previous ones.
        cursor = wrapper.cursor
        sql = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        with cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
            for start in range(0, len(result), batch):
                copy.write(lines(slice(start, start + batch)))
    return len(result)


def _write_rows(rows: Iterable[tuple]) -> int:
    count = 0
    if connection.vendor == "postgresql":
        table = Match._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                values = list(row)
                values[4] = json.dumps(values[4], ensure_ascii=False)
                values[5] = json.dumps(values[5], ensure_ascii=False)
                copy.write_row(values)
                count += 1
        return count
    batch: list[Match] = []
    for row in rows:
        batch.append(Match(**dict(zip(COPY_COLUMNS, row, strict=True))))
        if len(batch) >= 2000:
            Match.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Match.objects.bulk_create(batch)
    return count + len(batch)


# --- incremental -------------------------------------------------------------------------


def request_match(kind: Kind, pk: int) -> None:
    """Record that a need or solution changed, and wake the incremental job.

    Called inside the transaction of the change: the request is durable with it,
    and the job runs after commit (or, if Redis is down, when the sweep re-sends it).
    """
    PendingMatch.objects.update_or_create(kind=kind, record_id=pk)
    enqueue(tasks.match_pending)


def on_catalog_change(record: Need | Solution) -> None:
    """Hook for the catalog services: published, edited or withdrawn → re-match it."""
    request_match("need" if isinstance(record, Need) else "solution", record.pk)


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
def match_pending(limit: int = 500) -> MatchRun | None:
    """Bring the changed records' matches up to date, exactly as a full recompute would.

    Published records are scored against the other side with the stored vocabulary;
    others (withdrawn, closed, returned, deleted) leave every list they were in.
    Without a first full run there is nothing to update incrementally: a full run is
    queued instead, and the pending records are caught up after it.
    """
    state = MatchingState.objects.select_for_update().get_or_create(pk=1)[0]
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
