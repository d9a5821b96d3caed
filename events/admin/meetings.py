"""Admin: meeting requests (with "must meet") and the meetings the scheduler placed,
each with a link to record its outcome (events.admin.outcomes)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from events.admin.confirm import Step, confirm_then_run
from events.admin.outcomes import MEETING_COLUMNS, MeetingOutcomePage, outcome_link
from events.models import Meeting, MeetingRequest
from events.services import online, second_meetings, undo
from events.services import requests as request_services


class PointsField(forms.FloatField):
    """A priority on the site's one score scale, 0–100 (stored as the match score, 0–1)."""

    def prepare_value(self, value):
        if isinstance(value, float | int) and not isinstance(value, bool):
            return round(value * 100, 1)
        return value

    def clean(self, value):
        points = super().clean(value)
        return None if points is None else points / 100


class MeetingRequestForm(forms.ModelForm):
    priority = PointsField(
        label=_("priority (0–100)"),
        min_value=0,
        help_text=_("Higher is scheduled first; the match score (0–100) by default."),
    )

    class Meta:
        model = MeetingRequest
        fields = ["priority"]  # the admin adds the others it shows


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    form = MeetingRequestForm
    list_display = [
        "event",
        "enterprise",
        "provider",
        "status",
        "source",
        "requested_by_side",
        "priority_points",
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
    actions = ["set_must_meet", "clear_must_meet", "remove_second_meetings"]

    def has_add_permission(self, request) -> bool:
        # Requests come from participants and accepted introductions (events.services.requests).
        return False

    @admin.display(description=_("priority (0–100)"), ordering="priority")
    def priority_points(self, meeting_request: MeetingRequest) -> str:
        return f"{meeting_request.priority * 100:.1f}"

    @admin.action(description=_("Must meet: schedule before the others"))
    def set_must_meet(self, request, queryset):
        count = request_services.set_must_meet(queryset, must_meet=True, by=request.user)
        self.message_user(
            request,
            _("%(count)d requests marked “must meet”; build the schedule again to apply it.")
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("No longer must meet"))
    def clear_must_meet(self, request, queryset):
        count = request_services.set_must_meet(queryset, must_meet=False, by=request.user)
        self.message_user(
            request, _("%(count)d requests no longer “must meet”.") % {"count": count}
        )

    @admin.action(description=_("Remove the selected second meetings"))
    def remove_second_meetings(self, request, queryset):
        try:
            count = second_meetings.remove_second_meetings(queryset, by=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(
            request, _("%(count)d second meetings removed.") % {"count": count}, messages.SUCCESS
        )


@admin.register(Meeting)
class MeetingAdmin(MeetingOutcomePage, admin.ModelAdmin):
    list_display = ["event", *MEETING_COLUMNS]
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
    fields = [*readonly_fields, "video_url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["cancel_selected", "restore_selected"]

    def save_model(self, request, obj, form, change) -> None:
        # The link is the one editable field; the service checks and logs the change.
        online.set_video_link(meeting=obj, url=obj.video_url, by=request.user)

    def has_add_permission(self, request) -> bool:
        # Meetings are placed by the scheduler; organizers add “must meet” requests.
        return False

    def _confirm(self, request, queryset, step: Step, service):
        return confirm_then_run(
            self,
            request,
            queryset.select_related("event", "enterprise", "provider"),
            step,
            lambda meeting, override: service(meeting=meeting, by=request.user),
            event_of=lambda meeting: meeting.event,
            name=lambda meeting: (
                f"{self.time(meeting)} · {meeting.enterprise} ↔ {meeting.provider}"
            ),
        )

    @admin.action(description=_("Cancel the meeting…"))
    def cancel_selected(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            Step(
                title=_("Cancel meetings"),
                question=_(
                    "Cancel these meetings? Their time slots and tables become free. "
                    "Tell both organizations."
                ),
                button=_("Yes, cancel them"),
                undo_hint=_("A mistake can be undone today: “Restore a meeting cancelled today”."),
                done=lambda count, total: _("%(count)d meetings cancelled.") % {"count": count},
            ),
            undo.cancel_meeting,
        )

    @admin.action(description=_("Restore a meeting cancelled today…"))
    def restore_selected(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            Step(
                title=_("Restore meetings"),
                question=_("Put these meetings back in their time slots and tables?"),
                button=_("Yes, restore them"),
                done=lambda count, total: _("%(count)d meetings restored.") % {"count": count},
            ),
            undo.restore_meeting,
        )

    def get_urls(self):
        return [*self.outcome_urls(), *super().get_urls()]

    @admin.display(description=_("outcome"))
    def outcome(self, obj: Meeting) -> str:
        return outcome_link(obj)

    @admin.display(description=_("time"), ordering="slot")
    def time(self, obj: Meeting) -> str:
        return f"{obj.event.date:%Y-%m-%d} {obj.event.slot_label(obj.slot)}"

    @admin.display(description=_("table"), ordering="table")
    def table_number(self, obj: Meeting) -> str:
        return obj.table_label
