"""Search indexes shared between the processes of one machine, as files of plain arrays.

A whole index build costs seconds at 10,000 needs; the web workers of a machine (and
a worker restarted by gunicorn's `max_requests`) should not each pay for it. The
process that builds an index writes its arrays (`SearchIndex.arrays`: ids, versions,
term counts, vocabulary; no pickled objects) to `SEARCH_INDEX_DIR`, one file per
database, kind and reading level, with the synonym list's state it was built with;
another process reads it and catches up with the records changed since
(matchmaking/search/index.py). A file of another synonym list is ignored. Writes
are atomic (a temporary file renamed over the old one); a build holds the file's lock
so that processes starting together build it once.

`SEARCH_INDEX_DIR` empty switches sharing off (the tests do, except those about it).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from matchmaking.engine.search import SearchIndex

logger = logging.getLogger(__name__)


def directory() -> Path | None:
    configured = getattr(settings, "SEARCH_INDEX_DIR", "")
    return Path(configured) if configured else None


def _path(kind: str, level: str, suffix: str) -> Path | None:
    folder = directory()
    if folder is None:
        return None
    db = connection.settings_dict
    where = f"{connection.vendor}:{db['NAME']}:{db.get('HOST', '')}:{db.get('PORT', '')}"
    database = hashlib.sha256(where.encode()).hexdigest()[:16]
    return folder / f"{database}-{kind}-{level}{suffix}"


def load(kind: str, level: str, synonyms: str, *, glossary, groups) -> SearchIndex | None:
    """The shared index, if there is one built with this synonym list."""
    path = _path(kind, level, ".npz")
    if path is None or not path.exists():
        return None
    started = time.perf_counter()
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["synonyms"]) != synonyms:
                return None
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError):
        logger.warning("search index file %s unreadable; building instead", path)
        return None
    index = SearchIndex.from_arrays(arrays, glossary=glossary, groups=groups)
    logger.info(
        "search index %s/%s: %d records read in %.2f s",
        kind,
        level,
        len(index),
        time.perf_counter() - started,
    )
    return index


def save(kind: str, level: str, synonyms: str, index: SearchIndex) -> None:
    path = _path(kind, level, ".npz")
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, synonyms=np.array(synonyms), **index.arrays())
        Path(temporary).replace(path)
    except OSError:
        logger.warning("search index file %s not written", path, exc_info=True)
        Path(temporary).unlink(missing_ok=True)


@contextlib.contextmanager
def building(kind: str, level: str) -> Iterator[None]:
    """Held while an index is built whole: the machine's other processes wait for it
    (and then read the file) instead of building the same index at the same time."""
    path = _path(kind, level, ".lock")
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
