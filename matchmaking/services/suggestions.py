"""Capabilities and industry suggested from a need's text, for the form, the API and the import.

The engine does the work (`engine.suggest`): cue words of the bilingual glossary and
what the approved catalog teaches (the centroid of each capability over the stored
model's solutions). The stored model is loaded once per process and kept while the
matching state is unchanged, stripped of its indexes: only the vocabulary, idf and
centroids stay in memory. Without a stored model the suggestions come from the cue
words alone.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from core.models import Capability, Industry
from matchmaking import engine
from matchmaking.engine.suggest import Suggestion, Suggestions, suggest_text
from matchmaking.models import MatchingState

# Shown: suggestions at least this confident, at most this many.
SHOWN_CONFIDENCE = 0.3
SHOWN_CAPABILITIES = 3
SHOWN_INDUSTRIES = 2
REASON_WORDS = 4

_NONE = np.array([], dtype=np.int64)
_lock = threading.Lock()
_cached: dict[str, Any] = {"stamp": None, "model": None, "checked": -1e9}
CHECK_EVERY = 10.0  # seconds between two looks at the matching state (an import asks often)


def _model() -> engine.FittedModel | None:
    """The stored model's vocabulary and centroids, reloaded when the state changes."""
    now = time.monotonic()
    if now - _cached["checked"] < CHECK_EVERY:
        return _cached["model"]
    _cached["checked"] = now
    stamp = MatchingState.objects.filter(pk=1).values_list("updated_at", flat=True).first()
    with _lock:
        if stamp != _cached["stamp"]:
            model = None
            blob = MatchingState.objects.filter(pk=1).values_list("model_blob", flat=True).first()
            if blob:
                try:
                    full = engine.FittedModel.from_bytes(bytes(blob))
                except engine.IncompatibleModelError:
                    full = None
                if full is not None:
                    model = full._replace(
                        needs=full.needs.take(_NONE), solutions=full.solutions.take(_NONE)
                    )
            _cached.update(stamp=stamp, model=model)
        return _cached["model"]


def forget_model() -> None:
    """Drop the cached model (tests, and after a full run in this process)."""
    _cached.update(stamp=None, model=None, checked=-1e9)


def suggest(title: str, summary: str = "", description: str = "") -> Suggestions:
    model = _model()
    if model is not None:
        return model.suggest(title, summary, description)
    return suggest_text(title, summary, description)


def stored(suggestions: Suggestions) -> list[dict[str, Any]]:
    """The capability suggestions worth keeping on the record (JSON)."""
    return [
        {"code": s.code, "confidence": s.confidence, "words": list(s.words[:REASON_WORDS])}
        for s in _shown(suggestions.capabilities, SHOWN_CAPABILITIES)
    ]


def _shown(items: tuple[Suggestion, ...], limit: int) -> list[Suggestion]:
    return [s for s in items if s.confidence >= SHOWN_CONFIDENCE][:limit]


def reason(words) -> str:
    if not words:
        return _("because the description reads like the catalog's solutions of this kind")
    return _("because it mentions: %(words)s") % {"words": _("、").join(words[:REASON_WORDS])}


def for_display(suggestions: Suggestions) -> dict[str, list[dict[str, Any]]]:
    """Suggestions with the taxonomy's ids and names and a readable reason (JSON)."""
    capabilities = {c.code: c for c in Capability.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}

    def rows(items, limit, table):
        return [
            {
                "id": table[s.code].pk,
                "code": s.code,
                "name": str(table[s.code]),
                "confidence": s.confidence,
                "words": list(s.words[:REASON_WORDS]),
                "reason": reason(s.words),
            }
            for s in _shown(items, limit)
            if s.code in table
        ]

    return {
        "capabilities": rows(suggestions.capabilities, SHOWN_CAPABILITIES, capabilities),
        "industries": rows(suggestions.industries, SHOWN_INDUSTRIES, industries),
    }
