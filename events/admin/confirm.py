"""Event-day admin actions ask first: a confirmation page lists the selected rows with
what the action will do, says which of them are before their event's day, and offers
the override — an explicit checkbox — only then. Nothing runs until the page is
posted back with "post=yes" (django's own delete_selected works the same way)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from events.admin.common import run_each
from events.models import Event
from events.services import day


@dataclass(frozen=True)
class Step:
    """One confirmed action: what the page asks, and how to report what was done."""

    title: str
    question: str
    button: str
    done: Callable[[int, int], str]
    # The event-day guard it passes (events.services.day), if any.
    guard: str | None = None
    # Irreversible after today: the page says how to undo it today.
    undo_hint: str = ""


def confirm_then_run(
    modeladmin,
    request,
    queryset,
    step: Step,
    service: Callable[[object, bool], object],
    *,
    event_of: Callable[[object], Event] = lambda obj: obj,
    name: Callable[[object], object] = str,
):
    """Render the confirmation page, or (once confirmed) run `service(obj, override)`."""
    items = list(queryset)
    if request.POST.get("post") == "yes":
        override = request.POST.get("override") == "on"
        succeeded, total = run_each(
            modeladmin, request, items, lambda obj: service(obj, override), name=name
        )
        if succeeded:
            modeladmin.message_user(request, step.done(succeeded, total), messages.SUCCESS)
        return None
    rows = [
        {
            "object": obj,
            "name": name(obj),
            "early": day.refusal(event_of(obj), step.guard) if step.guard else None,
        }
        for obj in items
    ]
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": step.title,
        "step": step,
        "rows": rows,
        "any_early": any(row["early"] for row in rows),
        "action": request.POST.get("action", ""),
        "selected": [obj.pk for obj in items],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": opts,
        "app_label": opts.app_label,
    }
    return TemplateResponse(request, "admin/events/confirm_action.html", context)
