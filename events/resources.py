"""Exports of the running stage (django-import-export): attendee lists and meeting schedules.

Staff download them from the event admin as XLSX or CSV. Values are what people read
on paper — names, labels in the active language, local times — not database codes.
Each resource reads its rows with one query (`attendees_of`, `schedule_of`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from core.spreadsheets import csv_bytes, xlsx_bytes
from events.models import Event, Meeting, Registration


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def attendees_of(events: Iterable[Event]) -> QuerySet[Registration]:
    """Everyone invited to the events, in the order of a sign-in sheet."""
    return (
        Registration.objects.filter(event__in=list(events))
        .select_related("event", "organization")
        .order_by("event__date", "event__start_time", "event_id", "side", "organization__name")
    )


def schedule_of(events: Iterable[Event]) -> QuerySet[Meeting]:
    """The events' live meetings, slot by slot and table by table."""
    return (
        Meeting.objects.filter(event__in=list(events))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("event", "enterprise", "provider")
        .order_by("event__date", "event__start_time", "event_id", "slot", "table")
    )


class AttendeeResource(resources.ModelResource):
    event = fields.Field(column_name=_("Event"))
    date = fields.Field(column_name=_("Date"))
    organization = fields.Field(column_name=_("Organization"))
    side = fields.Field(column_name=_("Side"))
    status = fields.Field(column_name=_("Status"))
    attendees = fields.Field(attribute="attendees", column_name=_("Attendees"))
    checked_in_at = fields.Field(column_name=_("Checked in at"))
    source = fields.Field(column_name=_("Invited by"))

    class Meta:
        model = Registration
        fields = (
            "event",
            "date",
            "organization",
            "side",
            "status",
            "attendees",
            "checked_in_at",
            "source",
        )
        export_order = fields

    def dehydrate_event(self, registration: Registration) -> str:
        return registration.event.title

    def dehydrate_date(self, registration: Registration) -> str:
        return registration.event.date.isoformat()

    def dehydrate_organization(self, registration: Registration) -> str:
        return registration.organization.display_name

    def dehydrate_side(self, registration: Registration) -> str:
        return str(registration.get_side_display())

    def dehydrate_status(self, registration: Registration) -> str:
        return str(registration.get_status_display())

    def dehydrate_checked_in_at(self, registration: Registration) -> str:
        return _local(registration.checked_in_at)

    def dehydrate_source(self, registration: Registration) -> str:
        return str(registration.get_source_display())


class ScheduleResource(resources.ModelResource):
    event = fields.Field(column_name=_("Event"))
    date = fields.Field(column_name=_("Date"))
    time = fields.Field(column_name=_("Time"))
    table = fields.Field(column_name=_("Table"))
    enterprise = fields.Field(column_name=_("Enterprise"))
    provider = fields.Field(column_name=_("Provider"))
    status = fields.Field(column_name=_("Status"))

    class Meta:
        model = Meeting
        fields = ("event", "date", "time", "table", "enterprise", "provider", "status")
        export_order = fields

    def dehydrate_event(self, meeting: Meeting) -> str:
        return meeting.event.title

    def dehydrate_date(self, meeting: Meeting) -> str:
        return meeting.event.date.isoformat()

    def dehydrate_time(self, meeting: Meeting) -> str:
        return meeting.event.slot_label(meeting.slot)

    def dehydrate_table(self, meeting: Meeting) -> int:
        return meeting.table + 1

    def dehydrate_enterprise(self, meeting: Meeting) -> str:
        return meeting.enterprise.display_name

    def dehydrate_provider(self, meeting: Meeting) -> str:
        return meeting.provider.display_name

    def dehydrate_status(self, meeting: Meeting) -> str:
        return str(meeting.get_status_display())


EXPORTS = {
    "attendees": (AttendeeResource, attendees_of, _("attendees")),
    "schedule": (ScheduleResource, schedule_of, _("schedule")),
}
FORMATS = ("xlsx", "csv")


def export(kind: str, events: Iterable[Event], fmt: str) -> bytes:
    """One export of the events as file content (`kind` in EXPORTS, `fmt` in FORMATS).

    The resource gives the columns and values; the file is written by the platform's
    one spreadsheet writer, which neutralises every text cell (core/spreadsheets.py):
    attendee names come from the RSVP page, organization names from their owners.
    """
    resource_class, rows_of, name = EXPORTS[kind]
    dataset = resource_class().export(rows_of(events))
    if fmt == "xlsx":
        return xlsx_bytes(dataset.headers, dataset, title=str(name))
    return csv_bytes(dataset.headers, dataset)
