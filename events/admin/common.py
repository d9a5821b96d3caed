"""What the events admin pages share: per-row counts, the no-show badge, exports, and
running a service over the selected rows of an action."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.errors import DomainError
from events import resources
from events.models import Event, Registration

RegStatus = Registration.Status
REFRESH_SECONDS = 5
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def no_show_history(organization: str = "organization_id", event: str = "event_id"):
    """How often the organization did not come to other events (a subquery per row)."""
    return Coalesce(
        Subquery(
            Registration.objects.filter(
                organization_id=OuterRef(organization), status=RegStatus.NO_SHOW
            )
            .exclude(event_id=OuterRef(event))
            .order_by()
            .values("organization_id")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def count_of(queryset: QuerySet):
    return Coalesce(
        Subquery(
            queryset.order_by().values("event_id").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def no_show_badge(count: int) -> str:
    if not count:
        return "0"
    return format_html(
        '<strong style="color:#b3261e" title="{}">⚠ {}</strong>',
        _("Did not come to earlier events it registered for"),
        count,
    )


def export_response(kind: str, events: list[Event], fmt: str, name: str, *, by) -> HttpResponse:
    """The export as a download; who took which list of whom goes to the audit log."""
    response = HttpResponse(resources.export(kind, events, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    for event in events:
        record(by, "event.exported", event, kind=kind, format=fmt)
    return response


def run_each(
    modeladmin,
    request,
    items: Iterable[Any],
    service: Callable[[Any], object],
    *,
    name: Callable[[Any], object] = str,
) -> tuple[int, int]:
    """Run a service per selected row; report each refusal by the row's name.

    Returns how many rows the service accepted and the sum of the counts it returned
    (a service that returns a number says how many things it changed).
    """
    succeeded, total = 0, 0
    for item in items:
        try:
            result = service(item)
        except DomainError as error:
            modeladmin.message_user(request, f"{name(item)}: {error.message}", messages.ERROR)
            continue
        succeeded += 1
        total += result if isinstance(result, int) and not isinstance(result, bool) else 0
    return succeeded, total
