"""Admin: the events — with their registrations and meetings inline, the printable
per-table schedule and the exports (the actions that move an event along are in
events.admin.event_actions)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import admin
from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.enums import Side
from events import resources
from events.admin.common import (
    REFRESH_SECONDS,
    count_of,
    export_response,
    no_show_badge,
    no_show_history,
)
from events.admin.event_actions import EventActions
from events.admin.outcomes import MEETING_COLUMNS, outcome_link
from events.models import Event, Meeting, Registration
from events.selectors.schedules import describe_unscheduled

# --- inlines -------------------------------------------------------------------------


class RegistrationInline(admin.TabularInline):
    """Who is invited and coming, with each organization's no-show history.

    Read-only: answers come through RSVP, check-ins through the check-in page or the
    registrations' actions; add organizations under Registrations.
    """

    model = Registration
    fields = [
        "organization",
        "side",
        "status",
        "source",
        "attendees",
        "invited_at",
        "checked_in_at",
        "past_no_shows",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["side", "organization__name"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("event", "organization")
            .annotate(no_show_count=no_show_history())
        )

    @admin.display(description=_("past no-shows"))
    def past_no_shows(self, obj: Registration) -> str:
        return no_show_badge(obj.no_show_count)


class MeetingInline(admin.TabularInline):
    """The schedule as built: read-only (the scheduler places meetings, the database
    refuses double bookings)."""

    model = Meeting
    fields = MEETING_COLUMNS
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["slot", "table"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "enterprise", "provider")

    @admin.display(description=_("time"))
    def time(self, obj: Meeting) -> str:
        return obj.event.slot_label(obj.slot)

    @admin.display(description=_("table"))
    def table_number(self, obj: Meeting) -> str:
        return obj.table_label

    @admin.display(description=_("outcome"))
    def outcome(self, obj: Meeting) -> str:
        return outcome_link(obj)


# --- events --------------------------------------------------------------------------


@admin.register(Event)
class EventAdmin(EventActions, admin.ModelAdmin):
    list_display = [
        "date",
        "title_zh",
        "domain",
        "venue",
        "status",
        "registrations_by_side",
        "meeting_count",
        "schedule_state",
        "tools",
    ]
    list_display_links = ["title_zh"]
    list_filter = ["season", "status", "domain", "format", "schedule_status", "date"]
    search_fields = ["title_zh", "title_en", "theme", "venue__name"]
    date_hierarchy = "date"
    list_select_related = ["domain", "venue"]
    autocomplete_fields = ["domain", "needs"]
    list_per_page = 50
    readonly_fields = [
        "status",
        "schedule_state",
        "schedule_summary",
        "invitations_sent_at",
        "schedule_sent_at",
        "reminded_24h_at",
        "reminded_1h_at",
        "feedback_requested_at",
        "followup_requested_at",
        "planner_key",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "season",
                    ("title_zh", "title_en"),
                    "domain",
                    ("theme", "theme_en"),
                    "description",
                    "status",
                ]
            },
        ),
        (
            _("Time and place"),
            {
                "fields": [
                    "date",
                    ("start_time", "end_time", "slot_minutes"),
                    ("venue", "format"),
                    ("tables", "capacity_per_side", "meeting_limit"),
                ]
            },
        ),
        (_("Themed needs"), {"fields": ["needs"], "classes": ["collapse"]}),
        (_("Schedule"), {"fields": ["schedule_state", "schedule_summary"]}),
        (
            _("Communication"),
            {
                "fields": [
                    "invitations_sent_at",
                    "schedule_sent_at",
                    ("reminded_24h_at", "reminded_1h_at"),
                    ("feedback_requested_at", "followup_requested_at"),
                ],
                "classes": ["collapse"],
            },
        ),
        (
            _("Provenance"),
            {"fields": ["planner_key", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]
    inlines = [RegistrationInline, MeetingInline]
    actions = [
        "publish_selected",
        "send_invitations",
        "carry_second_meetings",
        "build_schedule",
        "send_schedules",
        "start_selected",
        "finish_selected",
        "mark_no_shows",
        "undo_start_selected",
        "undo_finish_selected",
        "undo_no_shows_selected",
        "export_attendees_xlsx",
        "export_attendees_csv",
        "export_schedule_xlsx",
        "export_schedule_csv",
    ]

    def get_queryset(self, request):
        attending = Registration.objects.filter(
            event_id=OuterRef("pk"), status__in=Registration.ATTENDING
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                enterprises_coming=count_of(attending.filter(side=Side.ENTERPRISE)),
                providers_coming=count_of(attending.filter(side=Side.PROVIDER)),
                invited_total=count_of(Registration.objects.filter(event_id=OuterRef("pk"))),
                live_meetings=count_of(
                    Meeting.objects.filter(event_id=OuterRef("pk")).exclude(
                        status=Meeting.Status.CANCELLED
                    )
                ),
            )
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/print/",
                wrap(self.print_schedule_view),
                name="events_event_print",
            ),
            path(
                "<int:object_id>/export/<str:kind>.<str:fmt>",
                wrap(self.export_view),
                name="events_event_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "refresh_seconds": REFRESH_SECONDS
            if Event.objects.filter(schedule_status=Event.ScheduleStatus.BUILDING).exists()
            else None,
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        event = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "refresh_seconds": REFRESH_SECONDS
            if event is not None and event.schedule_status == Event.ScheduleStatus.BUILDING
            else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- columns and fields ------------------------------------------------------------

    @admin.display(description=_("coming (enterprises / providers) of invited"))
    def registrations_by_side(self, obj: Event) -> str:
        return f"{obj.enterprises_coming} / {obj.providers_coming} · {obj.invited_total}"

    @admin.display(description=_("meetings"), ordering="live_meetings")
    def meeting_count(self, obj: Event) -> int:
        return obj.live_meetings

    @admin.display(description=_("schedule"), ordering="schedule_status")
    def schedule_state(self, obj: Event) -> str:
        if obj.schedule_status == Event.ScheduleStatus.BUILDING:
            return format_html(
                '{} <progress max="100" value="{}" aria-label="{}">{} %</progress> {} %',
                obj.get_schedule_status_display(),
                obj.schedule_progress,
                _("schedule progress"),
                obj.schedule_progress,
                obj.schedule_progress,
            )
        colour = {
            Event.ScheduleStatus.BUILT: "#17703a",
            Event.ScheduleStatus.FAILED: "#b3261e",
        }.get(obj.schedule_status, "#5b6675")
        return format_html(
            '<span style="color:{}">{}</span>', colour, obj.get_schedule_status_display()
        )

    @admin.display(description=_("schedule report"))
    def schedule_summary(self, obj: Event) -> str:
        report = obj.schedule_report or {}
        if not report:
            return _("No schedule yet: select the event in the list and use “Build the schedule”.")
        lines = []
        if "error" in report:
            lines.append(_("Error: %(error)s") % {"error": report["error"]})
        if "scheduled" in report:
            lines.append(
                _("%(scheduled)s meetings scheduled of %(requested)s accepted requests.")
                % {
                    "scheduled": report.get("scheduled"),
                    "requested": report.get("requests", report.get("requested", "?")),
                }
            )
        # The scheduler's method and bound in words an office reads: how good the
        # schedule is, not how it was computed.
        if report.get("optimal"):
            lines.append(_("No other schedule fits more of these meetings into the time slots."))
        elif report.get("upper_bound") is not None:
            lines.append(
                _(
                    "At most %(bound)s of these meetings could fit into the time slots; "
                    "building again may fit a few more."
                )
                % {"bound": report.get("upper_bound")}
            )
        unscheduled = report.get("unscheduled") or []
        items = format_html_join(
            "",
            "<li>{}</li>",
            ((describe_unscheduled(entry),) for entry in unscheduled[:50]),
        )
        more = len(unscheduled) - 50
        return format_html(
            "{}{}{}",
            format_html_join("", "<p style='margin:0'>{}</p>", ((line,) for line in lines)),
            format_html("<ul style='margin:4px 0;padding-left:1.2em'>{}</ul>", items)
            if unscheduled
            else "",
            _("… and %(count)d more.") % {"count": more} if more > 0 else "",
        )

    @admin.display(description=_("tools"))
    def tools(self, obj: Event) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("event-check-in", args=[obj.pk]),
            _("Check-in"),
            reverse("admin:events_event_print", args=[obj.pk]),
            _("Print"),
        )

    # --- pages ---------------------------------------------------------------------------

    def print_schedule_view(self, request, object_id: int):
        """One section per table (slot time, enterprise, provider), to print and lay on it."""
        event = get_object_or_404(Event.objects.select_related("venue"), pk=object_id)
        if not self.has_view_permission(request, event):
            raise Http404
        by_table: dict[int, list[Meeting]] = defaultdict(list)
        for meeting in resources.schedule_of([event]):
            meeting.time = event.slot_label(meeting.slot)
            by_table[meeting.table].append(meeting)
        context = {
            **self.admin_site.each_context(request),
            "event": event,
            "tables": [
                {"label": table + 1, "meetings": meetings}
                for table, meetings in sorted(by_table.items())
            ],
            "printed_at": timezone.localtime(),
        }
        return TemplateResponse(request, "admin/events/event/print_schedule.html", context)

    def export_view(self, request, object_id: int, kind: str, fmt: str):
        event = get_object_or_404(Event, pk=object_id)
        if kind not in resources.EXPORTS or fmt not in resources.FORMATS:
            raise Http404
        if not self.has_view_permission(request, event):
            raise Http404
        return export_response(kind, [event], fmt, f"event-{event.pk}-{kind}", by=request.user)
