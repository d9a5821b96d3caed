"""Admin: registrations — who is invited and coming, with each organization's no-show
history and its RSVP code; check-in and no-show as actions (through the services)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from events.admin.common import no_show_badge, no_show_history, run_each
from events.models import Registration
from events.services import running


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
    # What staff edit, then what the answers and the door wrote.
    fields = ["event", "organization", "side", "source", "attendees", "meeting_limit"]
    fields += readonly_fields
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
        return no_show_badge(getattr(obj, "no_show_count", 0))

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
        count, _total = run_each(
            self,
            request,
            queryset.select_related("organization", "event"),
            lambda registration: service(registration=registration, by=request.user),
            name=lambda registration: registration.organization,
        )
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Check in"))
    def check_in_selected(self, request, queryset):
        self._each(request, queryset, running.check_in, _("%(count)d checked in."))

    @admin.action(description=_("Mark as no-show"))
    def mark_no_show_selected(self, request, queryset):
        self._each(request, queryset, running.mark_no_show, _("%(count)d marked as no-show."))
