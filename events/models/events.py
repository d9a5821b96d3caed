"""The docking event (供需对接活动) and its life from draft to finished."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.models import Industry
from core.transitions import StatusMachine
from events.models.places import Season, Venue

# Events happen in China: "the event's day" and its hours are Beijing time, whatever the
# server's clock says (events.services.day reads "today" in it).
LOCAL_TIME_ZONE = ZoneInfo("Asia/Shanghai")


class EventQuerySet(models.QuerySet):
    def visible(self):
        """Events participants can see (not drafts, not cancelled)."""
        return self.filter(status__in=Event.VISIBLE)


class Event(StatusMachine, models.Model):
    """A themed supply–demand docking event; `TRANSITIONS` is its life, the sets below
    say what each stage of that life allows (the services and pages ask them)."""

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
        # Starting or finishing by mistake is undone on the same day (events.services.undo).
        Status.RUNNING: frozenset({Status.FINISHED, Status.SCHEDULED}),
        Status.FINISHED: frozenset({Status.RUNNING}),
        Status.CANCELLED: frozenset(),
    }
    refusal_message = _("The event is “%(current)s” and cannot become “%(target)s”.")

    # Participants can see it (not a draft, not cancelled).
    VISIBLE = frozenset(
        {
            Status.PUBLISHED,
            Status.REGISTRATION_CLOSED,
            Status.SCHEDULED,
            Status.RUNNING,
            Status.FINISHED,
        }
    )
    # Participants can still look forward to it.
    UPCOMING = frozenset(
        {Status.PUBLISHED, Status.REGISTRATION_CLOSED, Status.SCHEDULED, Status.RUNNING}
    )
    # Organizations register and answer invitations while registration is open, and
    # send and answer meeting requests then too.
    REGISTRATION_OPEN = frozenset({Status.PUBLISHED})
    REQUESTS_OPEN = REGISTRATION_OPEN
    # A schedule can be (re)built, and accepted introductions still become requests,
    # from the moment the event is open until it starts.
    SCHEDULABLE = frozenset({Status.PUBLISHED, Status.REGISTRATION_CLOSED, Status.SCHEDULED})
    # Participants see which of their requests the schedule left out.
    SCHEDULE_OUT = frozenset({Status.SCHEDULED, Status.RUNNING, Status.FINISHED})
    # Check-in opens with publication (walk-ins on the day) and stays open after the
    # event for corrections; drafts and cancelled events have nobody to check in.
    CHECK_IN_OPEN = VISIBLE
    # No-shows are recorded and feedback is given once the event is under way.
    UNDER_WAY = frozenset({Status.RUNNING, Status.FINISHED})

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
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
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

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start_time, tzinfo=LOCAL_TIME_ZONE)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.date, self.end_time, tzinfo=LOCAL_TIME_ZONE)

    def slot_end(self, slot: int) -> datetime:
        return self.slot_start(slot) + timedelta(minutes=self.slot_minutes)

    def slot_label(self, slot: int) -> str:
        start = timezone.localtime(self.slot_start(slot))
        end = timezone.localtime(self.slot_end(slot))
        return f"{start:%H:%M}–{end:%H:%M}"

    # --- what the event's stage allows ---------------------------------------------

    @property
    def registration_open(self) -> bool:
        return self.status in self.REGISTRATION_OPEN

    @property
    def accepts_requests(self) -> bool:
        return self.status in self.REQUESTS_OPEN

    @property
    def is_under_way(self) -> bool:
        return self.status in self.UNDER_WAY

    @property
    def check_in_open(self) -> bool:
        return self.status in self.CHECK_IN_OPEN

    def is_past(self, today) -> bool:
        """Over for its participants: finished, cancelled, or dated before `today`."""
        return self.date < today or self.status in (self.Status.FINISHED, self.Status.CANCELLED)

    def feedback_open(self, *, followup: bool = False) -> bool:
        """The feedback form opens when the event starts; the 90-day follow-up once it
        finished."""
        return self.status == self.Status.FINISHED if followup else self.is_under_way
