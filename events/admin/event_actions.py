"""The event admin's actions: each moves the selected events one step along through
a service (publish, invite, schedule, send, start, finish, no-shows) and reports what
it did, or exports them. Nothing here changes a status by itself. The event-day
actions (start, finish, no-shows and their undo) ask first (events.admin.confirm)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError
from events.admin.common import export_response, run_each
from events.admin.confirm import Step, confirm_then_run
from events.models import Event
from events.services import day, running, second_meetings, undo
from events.services import registration as registration_services
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

    @admin.action(description=_("Carry NDA/pilot pairs as must-meet second meetings"))
    def carry_second_meetings(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: second_meetings.carry_second_meetings(event=event, by=request.user),
            lambda succeeded, total: (
                _(
                    "Second meetings carried for %(events)d events; see the meeting requests "
                    "with source “second meeting”."
                )
                % {"events": succeeded}
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
        return confirm_then_run(
            self,
            request,
            queryset.order_by("date", "pk"),
            Step(
                title=_("Start the events"),
                question=_("Start these events? Participants see them as under way."),
                button=_("Yes, start them"),
                guard=day.START,
                undo_hint=_("A mistake can be undone today: “Undo today's start”."),
                done=lambda events, total: (
                    ngettext(
                        "%(count)d event is under way.", "%(count)d events are under way.", events
                    )
                    % {"count": events}
                ),
            ),
            lambda event, override: running.start_event(event, by=request.user, override=override),
        )

    @admin.action(description=_("Undo today's start…"))
    def undo_start_selected(self, request, queryset):
        return confirm_then_run(
            self,
            request,
            queryset.order_by("date", "pk"),
            Step(
                title=_("Undo today's start"),
                question=_(
                    "Put these events back to “schedule published”? Check-ins are kept; "
                    "start them again when the doors really open."
                ),
                button=_("Yes, undo the start"),
                done=lambda events, total: (
                    ngettext(
                        "%(count)d event is no longer under way.",
                        "%(count)d events are no longer under way.",
                        events,
                    )
                    % {"count": events}
                ),
            ),
            lambda event, override: undo.undo_start(event, by=request.user),
        )

    @admin.action(description=_("Finish (meetings of checked-in pairs count as held)…"))
    def finish_selected(self, request, queryset):
        return confirm_then_run(
            self,
            request,
            queryset.order_by("date", "pk"),
            Step(
                title=_("Finish the events"),
                question=_(
                    "Finish these events? Meetings of pairs who both checked in count as "
                    "held, and the feedback requests go out once each event's end time has passed."
                ),
                button=_("Yes, finish them"),
                guard=day.FINISH,
                undo_hint=_(
                    "A mistake can be undone today, before the feedback requests go out: "
                    "“Undo today's finish”."
                ),
                done=lambda events, total: (
                    ngettext(
                        "%(count)d event finished; feedback requests go out once it has ended.",
                        "%(count)d events finished; feedback requests go out once they have ended.",
                        events,
                    )
                    % {"count": events}
                ),
            ),
            lambda event, override: running.finish_event(event, by=request.user, override=override),
        )

    @admin.action(description=_("Mark no-shows (registered, not checked in)…"))
    def mark_no_shows(self, request, queryset):
        return confirm_then_run(
            self,
            request,
            queryset.order_by("date", "pk"),
            Step(
                title=_("Mark the no-shows"),
                question=_(
                    "Mark every organization registered but not checked in as a no-show? "
                    "Their meetings become no-shows and it counts in their history."
                ),
                button=_("Yes, mark them"),
                guard=day.NO_SHOW,
                undo_hint=_("A mistake can be undone today: “Undo today's no-shows”."),
                done=lambda events, total: (
                    ngettext(
                        "%(count)d registration marked as a no-show.",
                        "%(count)d registrations marked as no-shows.",
                        total,
                    )
                    % {"count": total}
                ),
            ),
            lambda event, override: running.mark_no_shows(
                event, by=request.user, override=override
            ),
        )

    @admin.action(description=_("Undo today's finish…"))
    def undo_finish_selected(self, request, queryset):
        return confirm_then_run(
            self,
            request,
            queryset.order_by("date", "pk"),
            Step(
                title=_("Undo today's finish"),
                question=_(
                    "Put these events back under way? Meetings nobody reported on are "
                    "scheduled again."
                ),
                button=_("Yes, undo the finish"),
                done=lambda events, total: (
                    ngettext(
                        "%(count)d event is under way again.",
                        "%(count)d events are under way again.",
                        events,
                    )
                    % {"count": events}
                ),
            ),
            lambda event, override: undo.undo_finish(event, by=request.user),
        )

    @admin.action(description=_("Undo today's no-shows…"))
    def undo_no_shows_selected(self, request, queryset):
        return confirm_then_run(
            self,
            request,
            queryset.order_by("date", "pk"),
            Step(
                title=_("Undo today's no-shows"),
                question=_(
                    "Take back the no-shows marked today at these events? The organizations "
                    "are expected again and their meetings are back on."
                ),
                button=_("Yes, undo the no-shows"),
                done=lambda events, total: (
                    ngettext(
                        "%(count)d no-show taken back.", "%(count)d no-shows taken back.", total
                    )
                    % {"count": total}
                ),
            ),
            lambda event, override: undo.undo_no_shows(event, by=request.user),
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
