"""Admin: running the events — events with their registrations and meetings, the actions
that move an event along (publish, invite, schedule, send, start, finish, no-shows),
exports, the printable per-table schedule, and the requests, meetings and outcomes.

Actions call the services of each stage (events.services.*) and report what they did;
nothing here changes a status by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.enums import Side
from core.errors import DomainError
from events import resources
from events.models import Event, Meeting, MeetingRequest, Outcome, Registration
from events.services import registration as registration_services
from events.services import running
from events.services import schedule as schedule_services
from events.services import season as season_services

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


def _count_of(queryset: QuerySet):
    return Coalesce(
        Subquery(
            queryset.order_by().values("event_id").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _no_show_badge(count: int) -> str:
    if not count:
        return "0"
    return format_html(
        '<strong style="color:#b3261e" title="{}">⚠ {}</strong>',
        _("Did not come to earlier events it registered for"),
        count,
    )


def export_response(kind: str, events, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(resources.export(kind, events, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


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
        return _no_show_badge(obj.no_show_count)


class MeetingInline(admin.TabularInline):
    """The schedule as built: read-only (the scheduler places meetings, the database
    refuses double bookings)."""

    model = Meeting
    fields = ["time", "table_number", "enterprise", "provider", "status", "source", "published"]
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


# --- events --------------------------------------------------------------------------


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
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
        "build_schedule",
        "send_schedules",
        "start_selected",
        "finish_selected",
        "mark_no_shows",
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
                enterprises_coming=_count_of(attending.filter(side=Side.ENTERPRISE)),
                providers_coming=_count_of(attending.filter(side=Side.PROVIDER)),
                invited_total=_count_of(Registration.objects.filter(event_id=OuterRef("pk"))),
                live_meetings=_count_of(
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
        if report.get("upper_bound") is not None:
            lines.append(
                _("Upper bound: %(bound)s (method: %(method)s, optimal: %(optimal)s).")
                % {
                    "bound": report.get("upper_bound"),
                    "method": report.get("method", "?"),
                    "optimal": _("yes") if report.get("optimal") else _("not proven"),
                }
            )
        unscheduled = report.get("unscheduled") or []
        items = format_html_join(
            "",
            "<li>{}</li>",
            ((schedule_services.describe_unscheduled(entry),) for entry in unscheduled[:50]),
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
        return export_response(kind, [event], fmt, f"event-{event.pk}-{kind}")

    # --- actions -------------------------------------------------------------------------

    def _each(
        self,
        request,
        queryset,
        service: Callable[[Event], object],
        done: Callable[[int, int], str],
    ) -> None:
        """Run a service per selected event; report the refusals by event, then the total."""
        succeeded, total = 0, 0
        for event in queryset.order_by("date", "pk"):
            try:
                result = service(event)
            except DomainError as error:
                self.message_user(request, f"{event}: {error.message}", messages.ERROR)
                continue
            succeeded += 1
            total += result if isinstance(result, int) else 0
        if succeeded:
            self.message_user(request, done(succeeded, total), messages.SUCCESS)

    @admin.action(description=_("Publish (open registration)"))
    def publish_selected(self, request, queryset):
        try:
            count = season_services.publish_events(list(queryset), by=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d event is now open for registration.",
                "%(count)d events are now open for registration.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description=_("Send invitations"))
    def send_invitations(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: registration_services.send_invitations(event, by=request.user),
            lambda events, total: (
                ngettext(
                    "Invitations sent to %(count)d organization.",
                    "Invitations sent to %(count)d organizations.",
                    total,
                )
                % {"count": total}
                if total
                else _(
                    "Nobody new to invite: every invited organization already has its invitation."
                )
            ),
        )

    @admin.action(description=_("Build the schedule"))
    def build_schedule(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: schedule_services.build_schedule(event, by=request.user),
            lambda events, total: (
                ngettext(
                    "Building the schedule of %(count)d event; this page refreshes until it is ready.",
                    "Building the schedules of %(count)d events; this page refreshes until they are ready.",
                    events,
                )
                % {"count": events}
            ),
        )

    @admin.action(description=_("Send the schedules (publish and email with .ics)"))
    def send_schedules(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: schedule_services.send_schedules(event, by=request.user),
            lambda events, total: (
                ngettext(
                    "Schedules published; %(count)d organization emailed.",
                    "Schedules published; %(count)d organizations emailed.",
                    total,
                )
                % {"count": total}
            ),
        )

    @admin.action(description=_("Start (the event is under way)"))
    def start_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: running.start_event(event, by=request.user),
            lambda events, total: (
                ngettext("%(count)d event is under way.", "%(count)d events are under way.", events)
                % {"count": events}
            ),
        )

    @admin.action(description=_("Finish (meetings of checked-in pairs count as held)"))
    def finish_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: running.finish_event(event, by=request.user),
            lambda events, total: (
                ngettext(
                    "%(count)d event finished; feedback requests go out shortly.",
                    "%(count)d events finished; feedback requests go out shortly.",
                    events,
                )
                % {"count": events}
            ),
        )

    @admin.action(description=_("Mark no-shows (registered, not checked in)"))
    def mark_no_shows(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: running.mark_no_shows(event, by=request.user),
            lambda events, total: (
                ngettext(
                    "%(count)d registration marked as a no-show.",
                    "%(count)d registrations marked as no-shows.",
                    total,
                )
                % {"count": total}
            ),
        )

    def _export(self, queryset, kind: str, fmt: str) -> HttpResponse:
        events = list(queryset.order_by("date", "pk"))
        name = f"event-{events[0].pk}-{kind}" if len(events) == 1 else f"events-{kind}"
        return export_response(kind, events, fmt, name)

    @admin.action(description=_("Export the attendee list (Excel)"))
    def export_attendees_xlsx(self, request, queryset):
        return self._export(queryset, "attendees", "xlsx")

    @admin.action(description=_("Export the attendee list (CSV)"))
    def export_attendees_csv(self, request, queryset):
        return self._export(queryset, "attendees", "csv")

    @admin.action(description=_("Export the schedule (Excel)"))
    def export_schedule_xlsx(self, request, queryset):
        return self._export(queryset, "schedule", "xlsx")

    @admin.action(description=_("Export the schedule (CSV)"))
    def export_schedule_csv(self, request, queryset):
        return self._export(queryset, "schedule", "csv")


# --- registrations -------------------------------------------------------------------


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "organization",
        "event",
        "side",
        "status",
        "source",
        "attendees",
        "invited_at",
        "checked_in_at",
        "past_no_shows",
    ]
    list_filter = ["status", "side", "source", "event__season", "event__status"]
    search_fields = [
        "organization__name",
        "organization__name_en",
        "attendees",
        "event__title_zh",
        "=rsvp_token",
    ]
    list_select_related = ["organization", "event"]
    autocomplete_fields = ["event", "organization"]
    date_hierarchy = "invited_at"
    readonly_fields = [
        "status",
        "past_no_shows",
        "rsvp_code",
        "invited_at",
        "responded_at",
        "checked_in_at",
        "checked_in_by",
        "created_at",
    ]
    fields = [
        "event",
        "organization",
        "side",
        "source",
        "attendees",
        "meeting_limit",
        "status",
        "past_no_shows",
        "rsvp_code",
        "invited_at",
        "responded_at",
        "checked_in_at",
        "checked_in_by",
        "created_at",
    ]
    actions = ["check_in_selected", "mark_no_show_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(no_show_count=no_show_history())

    def get_readonly_fields(self, request, obj=None):
        # Who and where are fixed once invited: a new registration is a new row.
        if obj is not None:
            return [*self.readonly_fields, "event", "organization", "side", "source"]
        return self.readonly_fields

    @admin.display(description=_("past no-shows"), ordering="no_show_count")
    def past_no_shows(self, obj: Registration) -> str:
        return _no_show_badge(getattr(obj, "no_show_count", 0))

    @admin.display(description=_("RSVP code"))
    def rsvp_code(self, obj: Registration) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<code>{}</code><br><img src="{}" alt="{}" width="140" height="140">',
            obj.rsvp_token,
            reverse("event-rsvp-qr", args=[obj.rsvp_token]),
            _("QR code of the RSVP code, scanned at check-in"),
        )

    def _each(self, request, queryset, service, done: str) -> None:
        count = 0
        for registration in queryset.select_related("organization", "event"):
            try:
                service(registration=registration, by=request.user)
            except DomainError as error:
                self.message_user(
                    request, f"{registration.organization}: {error.message}", messages.ERROR
                )
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Check in"))
    def check_in_selected(self, request, queryset):
        self._each(request, queryset, running.check_in, _("%(count)d checked in."))

    @admin.action(description=_("Mark as no-show"))
    def mark_no_show_selected(self, request, queryset):
        self._each(request, queryset, running.mark_no_show, _("%(count)d marked as no-show."))


# --- meeting requests, meetings, outcomes --------------------------------------------


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "enterprise",
        "provider",
        "status",
        "source",
        "requested_by_side",
        "priority",
        "must_meet",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status", "source", "must_meet", "event__season", "event__status"]
    search_fields = ["enterprise__name", "provider__name", "event__title_zh", "message"]
    list_select_related = ["event", "enterprise", "provider"]
    autocomplete_fields = ["need", "solution"]
    date_hierarchy = "created_at"
    fields = [
        "event",
        "enterprise",
        "provider",
        "requested_by_side",
        "need",
        "solution",
        "message",
        "status",
        "source",
        "priority",
        "must_meet",
        "created_by",
        "created_at",
        "responded_at",
        "expires_at",
    ]
    readonly_fields = [
        "event",
        "enterprise",
        "provider",
        "requested_by_side",
        "message",
        "status",
        "source",
        "created_by",
        "created_at",
        "responded_at",
        "expires_at",
    ]
    actions = ["set_must_meet", "clear_must_meet"]

    def has_add_permission(self, request) -> bool:
        # Requests come from participants and accepted introductions (events.services.requests).
        return False

    @admin.action(description=_("Must meet: schedule before the others"))
    def set_must_meet(self, request, queryset):
        count = queryset.update(must_meet=True)
        self.message_user(
            request,
            _("%(count)d requests marked “must meet”; build the schedule again to apply it.")
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("No longer must meet"))
    def clear_must_meet(self, request, queryset):
        count = queryset.update(must_meet=False)
        self.message_user(
            request, _("%(count)d requests no longer “must meet”.") % {"count": count}
        )


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "time",
        "table_number",
        "enterprise",
        "provider",
        "status",
        "source",
        "published",
    ]
    list_filter = ["status", "source", "published", "event__season", "event__status"]
    search_fields = ["enterprise__name", "provider__name", "event__title_zh"]
    list_select_related = ["event", "enterprise", "provider"]
    ordering = ["-event__date", "event", "slot", "table"]
    readonly_fields = [
        "event",
        "request",
        "enterprise",
        "provider",
        "time",
        "table_number",
        "status",
        "source",
        "published",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        # Meetings are placed by the scheduler; organizers add “must meet” requests.
        return False

    @admin.display(description=_("time"), ordering="slot")
    def time(self, obj: Meeting) -> str:
        return f"{obj.event.date:%Y-%m-%d} {obj.event.slot_label(obj.slot)}"

    @admin.display(description=_("table"), ordering="table")
    def table_number(self, obj: Meeting) -> str:
        return obj.table_label


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["meeting", "side", "stage", "rating", "next_step", "deal_value", "note"]

    def clean(self):
        cleaned = super().clean()
        meeting = cleaned.get("meeting") or (self.instance.meeting if self.instance.pk else None)
        side = cleaned.get("side") or self.instance.side
        stage = cleaned.get("stage") or self.instance.stage
        if meeting is not None and side and stage:
            try:
                running.check_outcome_allowed(
                    meeting=meeting, side=side, stage=stage, by=self.request_user
                )
            except DomainError as error:
                raise forms.ValidationError(error.message) from None
        return cleaned


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    """Outcomes as participants reported them; staff may record one on a side's behalf
    (a phone survey), which goes through the same service as the feedback form."""

    list_display = [
        "meeting_event",
        "meeting_pair",
        "side",
        "stage",
        "rating",
        "next_step",
        "deal_value",
        "submitted_at",
    ]
    list_filter = ["stage", "side", "next_step", "meeting__event__season", "meeting__event__domain"]
    search_fields = ["meeting__enterprise__name", "meeting__provider__name", "note"]
    list_select_related = ["meeting__event", "meeting__enterprise", "meeting__provider"]
    raw_id_fields = ["meeting"]
    form = OutcomeForm
    fields = ["meeting", "side", "stage", "rating", "next_step", "deal_value", "note"]
    date_hierarchy = "submitted_at"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["meeting", "side", "stage"] if obj is not None else []

    @admin.display(description=_("event"), ordering="meeting__event__date")
    def meeting_event(self, obj: Outcome) -> str:
        return str(obj.meeting.event)

    @admin.display(description=_("meeting"))
    def meeting_pair(self, obj: Outcome) -> str:
        return f"{obj.meeting.enterprise} ↔ {obj.meeting.provider}"

    def save_model(self, request, obj: Outcome, form, change) -> None:
        saved = running.record_outcome(
            meeting=obj.meeting,
            side=obj.side,
            stage=obj.stage,
            by=request.user,
            rating=obj.rating,
            next_step=obj.next_step,
            deal_value=obj.deal_value,
            note=obj.note,
        )
        obj.pk = saved.pk
