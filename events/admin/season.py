"""Admin: seasons (plan, review, publish, invite) and venues."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError
from events.admin.common import run_each
from events.models import Event, Season, Venue
from events.selectors import plan_report
from events.services import registration as registration_services
from events.services import season as services

# While a season is planning, its list page reloads itself to show the progress.
# While a season plans, its list reloads itself (a meta refresh: the CSP allows no inline script).
PLANNING_REFRESH_SECONDS = 3


def _event_link(event: Event) -> str:
    try:
        url = reverse("admin:events_event_change", args=[event.pk])
    except NoReverseMatch:
        return event.title_zh
    return format_html('<a href="{}">{}</a>', url, event.title_zh)


class DatesField(forms.CharField):
    """Dates typed one a line (or separated by commas), stored as a list of ISO dates."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 24, "placeholder": "2027-01-05"})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        days = []
        for item in re.split(r"[\s,，、;；]+", text.strip()):
            if not item:
                continue
            try:
                days.append(date.fromisoformat(item).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date in the form YYYY-MM-DD."), params={"value": item}
                ) from None
        return sorted(set(days))


class SeasonForm(forms.ModelForm):
    blackout_dates = DatesField(
        label=_("dates without events"),
        required=False,
        help_text=_(
            "One date a line, e.g. 2027-01-05. Weekends and public holidays are left out already."
        ),
    )

    class Meta:
        model = Season
        fields = [
            "name",
            "start",
            "end",
            "target_events",
            "weekly_cap",
            "max_providers_per_event",
            "venues",
            "blackout_dates",
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last possible date is before the first."))
        return cleaned


class SeasonEventInline(admin.TabularInline):
    """The season's events: the draft plan to review, and what is already published."""

    model = Event
    fields = ["date", "title_link", "venue", "status", "need_count", "invited_count"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["date", "start_time"]
    verbose_name_plural = _("events of this season")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("venue")
            .annotate(
                need_total=Count("needs", distinct=True),
                invited_total=Count("registrations", distinct=True),
            )
        )

    @admin.display(description=_("title"))
    def title_link(self, obj: Event) -> str:
        return _event_link(obj)

    @admin.display(description=_("needs"))
    def need_count(self, obj: Event) -> int:
        return obj.need_total

    @admin.display(description=_("organizations invited"))
    def invited_count(self, obj: Event) -> int:
        return obj.invited_total


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    form = SeasonForm
    list_display = [
        "name",
        "start",
        "end",
        "target_events",
        "plan_progress_bar",
        "event_counts",
        "coverage",
        "planned_at",
    ]
    list_filter = ["plan_status"]
    search_fields = ["name"]
    date_hierarchy = "start"
    filter_horizontal = ["venues"]
    readonly_fields = ["plan_state", "quality_report", "notes", "planned_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    ("start", "end"),
                    ("target_events", "weekly_cap", "max_providers_per_event"),
                    "venues",
                    "blackout_dates",
                ]
            },
        ),
        (_("Plan"), {"fields": ["plan_state", "quality_report", "notes", "planned_at"]}),
    ]
    inlines = [SeasonEventInline]
    actions = ["plan_selected", "publish_drafts", "send_invitations"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                draft_total=Count("events", filter=Q(events__status=Event.Status.DRAFT)),
                live_total=Count(
                    "events",
                    filter=~Q(events__status__in=[Event.Status.DRAFT, Event.Status.CANCELLED]),
                ),
            )
        )

    def changelist_view(self, request, extra_context=None):
        planning = Season.objects.filter(plan_status=Season.PlanStatus.PLANNING).exists()
        extra_context = {
            **(extra_context or {}),
            "refresh_seconds": PLANNING_REFRESH_SECONDS if planning else None,
        }
        return super().changelist_view(request, extra_context)

    # --- displays ------------------------------------------------------------------------

    def _bar(self, obj: Season) -> str:
        return format_html(
            '{} <progress max="100" value="{}" aria-label="{}">{} %</progress> {} %',
            obj.get_plan_status_display(),
            obj.plan_progress,
            _("planning progress"),
            obj.plan_progress,
            obj.plan_progress,
        )

    @admin.display(description=_("plan"), ordering="plan_status")
    def plan_progress_bar(self, obj: Season) -> str:
        if obj.plan_status == Season.PlanStatus.PLANNING:
            return self._bar(obj)
        return obj.get_plan_status_display()

    @admin.display(description=_("plan status"))
    def plan_state(self, obj: Season) -> str:
        if obj.plan_status == Season.PlanStatus.PLANNING:
            return format_html(
                '{} <a href="">{}</a>', self._bar(obj), _("Refresh to see the progress")
            )
        return obj.get_plan_status_display()

    @admin.display(description=_("events (draft / published)"))
    def event_counts(self, obj: Season) -> str:
        return f"{obj.draft_total} / {obj.live_total}"

    @admin.display(description=_("coverage"))
    def coverage(self, obj: Season) -> str:
        quality = obj.plan_quality or {}
        if "coverage" not in quality:
            return "—"
        mark = "✓" if quality.get("meets_targets") else "⚠"
        return f"{quality['coverage']:.2f} {mark}"

    @admin.display(description=_("plan quality"))
    def quality_report(self, obj: Season) -> str:
        lines = plan_report.quality_lines(obj)
        if not lines:
            return _("Not planned yet: use the action “Plan the season” on the list of seasons.")
        marks = {True: _("met"), False: _("below target"), None: ""}
        return format_html(
            '<ul class="plan-report">{}</ul>',
            format_html_join(
                "",
                '<li>{} <strong class="status-{}">{}</strong></li>',
                (
                    (line, {True: "ok", False: "error", None: "muted"}[met], marks[met])
                    for line, met in lines
                ),
            ),
        )

    @admin.display(description=_("planner notes"))
    def notes(self, obj: Season) -> str:
        lines = plan_report.plan_notes(obj)
        if not lines:
            return "—"
        return format_html(
            '<ul class="plan-report">{}</ul>',
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )

    # --- actions -------------------------------------------------------------------------

    @admin.action(description=_("Plan the season (replaces its draft events)"))
    def plan_selected(self, request, queryset):
        started = 0
        for season in queryset:
            try:
                services.plan_season(season, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{season}: {error.message}", messages.ERROR)
            else:
                started += 1
        if started:
            self.message_user(
                request,
                ngettext(
                    "Planning started for %(count)d season; this page shows its progress.",
                    "Planning started for %(count)d seasons; this page shows their progress.",
                    started,
                )
                % {"count": started},
                messages.SUCCESS,
            )

    @admin.action(description=_("Publish the draft events (open registration)"))
    def publish_drafts(self, request, queryset):
        _seasons, total = run_each(
            self, request, queryset, lambda season: services.publish_drafts(season, by=request.user)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d event is now open for registration.",
                "%(count)d events are now open for registration.",
                total,
            )
            % {"count": total},
            messages.SUCCESS if total else messages.WARNING,
        )

    @admin.action(description=_("Send invitations for the published events"))
    def send_invitations(self, request, queryset):
        events = services.upcoming_published_events(queryset)
        if not events.exists():
            drafts = Event.objects.filter(season__in=queryset, status=Event.Status.DRAFT).count()
            self.message_user(
                request,
                ngettext(
                    "Nothing was sent: invitations go out for published events, and the "
                    "selected seasons have none ahead (%(drafts)d event is still a draft). "
                    "Publish it first with “Publish the draft events”.",
                    "Nothing was sent: invitations go out for published events, and the "
                    "selected seasons have none ahead (%(drafts)d events are still drafts). "
                    "Publish them first with “Publish the draft events”.",
                    drafts,
                )
                % {"drafts": drafts},
                messages.WARNING,
            )
            return
        _events, total = run_each(
            self,
            request,
            events,
            lambda event: registration_services.send_invitations(event, by=request.user),
        )
        self.message_user(
            request,
            ngettext(
                "Invitations sent to %(count)d organization.",
                "Invitations sent to %(count)d organizations.",
                total,
            )
            % {"count": total}
            if total
            else _("Nobody new to invite: every invited organization already has its invitation."),
            messages.SUCCESS if total else messages.WARNING,
        )


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "rooms", "tables", "capacity", "upcoming_events"]
    search_fields = ["name", "address"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                upcoming=Count(
                    "events",
                    filter=Q(events__date__gte=timezone.localdate())
                    & ~Q(events__status=Event.Status.CANCELLED),
                )
            )
        )

    @admin.display(description=_("upcoming events"), ordering="upcoming")
    def upcoming_events(self, obj: Venue) -> int:
        return obj.upcoming
