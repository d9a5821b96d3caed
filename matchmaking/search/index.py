"""One search index per kind of record and reading level, kept up to date as the catalog changes.

Each process keeps its indexes in memory with the state they were built from: the
number of records, their latest change and highest id, and the synonym list's state
(the file's and the admin's entries). Every search reads that state (two small
aggregate queries); when it differs, the index catches up before the search runs, so
an approval, an edit, a withdrawal or a new synonym is searchable at once — and a
withdrawn record never shows anyway, because results are always read through the
caller's own queryset.

Catching up re-tokenises only what changed: the records' (id, last change) pairs are
compared with the index's, and only new or changed records are read and tokenised,
removed ones dropped (`SearchIndex.updated`). A whole build (seconds at 10,000
needs) happens once per synonym list, shared between processes: the first process
to need it builds it under a file lock and writes it as arrays
(matchmaking/search/snapshots.py); the others, and workers started later, read it
and catch up from there. gunicorn workers load the public indexes before they take
their first request (`warm`, platform/gunicorn.conf.py).

What a record's document holds depends on what the viewer may read
(matchmaking/rules.py): a need's full description is searched for signed-in
members only when the need shares it, and for staff always; anonymous visitors
search the public part (title, summary, organization, taxonomy labels).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection

from core.models import Capability, Industry, Organization
from matchmaking.engine.search import (
    SYNONYMS_PATH,
    SearchDocument,
    SearchIndex,
    SynonymGroup,
    build_glossary,
    file_synonyms,
    parse_group,
)
from matchmaking.models import Confidentiality, Need, SearchSynonym, Solution
from matchmaking.search import snapshots

PUBLIC, MEMBERS, FULL = "public", "members", "full"
KINDS = ("need", "solution", "organization")
# Past this share of changed records (and this many), a whole build is cheaper than
# catching up.
REBUILD_SHARE = 0.3
REBUILD_MIN = 500
# A process that caught up this many records since the shared file was written
# writes it again, so that workers started later have little to catch up.
SNAPSHOT_AFTER = 200
# Records read per query when catching up (below every database's parameter limit).
CHUNK = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Catching up re-reads the records changed this long before the index's latest change:
# a transaction that began earlier may commit after it.
LATE_COMMITS = timedelta(minutes=2)
_lock = threading.Lock()
_indexes: dict[tuple[str, str], _Built] = {}
_glossary: dict[str, tuple] = {}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Built:
    state: tuple
    index: SearchIndex
    # Records tokenised since the shared file of this index was written.
    unsaved: int = 0


def level_of(user) -> str:
    """How much of a record's text the viewer may search."""
    if user is None or not user.is_authenticated:
        return PUBLIC
    return FULL if user.is_staff else MEMBERS


def catalog_state(model) -> tuple:
    """What an index of `model` is built from, in one query: the records' latest change
    and highest id (both read from an index), and the synonym list's state (the file's
    content, the admin entries' number and latest change)."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    synonyms = quote(SearchSynonym._meta.db_table)
    changed = quote("updated_at")
    with connection.cursor() as cursor:
        # Only our own table and column names are put in; there is no parameter.
        cursor.execute(
            f"SELECT (SELECT MAX({changed}) FROM {table}), (SELECT MAX({pk}) FROM {table}), "  # noqa: S608
            f"(SELECT COUNT(*) FROM {synonyms}), (SELECT MAX({changed}) FROM {synonyms})"
        )
        latest, last, entries, edited = cursor.fetchone()
    return latest, last, f"{_file_digest()}:{entries}:{edited}"


@functools.lru_cache(maxsize=1)
def _file_digest() -> str:
    return hashlib.sha256(SYNONYMS_PATH.read_bytes()).hexdigest()[:16]


def synonym_groups() -> tuple[SynonymGroup, ...]:
    """The file's groups and the active ones staff added in the admin."""
    extra = []
    for chinese, english in SearchSynonym.objects.filter(active=True).values_list(
        "chinese", "english"
    ):
        group = parse_group(chinese, english)
        if group is not None:
            extra.append(group)
    return file_synonyms() + tuple(extra)


def _glossary_for(version: str):
    cached = _glossary.get("current")
    if cached is None or cached[0] != version:
        groups = synonym_groups()
        cached = (version, build_glossary(groups), groups)
        _glossary["current"] = cached
    return cached[1], cached[2]


def _labels(model) -> dict[int, str]:
    return {
        pk: f"{zh} {en}" for pk, zh, en in model.objects.values_list("pk", "name_zh", "name_en")
    }


def _m2m(
    through, owner: str, target: str, labels: dict[int, str], pks: Sequence[int] | None
) -> dict[int, list[str]]:
    links = through.objects.all()
    if pks is not None:
        links = links.filter(**{f"{owner}__in": pks})
    found: dict[int, list[str]] = defaultdict(list)
    for owner_id, target_id in links.values_list(owner, target):
        found[owner_id].append(labels.get(target_id, ""))
    return found


def _rows(model, pks: Sequence[int] | None, *fields: str):
    records = model.objects.all() if pks is None else model.objects.filter(pk__in=pks)
    return records.values_list("pk", "updated_at", *fields)


def stamp(moment: datetime | None) -> int:
    """A record's last change as an integer (microseconds), its document's version."""
    return 0 if moment is None else (moment - _EPOCH) // timedelta(microseconds=1)


def _need_documents(level: str, pks: Sequence[int] | None = None) -> list[SearchDocument]:
    labels = _labels(Capability)
    capabilities = _m2m(Need.capabilities.through, "need_id", "capability_id", labels, pks)
    rows = _rows(
        Need,
        pks,
        "title",
        "summary",
        "description",
        "confidentiality",
        "organization__name",
        "organization__name_en",
        "industry__name_zh",
        "industry__name_en",
    )
    documents = []
    for pk, changed, title, summary, description, confidentiality, *labels in rows:
        readable = level == FULL or (
            level == MEMBERS and confidentiality == Confidentiality.MEMBERS
        )
        texts = (summary, description if readable else "", *(x or "" for x in labels))
        texts += tuple(capabilities.get(pk, ()))
        documents.append(SearchDocument(pk, title, texts, stamp(changed)))
    return documents


def _solution_documents(level: str, pks: Sequence[int] | None = None) -> list[SearchDocument]:
    capability_labels = _labels(Capability)
    industry_labels = _labels(Industry)
    capabilities = _m2m(
        Solution.capabilities.through, "solution_id", "capability_id", capability_labels, pks
    )
    industries = _m2m(
        Solution.industries.through, "solution_id", "industry_id", industry_labels, pks
    )
    rows = _rows(
        Solution,
        pks,
        "title",
        "summary",
        "description",
        "cases",
        "base_model",
        "organization__name",
        "organization__name_en",
    )
    return [
        SearchDocument(
            pk,
            title,
            tuple(texts) + tuple(capabilities.get(pk, ())) + tuple(industries.get(pk, ())),
            stamp(changed),
        )
        for pk, changed, title, *texts in rows
    ]


def _organization_documents(level: str, pks: Sequence[int] | None = None) -> list[SearchDocument]:
    rows = _rows(
        Organization,
        pks,
        "name",
        "name_en",
        "description",
        "district",
        "industry__name_zh",
        "industry__name_en",
    )
    return [
        SearchDocument(pk, name, tuple(x or "" for x in texts), stamp(changed))
        for pk, changed, name, *texts in rows
    ]


_SOURCES = {
    "need": (Need, _need_documents),
    "solution": (Solution, _solution_documents),
    "organization": (Organization, _organization_documents),
}


def index_for(kind: str, level: str = PUBLIC, *, checked: bool = False) -> SearchIndex:
    """The current index of `kind` at the viewer's reading level (see the module docstring).

    `checked`: the caller searched this index a moment ago (same request), so the
    index in memory is taken as it is, without reading the catalog's state again.
    """
    model, _documents = _SOURCES[kind]
    if kind != "need":
        level = PUBLIC  # what solutions and organizations show is the same for everyone
    cached = _indexes.get((kind, level))
    if checked and cached is not None:
        return cached.index
    # The latest change and the highest id (both read from an index): an addition, an
    # edit, a status change is a newer change. A deleted record is dropped at the next
    # change; until then it is only held, never shown (results are read through the
    # caller's queryset).
    state = catalog_state(model)
    if cached is not None and cached.state == state:
        return cached.index
    with _lock:
        cached = _indexes.get((kind, level))
        if cached is not None and cached.state == state:
            return cached.index
        built = _refresh(kind, level, state, cached)
        _indexes[(kind, level)] = built
        return built.index


def _refresh(kind: str, level: str, state: tuple, cached: _Built | None) -> _Built:
    """The index brought to `state`: caught up from this process's index or the shared
    file when they were built with the same synonyms, else built whole (once for all
    processes: under the shared file's lock)."""
    synonyms = state[-1]
    glossary, groups = _glossary_for(synonyms)
    unsaved = 0
    if cached is not None and cached.state[-1] == synonyms:
        index, unsaved = cached.index, cached.unsaved
    else:
        index = snapshots.load(kind, level, synonyms, glossary=glossary, groups=groups)
    if index is None:
        with snapshots.building(kind, level):
            # Another process may have built it while this one waited.
            index = snapshots.load(kind, level, synonyms, glossary=glossary, groups=groups)
            if index is None:
                index = build_index(kind, level, glossary, groups)
                snapshots.save(kind, level, synonyms, index)
    index, changed = _catch_up(kind, level, index, glossary, groups)
    unsaved += changed
    if unsaved >= SNAPSHOT_AFTER:
        snapshots.save(kind, level, synonyms, index)
        unsaved = 0
    return _Built(state, index, unsaved)


def build_index(kind: str, level: str, glossary, groups) -> SearchIndex:
    started = time.perf_counter()
    index = SearchIndex(_SOURCES[kind][1](level), glossary=glossary, groups=groups)
    logger.info(
        "search index %s/%s: %d records built in %.2f s",
        kind,
        level,
        len(index),
        time.perf_counter() - started,
    )
    return index


def _catch_up(
    kind: str, level: str, index: SearchIndex, glossary, groups
) -> tuple[SearchIndex, int]:
    """`index` with the records added, changed or removed since it was built, and how
    many records that re-tokenised. A record changed when its last change differs from
    the one the index holds. Only the records changed since shortly before the index's
    latest change are compared (read through the index on `updated_at`); when the
    number of records then differs from the database's, every record's (id, last
    change) is (a record was deleted, restored from a backup, or committed late)."""
    model, documents = _SOURCES[kind]
    held = dict(zip(index.keys.tolist(), index.versions.tolist(), strict=True))
    latest = int(index.versions.max()) if len(index) else 0
    since = _EPOCH + timedelta(microseconds=latest) - LATE_COMMITS
    recent = model.objects.filter(updated_at__gte=since).values_list("pk", "updated_at")
    changed = [pk for pk, moment in recent if held.get(pk) != stamp(moment)]
    removed: list[int] = []
    if len(held) + sum(pk not in held for pk in changed) != model.objects.count():
        current = dict(model.objects.values_list("pk", "updated_at"))
        changed = [pk for pk, moment in current.items() if held.get(pk) != stamp(moment)]
        removed = [pk for pk in held if pk not in current]
    if not changed and not removed:
        return index, 0
    if len(changed) > max(REBUILD_MIN, REBUILD_SHARE * len(held)):
        return build_index(kind, level, glossary, groups), len(changed)
    fresh = [doc for chunk in _chunks(changed) for doc in documents(level, chunk)]
    return index.updated(fresh, removed), len(fresh)


def _chunks(keys: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]


def forget() -> None:
    """Drop this process's indexes: the next search starts as a new process would."""
    with _lock:
        _indexes.clear()


def warm(kinds: Iterable[str] = KINDS) -> None:
    """Bring this process's public indexes up to date (a gunicorn worker, before its
    first request: no visitor waits for a build or a read of the shared file)."""
    try:
        for kind in kinds:
            started = time.perf_counter()
            index = index_for(kind, PUBLIC)
            logger.info(
                "search index %s ready: %d records in %.2f s",
                kind,
                len(index),
                time.perf_counter() - started,
            )
    except Exception:
        # Searches build what is missing on demand; a failure here must not stop a worker.
        logger.exception("search index warm-up failed")
