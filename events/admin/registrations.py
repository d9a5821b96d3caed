"""Admin: registrations — who is invited and coming, with each organization's no-show
history and its RSVP code; check-in and no-show as actions (through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from events.admin.common import no_show_badge, no_show_history
from events.admin.confirm import Step, confirm_then_run
from events.admin.outcomes import outcome_link
from events.models import Meeting, Registration
from events.services import day, running, undo


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
        "no_show_at",
        "meetings_here",
        "created_at",
    ]
    # What staff edit, then what the answers and the door wrote.
    fields = ["event", "organization", "side", "source", "attendees", "meeting_limit"]
    fields += readonly_fields
    actions = ["check_in_selected", "mark_no_show_selected", "undo_no_show_selected"]

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

    @admin.display(description=_("meetings at this event"))
    def meetings_here(self, obj: Registration) -> str:
        """The organization's meetings at the event, each with its outcome link."""
        if not obj.pk:
            return "—"
        meetings = (
            Meeting.objects.filter(event_id=obj.event_id)
            .filter(Q(enterprise_id=obj.organization_id) | Q(provider_id=obj.organization_id))
            .select_related("event", "enterprise", "provider")
            .order_by("slot")
        )
        rows = format_html_join(
            "",
            "<li>{} · {} · {} · {}</li>",
            (
                (
                    meeting.event.slot_label(meeting.slot),
                    meeting.provider
                    if meeting.enterprise_id == obj.organization_id
                    else meeting.enterprise,
                    meeting.get_status_display(),
                    outcome_link(meeting),
                )
                for meeting in meetings
            ),
        )
        return format_html('<ul id="registration-meetings">{}</ul>', rows) if rows else "—"

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

    def _confirm(self, request, queryset, step: Step, service):
        return confirm_then_run(
            self,
            request,
            queryset.select_related("organization", "event"),
            step,
            service,
            event_of=lambda registration: registration.event,
            name=lambda registration: registration.organization,
        )

    @admin.action(description=_("Check in…"))
    def check_in_selected(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            Step(
                title=_("Check in"),
                question=_("Check these organizations in?"),
                button=_("Yes, check them in"),
                guard=day.CHECK_IN,
                done=lambda count, total: _("%(count)d checked in.") % {"count": count},
            ),
            lambda registration, override: running.check_in(
                registration=registration, by=request.user, override=override
            ),
        )

    @admin.action(description=_("Mark as no-show…"))
    def mark_no_show_selected(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            Step(
                title=_("Mark as no-show"),
                question=_(
                    "Mark these organizations as no-shows? Their meetings become no-shows "
                    "and it counts in their history."
                ),
                button=_("Yes, mark them"),
                guard=day.NO_SHOW,
                undo_hint=_("A mistake can be undone today: “Undo today's no-show”."),
                done=lambda count, total: _("%(count)d marked as no-show.") % {"count": count},
            ),
            lambda registration, override: running.mark_no_show(
                registration=registration, by=request.user, override=override
            ),
        )

    @admin.action(description=_("Undo today's no-show…"))
    def undo_no_show_selected(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            Step(
                title=_("Undo today's no-show"),
                question=_("Take back these no-shows? The organizations are expected again."),
                button=_("Yes, undo"),
                done=lambda count, total: _("%(count)d no-shows taken back.") % {"count": count},
            ),
            lambda registration, override: undo.undo_no_show(
                registration=registration, by=request.user
            ),
        )
