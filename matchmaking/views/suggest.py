"""Capabilities suggested while an enterprise writes a need: a small JSON endpoint.

The need form's script (static/js/capability_suggest.js) posts the title, summary and
description after each pause in typing and shows the answer as chips the author
accepts or removes. Nothing is stored here: the suggestions kept on the record are
computed again when it is saved.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from core.ratelimit import ratelimit
from matchmaking.services import suggestions

TEXT_LIMIT = 20_000  # characters read per field: a description longer than this adds nothing


@login_required
@require_POST
@ratelimit("suggest")
def need_suggestions(request: HttpRequest) -> JsonResponse:
    """{"capabilities": [...], "industries": [...]}, each with id, name, reason."""
    texts = [
        request.POST.get(name, "")[:TEXT_LIMIT] for name in ("title", "summary", "description")
    ]
    if not any(text.strip() for text in texts):
        return JsonResponse({"capabilities": [], "industries": []})
    return JsonResponse(suggestions.for_display(suggestions.suggest(*texts)))
