"""What a bulk service reports back: how many records it changed and how many it left."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BulkResult:
    """Counted while the service works, before anything changed: the selection's own
    size, not a second look at a queryset whose filter the change itself affects."""

    done: int
    skipped: int

    @property
    def total(self) -> int:
        return self.done + self.skipped
