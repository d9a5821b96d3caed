"""The event admin's actions: each moves the selected events one step along through
a service (publish, invite, schedule, send, start, finish, no-shows) and reports what
it did, or exports them. Nothing here changes a status by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError
from events.admin.common import export_response, run_each
from events.models import Event
from events.services import registration as registration_services
from events.services import running
from events.services import schedule as schedule_services
from events.services import season as season_services


class EventActions:
    """Mixed into EventAdmin; the action names are its `actions`."""

    def _each(
        self,
        request,
        queryset,
        service: Callable[[Event], object],
        done: Callable[[int, int], str],
    ) -> None:
        """Run a service per selected event; report the refusals by event, then the total."""
        succeeded, total = run_each(self, request, queryset.order_by("date", "pk"), service)
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

    def _export(self, request, queryset, kind: str, fmt: str) -> HttpResponse:
        events = list(queryset.order_by("date", "pk"))
        name = f"event-{events[0].pk}-{kind}" if len(events) == 1 else f"events-{kind}"
        return export_response(kind, events, fmt, name, by=request.user)

    @admin.action(description=_("Export the attendee list (Excel)"))
    def export_attendees_xlsx(self, request, queryset):
        return self._export(request, queryset, "attendees", "xlsx")

    @admin.action(description=_("Export the attendee list (CSV)"))
    def export_attendees_csv(self, request, queryset):
        return self._export(request, queryset, "attendees", "csv")

    @admin.action(description=_("Export the schedule (Excel)"))
    def export_schedule_xlsx(self, request, queryset):
        return self._export(request, queryset, "schedule", "xlsx")

    @admin.action(description=_("Export the schedule (CSV)"))
    def export_schedule_csv(self, request, queryset):
        return self._export(request, queryset, "schedule", "csv")
