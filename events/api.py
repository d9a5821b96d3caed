"""REST API for docking events and their 1:1 meetings (/api/v1/events/, /api/v1/meetings/).

Read-only: events and meetings change through the programme office's admin and the
participants' pages, which go through events.services. Who sees what is decided by
the querysets: everyone reads the events that are open or done (staff also drafts
and cancelled ones); participants read their own organizations' published meetings,
staff all meetings. Anything else answers 404.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated

from config.filtering import FilterSet, IdFilter
from core.models import Industry
from events.models import Event, Meeting, Season
from events.selectors import participants as selectors
from events.serializers import EventSerializer, MeetingSerializer


class EventFilter(FilterSet):
    season = django_filters.ModelChoiceFilter(
        queryset=Season.objects.all(), help_text="Events of this season (id)."
    )
    domain = extend_schema_field(
        {"type": "string", "description": "The domain's industry code; repeat for several."}
    )(
        django_filters.ModelMultipleChoiceFilter(
            field_name="domain__code", to_field_name="code", queryset=Industry.objects.all()
        )
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Event.Status.choices, help_text="Event status; repeat for several."
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="On or after this date (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="On or before this date (YYYY-MM-DD)."
    )

    class Meta:
        model = Event
        fields = ["season", "domain", "status", "format", "date_from", "date_to"]


class MeetingFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Meetings of this event (id).")
    organization = IdFilter(
        method="filter_organization",
        help_text="Meetings of this organization (id), on either side.",
    )
    date_from = django_filters.DateFilter(
        field_name="event__date", lookup_expr="gte", help_text="On or after this date."
    )
    date_to = django_filters.DateFilter(
        field_name="event__date", lookup_expr="lte", help_text="On or before this date."
    )

    class Meta:
        model = Meeting
        fields = ["event", "organization", "status", "date_from", "date_to"]

    def filter_organization(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(enterprise_id=value) | Q(provider_id=value))


@extend_schema_view(
    list=extend_schema(
        description=(
            "Docking events (供需对接活动) that are open for registration or later, "
            "earliest first; staff also see drafts and cancelled events."
        )
    ),
    retrieve=extend_schema(description="One event; a draft or cancelled one answers 404."),
)
class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Themed supply–demand docking events of the programme."""

    serializer_class = EventSerializer
    permission_classes = [AllowAny]
    filterset_class = EventFilter
    search_fields = ["title_zh", "title_en", "theme", "theme_en"]
    ordering_fields = ["date", "title_zh", "status"]
    ordering = ["date", "start_time", "pk"]

    def get_queryset(self) -> QuerySet[Event]:
        return selectors.events_visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(
        description=(
            "Published 1:1 meetings (洽谈) of your organizations, by event and slot "
            "(staff: all meetings, published or not)."
        )
    ),
    retrieve=extend_schema(description="One of your meetings; any other answers 404."),
)
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Scheduled 1:1 meetings between an enterprise and a provider at an event."""

    serializer_class = MeetingSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = MeetingFilter
    search_fields = ["enterprise__name", "provider__name", "event__title_zh"]
    ordering_fields = ["slot", "table", "event__date"]
    ordering = ["event__date", "event__start_time", "event_id", "slot", "table"]

    def get_queryset(self) -> QuerySet[Meeting]:
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return selectors.meetings_visible_to(self.request.user)
