"""Docking events (供需对接活动): seasons, venues, events, registrations, meetings, outcomes.

Double booking is impossible by construction: the database refuses a second live
meeting for the same (event, slot, table), (event, slot, enterprise) or
(event, slot, provider).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.enums import Side
from core.models import Industry, Organization


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarDay(models.Model):
    """A public holiday or an adjusted working day (调休) in mainland China."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Adjusted working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("Not yet confirmed by the State Council's annual notice."),
    )

    class Meta:
        verbose_name = _("holiday or working day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name_zh} ({self.get_kind_display()})"


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    rooms = models.PositiveSmallIntegerField(_("rooms"), default=1)
    tables = models.PositiveSmallIntegerField(_("meeting tables"), default=20)
    capacity = models.PositiveSmallIntegerField(
        _("capacity per side"),
        default=40,
        help_text=_("How many organizations of each side the venue seats."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Season(models.Model):
    """A year's programme of events, planned by the season planner and reviewed by staff."""

    class PlanStatus(models.TextChoices):
        NONE = "none", _("Not planned")
        PLANNING = "planning", _("Planning…")
        PLANNED = "planned", _("Draft plan ready")
        FAILED = "failed", _("Planning failed")

    name = models.CharField(_("name"), max_length=80)
    start = models.DateField(_("first possible date"))
    end = models.DateField(_("last possible date"))
    target_events = models.PositiveSmallIntegerField(_("target number of events"), default=50)
    weekly_cap = models.PositiveSmallIntegerField(_("events per week at most"), default=2)
    max_providers_per_event = models.PositiveSmallIntegerField(
        _("providers invited per event at most"), default=40
    )
    blackout_dates = models.JSONField(
        _("blackout dates"), default=list, blank=True, help_text=_("ISO dates with no event.")
    )
    venues = models.ManyToManyField(Venue, verbose_name=_("venues"), blank=True)
    plan_status = models.CharField(
        _("plan status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.NONE
    )
    plan_progress = models.PositiveSmallIntegerField(_("planning progress (%)"), default=0)
    plan_quality = models.JSONField(_("plan quality"), default=dict, blank=True)
    plan_notes = models.TextField(_("planner notes"), blank=True)
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = ["-start"]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet):
    def visible(self):
        """Events participants can see (not drafts, not cancelled)."""
        return self.exclude(status__in=[Event.Status.DRAFT, Event.Status.CANCELLED])


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("event status", "Draft")
        PUBLISHED = "published", pgettext_lazy("event status", "Open for registration")
        REGISTRATION_CLOSED = (
            "registration_closed",
            pgettext_lazy("event status", "Registration closed"),
        )
        SCHEDULED = "scheduled", pgettext_lazy("event status", "Schedule published")
        RUNNING = "running", pgettext_lazy("event status", "Under way")
        FINISHED = "finished", pgettext_lazy("event status", "Finished")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.PUBLISHED, Status.CANCELLED}),
        Status.PUBLISHED: frozenset({Status.REGISTRATION_CLOSED, Status.CANCELLED}),
        Status.REGISTRATION_CLOSED: frozenset(
            {Status.PUBLISHED, Status.SCHEDULED, Status.CANCELLED}
        ),
        Status.SCHEDULED: frozenset({Status.RUNNING, Status.REGISTRATION_CLOSED, Status.CANCELLED}),
        Status.RUNNING: frozenset({Status.FINISHED}),
        Status.FINISHED: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    class Format(models.TextChoices):
        ONSITE = "onsite", _("On site")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class ScheduleStatus(models.TextChoices):
        NONE = "none", _("No schedule yet")
        BUILDING = "building", _("Building…")
        BUILT = "built", _("Built")
        FAILED = "failed", pgettext_lazy("schedule status", "Failed")

    season = models.ForeignKey(
        Season,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("season"),
    )
    planner_key = models.CharField(_("planner key"), max_length=60, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=150)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    domain = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("domain"),
    )
    theme = models.CharField(_("theme"), max_length=80, blank=True)
    theme_en = models.CharField(_("theme (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"), default="13:30")
    end_time = models.TimeField(_("ends at"), default="17:30")
    slot_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"), default=20, validators=[MinValueValidator(5)]
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("venue"),
    )
    tables = models.PositiveSmallIntegerField(_("meeting tables"), default=20)
    capacity_per_side = models.PositiveSmallIntegerField(_("capacity per side"), default=40)
    meeting_limit = models.PositiveSmallIntegerField(
        _("meetings per organization at most"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit beyond the number of slots."),
    )
    format = models.CharField(
        _("format"), max_length=8, choices=Format.choices, default=Format.ONSITE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    needs = models.ManyToManyField(
        "matchmaking.Need", blank=True, related_name="events", verbose_name=_("themed needs")
    )
    schedule_status = models.CharField(
        _("schedule"), max_length=10, choices=ScheduleStatus.choices, default=ScheduleStatus.NONE
    )
    schedule_progress = models.PositiveSmallIntegerField(_("schedule progress (%)"), default=0)
    schedule_report = models.JSONField(_("schedule report"), default=dict, blank=True)
    invitations_sent_at = models.DateTimeField(_("invitations sent at"), null=True, blank=True)
    schedule_sent_at = models.DateTimeField(_("schedules sent at"), null=True, blank=True)
    reminded_24h_at = models.DateTimeField(_("24-hour reminder sent at"), null=True, blank=True)
    reminded_1h_at = models.DateTimeField(_("1-hour reminder sent at"), null=True, blank=True)
    feedback_requested_at = models.DateTimeField(_("feedback requested at"), null=True, blank=True)
    followup_requested_at = models.DateTimeField(
        _("90-day follow-up sent at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("docking event")
        verbose_name_plural = _("docking events")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    @property
    def title(self) -> str:
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title_zh

    @property
    def slot_count(self) -> int:
        start = datetime.combine(self.date, self.start_time)
        end = datetime.combine(self.date, self.end_time)
        return max(0, int((end - start).total_seconds() // 60) // self.slot_minutes)

    def slot_start(self, slot: int) -> datetime:
        naive = datetime.combine(self.date, self.start_time) + timedelta(
            minutes=slot * self.slot_minutes
        )
        return timezone.make_aware(naive, timezone.get_default_timezone())

    def slot_end(self, slot: int) -> datetime:
        return self.slot_start(slot) + timedelta(minutes=self.slot_minutes)

    def slot_label(self, slot: int) -> str:
        start = timezone.localtime(self.slot_start(slot))
        end = timezone.localtime(self.slot_end(slot))
        return f"{start:%H:%M}–{end:%H:%M}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class Registration(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", pgettext_lazy("registration status", "Invited")
        REGISTERED = "registered", pgettext_lazy("registration status", "Registered")
        DECLINED = "declined", pgettext_lazy("registration status", "Declined")
        WAITLISTED = "waitlisted", pgettext_lazy("registration status", "On the waiting list")
        CHECKED_IN = "checked_in", pgettext_lazy("registration status", "Checked in")
        NO_SHOW = "no_show", pgettext_lazy("registration status", "No-show")

    TRANSITIONS = {
        Status.INVITED: frozenset({Status.REGISTERED, Status.DECLINED, Status.WAITLISTED}),
        Status.REGISTERED: frozenset({Status.DECLINED, Status.CHECKED_IN, Status.NO_SHOW}),
        Status.WAITLISTED: frozenset({Status.REGISTERED, Status.DECLINED}),
        Status.DECLINED: frozenset({Status.REGISTERED, Status.WAITLISTED}),
        # Staff may undo a check-in made by mistake at the door.
        Status.CHECKED_IN: frozenset({Status.NO_SHOW, Status.REGISTERED}),
        Status.NO_SHOW: frozenset({Status.CHECKED_IN}),
    }
    ATTENDING = (Status.REGISTERED, Status.CHECKED_IN)

    class Source(models.TextChoices):
        PLANNER = "planner", _("Season planner")
        STAFF = "staff", _("Programme office")
        SELF = "self", _("Self-registered")
        INTRODUCTION = "introduction", _("Accepted introduction")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("organization"),
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INVITED, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=14, choices=Source.choices, default=Source.STAFF
    )
    rsvp_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    attendees = models.CharField(
        _("attendees"),
        max_length=200,
        blank=True,
        help_text=_("Names of the people who will come."),
    )
    meeting_limit = models.PositiveSmallIntegerField(
        _("meetings at most"),
        null=True,
        blank=True,
        help_text=_("Overrides the event's limit for this organization."),
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "side", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organization"], name="registration_unique_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.event} ({self.get_status_display()})"

    @property
    def is_attending(self) -> bool:
        return self.status in self.ATTENDING


class Unavailability(models.Model):
    """A slot in which a registered organization cannot meet."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="unavailable_slots"
    )
    slot = models.PositiveSmallIntegerField(_("slot"))

    class Meta:
        verbose_name = _("unavailable slot")
        verbose_name_plural = _("unavailable slots")
        constraints = [
            models.UniqueConstraint(fields=["registration", "slot"], name="unavailability_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} slot {self.slot}"


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("meeting request status", "Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("meeting request status", "Accepted")
        DECLINED = "declined", pgettext_lazy("meeting request status", "Declined")
        EXPIRED = "expired", pgettext_lazy("meeting request status", "Expired")
        CANCELLED = "cancelled", pgettext_lazy("meeting request status", "Cancelled")

    TRANSITIONS = {
        Status.REQUESTED: frozenset(
            {Status.ACCEPTED, Status.DECLINED, Status.EXPIRED, Status.CANCELLED}
        ),
        Status.ACCEPTED: frozenset({Status.CANCELLED}),
        Status.DECLINED: frozenset({Status.REQUESTED}),
        Status.EXPIRED: frozenset({Status.REQUESTED}),
        Status.CANCELLED: frozenset({Status.REQUESTED}),
    }

    class Source(models.TextChoices):
        PARTICIPANT = "participant", _("Participant's request")
        INTRODUCTION = "introduction", _("Accepted introduction")
        ORGANIZER = "organizer", _("Programme office")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="meeting_requests", verbose_name=_("event")
    )
    enterprise = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    provider = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("provider"),
    )
    requested_by_side = models.CharField(_("requested by"), max_length=12, choices=Side.choices)
    need = models.ForeignKey(
        "matchmaking.Need",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("need"),
    )
    solution = models.ForeignKey(
        "matchmaking.Solution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solution"),
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=14, choices=Source.choices, default=Source.PARTICIPANT
    )
    priority = models.FloatField(
        _("priority"),
        default=0.0,
        help_text=_("Higher is scheduled first; the match score by default."),
    )
    must_meet = models.BooleanField(
        _("must meet"),
        default=False,
        help_text=_("Set by the programme office: schedule before others."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "enterprise", "provider"], name="meeting_request_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} ↔ {self.provider} @ {self.event_id}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def party(self, side: str):
        return self.enterprise if side == Side.ENTERPRISE else self.provider


# A cancelled meeting frees its slot and table; every other meeting holds them.
LIVE_MEETING = ~Q(status="cancelled")


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
        HELD = "held", pgettext_lazy("meeting status", "Held")
        NO_SHOW = "no_show", pgettext_lazy("meeting status", "No-show")
        CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")

    class Source(models.TextChoices):
        REQUEST = "request", _("Meeting request")
        MATCH = "match", _("Matching")
        ORGANIZER = "organizer", _("Programme office")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("event")
    )
    request = models.OneToOneField(
        MeetingRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting"
    )
    enterprise = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    provider = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("provider"),
    )
    slot = models.PositiveSmallIntegerField(_("slot"))
    table = models.PositiveSmallIntegerField(_("table"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.REQUEST
    )
    published = models.BooleanField(_("published to participants"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["event", "slot", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slot", "table"],
                condition=LIVE_MEETING,
                name="meeting_unique_table",
            ),
            models.UniqueConstraint(
                fields=["event", "slot", "enterprise"],
                condition=LIVE_MEETING,
                name="meeting_unique_enterprise",
            ),
            models.UniqueConstraint(
                fields=["event", "slot", "provider"],
                condition=LIVE_MEETING,
                name="meeting_unique_provider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} slot {self.slot} table {self.table}: {self.enterprise} ↔ {self.provider}"

    @property
    def starts_at(self) -> datetime:
        return self.event.slot_start(self.slot)

    @property
    def ends_at(self) -> datetime:
        return self.event.slot_end(self.slot)

    @property
    def table_label(self) -> str:
        return str(self.table + 1)


class Outcome(models.Model):
    """What one side says came of a meeting, right after it and again ~90 days later."""

    class NextStep(models.TextChoices):
        NONE = "none", _("No further contact")
        FOLLOW_UP = "follow_up", _("Follow-up talks")
        NDA = "nda", _("NDA signed")
        PILOT = "pilot", _("Pilot (POC)")
        CONTRACT = "contract", _("Contract")

    FUNNEL = [NextStep.FOLLOW_UP, NextStep.NDA, NextStep.PILOT, NextStep.CONTRACT]

    class Stage(models.TextChoices):
        EVENT = "event", _("After the event")
        FOLLOW_UP = "followup", _("90-day follow-up")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("meeting")
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.EVENT)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    next_step = models.CharField(_("next step"), max_length=10, choices=NextStep.choices)
    deal_value = models.PositiveIntegerField(_("deal value (10k CNY)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "side", "stage"], name="outcome_unique"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="outcome_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.side} {self.stage}: {self.next_step}"


class CalendarFeed(models.Model):
    """A person's private .ics subscription URL for one of their organizations' schedules.

    Personal, not the organization's: it stops answering when the person's membership
    ends or the account is deactivated, and its owner can rotate it (a new token; the
    old URL stops working at once). The token is the only secret of the URL.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("organization"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("rotated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="calendar_feed_unique"),
        ]

    def __str__(self) -> str:
        return f"feed of {self.user_id} @ {self.organization_id}"

    def get_absolute_url(self) -> str:
        return reverse("calendar-feed", args=[self.token])
