"""Matching on the database: the engine's inputs, and full recomputes in chunks.

The engine (`matchmaking.engine`) is pure; this module feeds it plain records from
the database; `match_rows` writes its results back as Match rows.

Generations. A full recompute writes its rows tagged with its MatchRun and then, in
one transaction, points `MatchingState.active_run` at it: readers see the old
generation until that moment and the whole new one after it. Records approved,
edited or withdrawn while the run was computing are caught up right after the flip.

Incremental updates of one changed record live in `incremental`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import audit
from core.enums import Side
from core.models import Industry
from core.outbox import enqueue
from matchmaking import engine, tasks
from matchmaking.models import (
    FilingStatus,
    FittedVocabulary,
    Match,
    MatchFeedback,
    MatchingState,
    MatchRun,
    MatchRunChunk,
    Need,
    PendingMatch,
    Solution,
)
from matchmaking.services import match_rows, weights

logger = logging.getLogger(__name__)

Kind = str  # "need" | "solution"


# --- records and configuration ----------------------------------------------------------


def engine_config() -> engine.EngineConfig:
    """The engine's configuration: the related industries staff keep in admin, and the
    weights learned per domain that are in use."""
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
        domain_weights=weights.active_domain_weights(),
    )


def _codes_by_record(through, record_field: str, code_field: str, records) -> dict:
    """{record id: sorted codes} of a many-to-many relation, in one query."""
    codes: dict[int, list[str]] = {}
    for record_id, code in through.objects.filter(
        **{f"{record_field}__in": records.values("pk")}
    ).values_list(f"{record_field}_id", f"{code_field}__code"):
        codes.setdefault(record_id, []).append(code)
    # Sorted here, not by the database, whose collation may order codes otherwise.
    return {record_id: sorted(values) for record_id, values in codes.items()}


# Records are read as plain values (not model instances) and their taxonomy codes by one
# query per relation: for 15,000 records this took a third of the time of
# select_related + prefetch_related, and it is the part of a full run no worker shares.


def need_records(queryset=None) -> list[engine.NeedRecord]:
    queryset = queryset if queryset is not None else Need.objects.published()
    capabilities = _codes_by_record(Need.capabilities.through, "need", "capability", queryset)
    rows = queryset.order_by("pk").values_list(
        "pk",
        "organization_id",
        "title",
        "summary",
        "description",
        "industry__code",
        "capabilities_unsure",
        "deployment",
        "data_readiness",
        "budget_min",
        "budget_max",
        "requires_filing",
    )
    return [
        engine.NeedRecord(
            id=pk,
            organization_id=organization_id,
            title=title,
            summary=summary,
            description=description,
            industry=industry,
            # "Not sure": what the author ticked is a hint for the office; the engine
            # infers the capabilities from the text (and says so in the explanation).
            capabilities=() if unsure else tuple(capabilities.get(pk, ())),
            deployment=deployment or None,
            data_readiness=data_readiness or None,
            budget_min=budget_min,
            budget_max=budget_max,
            requires_filing=requires_filing,
        )
        for (
            pk,
            organization_id,
            title,
            summary,
            description,
            industry,
            unsure,
            deployment,
            data_readiness,
            budget_min,
            budget_max,
            requires_filing,
        ) in rows
    ]


def need_vectors(records: list[engine.NeedRecord], notes: list[tuple[str, dict]]):
    """The needs' TF-IDF rows and the terms of the stored engine model, or (None, None).

    Event planning names its themes from them; why there are none is added to `notes`
    as (msgid, values), which the season's report words in the reader's language.
    """
    blob = MatchingState.load().model_blob
    if not records:
        return None, None
    if not blob:
        notes.append(
            (
                gettext_noop(
                    "No matching model stored yet: themes are named from AI capabilities only."
                ),
                {},
            )
        )
        return None, None
    try:
        model = engine.FittedModel.from_bytes(bytes(blob))
    except engine.IncompatibleModelError as exc:
        notes.append(
            (
                gettext_noop(
                    "The stored matching model cannot be used (%(error)s): run a full re-match."
                ),
                {"error": str(exc)},
            )
        )
        return None, None
    return model.vectorize_needs(records), list(model.terms)


def solution_records(queryset=None) -> list[engine.SolutionRecord]:
    queryset = queryset if queryset is not None else Solution.objects.published()
    through = Solution.capabilities.through
    capabilities = _codes_by_record(through, "solution", "capability", queryset)
    industries = _codes_by_record(Solution.industries.through, "solution", "industry", queryset)
    deployment_fields = Solution.DEPLOYMENT_FIELDS
    rows = queryset.order_by("pk").values(
        "pk",
        "organization_id",
        "title",
        "summary",
        "description",
        "maturity",
        "price_min",
        "price_max",
        "filing_status",
        *deployment_fields.values(),
    )
    return [
        engine.SolutionRecord(
            id=row["pk"],
            organization_id=row["organization_id"],
            title=row["title"],
            summary=row["summary"],
            description=row["description"],
            industries=tuple(industries.get(row["pk"], ())),
            capabilities=tuple(capabilities.get(row["pk"], ())),
            deployment_modes=tuple(
                str(mode) for mode, field in deployment_fields.items() if row[field]
            ),
            maturity=row["maturity"] or None,
            price_min=row["price_min"],
            price_max=row["price_max"],
            filing_verified=row["filing_status"] == FilingStatus.VERIFIED,
        )
        for row in rows
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
        stalled_before = timezone.now() - timedelta(seconds=3 * settings.CELERY_TASK_TIME_LIMIT)
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
    """One chunk: load its needs' model, score them, and write their lists' rows.

    The rows (each need's top-k, explained) go into the run's generation by COPY in
    the transaction that marks the chunk done; the chunk's solution-side candidates
    are kept for the central merge (`finish_full_run`).
    """
    chunk = MatchRunChunk.objects.get(run_id=run_id, index=index)
    if chunk.done:
        return
    started = time.perf_counter()
    need_ids = json.loads(bytes(chunk.result))
    model = _load_model(run_id)
    result = engine.compute_chunk(model, need_ids, exclusions())
    rows = engine.chunk_rows(model, result)
    with transaction.atomic():
        updated = MatchRunChunk.objects.filter(pk=chunk.pk, done=False).update(
            done=True, result=result.to_bytes()
        )
        if updated:
            match_rows.write_match_rows(run_id=run_id, result=rows)
            MatchRunChunk.objects.filter(pk=chunk.pk).update(
                seconds=round(time.perf_counter() - started, 3)
            )
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


# A run's progress once its finish starts writing (the chunks take it up to 85).
PERSISTING = 88


def finish_full_run(run_id: int) -> MatchRun:
    """Phase 3: merge the solutions' lists, add their rows, flip, and catch up.

    The chunks wrote their needs' lists already. What stays central is merging the
    chunks' solution-side candidates (one chunk in memory at a time) and writing what
    that adds: the solution ranks of rows already written, and the explained rows of
    pairs that are in a solution's list only.
    """
    run = MatchRun.objects.get(pk=run_id)
    if run.status == MatchRun.Status.SUCCEEDED:
        _drop_superseded_rows()  # a retry after the flip: finish the housekeeping
        return run
    timings = dict(run.timings)
    started = time.perf_counter()
    model = _load_model(run_id)
    done = run.chunks.filter(done=True).order_by("index")
    if done.count() != run.chunks_total:
        raise RuntimeError(f"run {run_id}: {done.count()} of {run.chunks_total} chunks done")
    timings["chunks"] = round(sum(run.chunks.values_list("seconds", flat=True)), 3)
    merger = engine.ChunkMerger(model)
    for blob in done.values_list("result", flat=True).iterator(chunk_size=1):
        merger.add(engine.ChunkResult.from_bytes(bytes(blob)))
    solution_side = engine.SolutionSide.split(merger)
    merged = time.perf_counter()
    # PERSISTING marks that a finish began writing: only a retry has rows to undo.
    retried = run.progress >= PERSISTING
    _progress(run_id, progress=PERSISTING)
    with transaction.atomic():
        if retried:  # start again from the chunks' rows alone
            Match.objects.filter(run_id=run_id, rank_for_need__isnull=True).delete()
            Match.objects.filter(run_id=run_id, rank_for_solution__isnull=False).update(
                rank_for_solution=None
            )
        match_rows.write_match_rows(run_id=run_id, result=solution_side.extra)
    # Nobody reads this generation before the flip: the ranks may be set by several
    # connections at once (match_rows.set_solution_ranks), after the rows above.
    need_ids, solution_ids, ranks = solution_side.ranked
    match_rows.set_solution_ranks(
        run_id=run_id, need_ids=need_ids, solution_ids=solution_ids, ranks=ranks
    )
    rows = Match.objects.filter(run_id=run_id).count()
    persisted = time.perf_counter()
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
    with transaction.atomic():
        previous = _flip_to(run_id)
        # Changes requested before the snapshot are part of this generation already.
        PendingMatch.objects.filter(requested_at__lt=run.snapshot_at).delete()
        _progress(
            run_id,
            status=MatchRun.Status.SUCCEEDED,
            progress=100,
            finished_at=timezone.now(),
            timings=timings,
            counts={**run.counts, "pairs": rows},
        )
        run.status = MatchRun.Status.SUCCEEDED
        audit.record(None, "matchrun.succeeded", run, pairs=rows)
    # Housekeeping once the new generation is visible: nobody reads the old one.
    if previous:
        _drop_superseded_rows()
    MatchRunChunk.objects.filter(run_id=run_id).update(result=None)
    catch_up_after(run)
    return MatchRun.objects.get(pk=run_id)


def _drop_superseded_rows() -> None:
    """Delete the rows of generations a later full run replaced."""
    Match.objects.filter(run__status=MatchRun.Status.SUPERSEDED).delete()


def _flip_to(run_id: int) -> int | None:
    """Make run `run_id` the active generation; returns the one it replaces.

    The run's fitted model becomes the state's model by a copy inside the database
    (the blob is tens of megabytes: sending it back and forth cost seconds).
    """
    state = MatchingState.objects.select_for_update().get_or_create(pk=1)[0]
    previous = state.active_run_id
    MatchingState.objects.filter(pk=state.pk).update(
        active_run_id=run_id,
        model_blob=Subquery(FittedVocabulary.objects.filter(run_id=run_id).values("data")[:1]),
        updated_at=timezone.now(),
    )
    MatchRun.objects.filter(pk=previous, kind=MatchRun.Kind.FULL).update(
        status=MatchRun.Status.SUPERSEDED
    )
    return previous


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
    """Write every kept pair of a run as the rows of its generation (match_rows)."""
    return match_rows.write_match_rows(run_id=run.pk, result=result)
