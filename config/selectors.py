"""Site-wide reads: the programme's figures shown on the home page."""

from __future__ import annotations

from django.apps import apps

from core.models import Organization


def programme_figures() -> dict[str, int]:
    """Real counts from the database — the home page never shows invented numbers."""
    figures = {
        "enterprises": Organization.objects.filter(kind__in=["enterprise", "both"]).count(),
        "providers": Organization.objects.filter(kind__in=["provider", "both"]).count(),
    }
    # Needs, solutions and events are counted once their apps define them.
    counters = {
        "needs": ("matchmaking", "Need", {"status": "approved"}),
        "solutions": ("matchmaking", "Solution", {"status": "approved"}),
        "events_held": ("events", "Event", {"status": "finished"}),
    }
    for key, (app_label, model_name, filters) in counters.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            figures[key] = 0
        else:
            figures[key] = model.objects.filter(**filters).count()
    return figures
