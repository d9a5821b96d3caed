"""REST representations of docking events and meetings (read-only, /api/v1/events/ and
/api/v1/meetings/). Codes are those of the catalog format (the domain's industry code);
times are ISO 8601 with the Shanghai offset."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Organization
from events.models import Event, Meeting, Venue


def _status_field(choices, description: str) -> serializers.ChoiceField:
    """A status documented in place (as matchmaking's InterestStatusField does).

    Several serializers have `status` fields with other choice sets; wrapped in
    `allOf`, the enum stays with its field instead of competing for a component name.
    The schema goes on a subclass made for this field, never on ChoiceField itself.
    """
    schema = {"allOf": [{"type": "string", "enum": [value for value, _label in choices]}]}
    field_class = extend_schema_field(schema)(type("StatusField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, read_only=True, help_text=description)


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "name", "address"]
        read_only_fields = fields


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "name_en"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    domain = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The domain's industry code (catalog format), e.g. manufacturing."),
    )
    venue = VenueSerializer(read_only=True, allow_null=True)
    season = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    slots = serializers.IntegerField(
        source="slot_count", read_only=True, help_text=_("Number of meeting slots.")
    )
    starts_at = serializers.SerializerMethodField(help_text=_("Start of the first slot."))
    ends_at = serializers.SerializerMethodField(help_text=_("When the event ends."))
    status = _status_field(
        Event.Status.choices,
        "published: open for registration; registration_closed; scheduled: the meeting "
        "schedule is published; running; finished; (staff also see draft and cancelled).",
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "season",
            "title_zh",
            "title_en",
            "domain",
            "theme",
            "theme_en",
            "description",
            "date",
            "starts_at",
            "ends_at",
            "slot_minutes",
            "slots",
            "venue",
            "format",
            "tables",
            "capacity_per_side",
            "status",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_starts_at(self, event: Event) -> datetime:
        return event.slot_start(0)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_ends_at(self, event: Event) -> datetime:
        naive = datetime.combine(event.date, event.end_time)
        return timezone.make_aware(naive, timezone.get_default_timezone())


class MeetingSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(read_only=True)
    event_title = serializers.CharField(source="event.title_zh", read_only=True)
    enterprise = OrganizationRefSerializer(read_only=True)
    provider = OrganizationRefSerializer(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    table = serializers.IntegerField(
        source="table_label", read_only=True, help_text=_("Table number, counted from 1.")
    )
    slot = serializers.IntegerField(read_only=True, help_text=_("Slot index, counted from 0."))
    status = _status_field(
        Meeting.Status.choices,
        "scheduled; held (both sides came, or a side reported an outcome); no_show; cancelled.",
    )
    video_url = serializers.SerializerMethodField(
        help_text=_(
            "For online and hybrid meetings: the link both sides join (https); "
            "null while none is set."
        )
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "event",
            "event_title",
            "slot",
            "starts_at",
            "ends_at",
            "table",
            "enterprise",
            "provider",
            "status",
            "source",
            "published",
            "video_url",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_video_url(self, meeting: Meeting) -> str | None:
        return meeting.video_url or None
