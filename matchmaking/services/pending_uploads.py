"""Files chosen in a need or solution form, kept while another field is corrected.

A browser never fills a file input again: when the form comes back with an error in,
say, the budget, the file the user chose would be lost and they would not notice.
So each upload that passed its own checks is put aside under `pending-uploads/` in
the default storage, and the page carries a signed token for it (bound to the user,
valid for a day) in a ticked “keep” checkbox. The next successful save attaches the
kept files through `catalog.add_attachment` (checked again, audited) and deletes them
from here; files nobody came back for are purged by a periodic job.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.models import User
from core.validators import sanitize_filename

PENDING_DIR = "pending-uploads"
MAX_AGE = timedelta(days=1)
_SALT = "matchmaking.pending_upload"


@dataclass(frozen=True)
class PendingUpload:
    token: str
    name: str
    size: int
    path: str

    def open(self) -> File:
        """The kept file, under the name the user chose it with."""
        return File(default_storage.open(self.path, "rb"), name=self.name)


def stash(*, by: User, upload) -> PendingUpload:
    """Put a checked upload aside; the returned token brings it back for `by` only."""
    upload.seek(0)
    path = default_storage.save(f"{PENDING_DIR}/{secrets.token_hex(16)}", upload)
    name = sanitize_filename(upload.name)
    token = signing.dumps({"u": by.pk, "p": path, "n": name, "s": upload.size}, salt=_SALT)
    return PendingUpload(token, name, upload.size, path)


def claim(*, by: User, token: str) -> PendingUpload | None:
    """The file a token stands for, if it is `by`'s, fresh, and still there."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    path = data.get("p", "")
    if data.get("u") != by.pk or not path.startswith(f"{PENDING_DIR}/") or ".." in path:
        return None
    if not default_storage.exists(path):
        return None
    return PendingUpload(token, data.get("n", "file"), int(data.get("s", 0)), path)


def discard_after_commit(pending: list[PendingUpload]) -> None:
    """Delete kept files once the save that attached copies of them has committed."""

    def delete() -> None:
        for item in pending:
            default_storage.delete(item.path)

    transaction.on_commit(delete)


def purge_stale(*, now: datetime | None = None) -> int:
    """Delete kept files older than a day (their tokens have expired); returns how many."""
    cutoff = (now or timezone.now()) - MAX_AGE
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    purged = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            purged += 1
    return purged
