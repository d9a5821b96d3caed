"""State machines of records with a status: the allowed moves in one map, one method to move.

A model mixes in `StatusMachine` and declares `TRANSITIONS`, a map from each status to
the statuses it may become (django-oscar's `Order.set_status` with its pipeline). A
service moves a record with `record.move_to(target)`, which refuses any other move with
an `InvalidTransitionError` whose message names both statuses; bulk writes check each
row with the class-level `allows(current, target)` first. Nothing else assigns `status`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidTransitionError


class StatusMachine:
    """Mixin for a model with a `status` choices field and an allowed-transitions map."""

    TRANSITIONS: ClassVar[Mapping[str, frozenset[str]]]
    # Placeholders: `current` and `target` (status labels), plus `refusal_params()`.
    refusal_message: ClassVar[Any] = _(
        "This record is “%(current)s” and cannot become “%(target)s”."
    )

    @classmethod
    def allows(cls, current: str, target: str) -> bool:
        return target in cls.TRANSITIONS[current]

    def can_become(self, status: str) -> bool:
        return self.allows(self.status, status)

    def move_to(self, status: str) -> None:
        """Take the new status, or raise the domain error that says why not (unsaved)."""
        if not self.can_become(status):
            raise InvalidTransitionError(self.refusal(status))
        self.status = status

    def refusal(self, status: str) -> str:
        """Why this record cannot become `status`, in the current language."""
        labels = dict(self._meta.get_field("status").flatchoices)
        return self.refusal_message % {
            "current": labels.get(self.status, self.status),
            "target": labels.get(status, status),
            **self.refusal_params(),
        }

    def refusal_params(self) -> dict[str, Any]:
        """Extra placeholders of `refusal_message` (a subclass names the record, say)."""
        return {}
