"""1:1 meetings at an event: requests, the scheduled meetings, and their outcomes (成果).

Double booking is impossible by construction: the database refuses a second live
meeting for the same (event, slot, table), (event, slot, enterprise) or
(event, slot, provider).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.enums import Side
from core.models import Organization
from core.transitions import StatusMachine
from core.validators import validate_video_url
from events.models.events import Event


class Pair(models.Model):
    """An enterprise and a provider that meet (or ask to) at an event."""

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

    class Meta:
        abstract = True

    def party(self, side: str) -> Organization:
        return self.enterprise if side == Side.ENTERPRISE else self.provider


class MeetingRequest(StatusMachine, Pair):
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
    refusal_message = _("This meeting request is “%(current)s” and cannot change that way.")
    # A participant may ask again after these.
    CLOSED = frozenset({Status.DECLINED, Status.EXPIRED, Status.CANCELLED})

    class Source(models.TextChoices):
        PARTICIPANT = "participant", _("Participant's request")
        INTRODUCTION = "introduction", _("Accepted introduction")
        ORGANIZER = "organizer", _("Programme office")
        SECOND_MEETING = "second_meeting", _("Second meeting (NDA or pilot)")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="meeting_requests", verbose_name=_("event")
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
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    nudged_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    thread = models.OneToOneField(
        "matchmaking.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_request",
        verbose_name=_("conversation"),
    )

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


# A cancelled meeting frees its slot and table; every other meeting holds them.
LIVE_MEETING = ~Q(status="cancelled")


class Meeting(StatusMachine, Pair):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
        HELD = "held", pgettext_lazy("meeting status", "Held")
        NO_SHOW = "no_show", pgettext_lazy("meeting status", "No-show")
        CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")

    # Whether a meeting took place follows from who came (events.services.running);
    # the scheduler cancels a meeting it moves or drops and places it again.
    TRANSITIONS = {
        Status.SCHEDULED: frozenset({Status.HELD, Status.NO_SHOW, Status.CANCELLED}),
        # A side's no-show corrects a meeting counted as held; undoing a finish makes a
        # meeting nobody reported on scheduled again.
        Status.HELD: frozenset({Status.NO_SHOW, Status.SCHEDULED}),
        # A corrected no-show: the meeting is back on, or was held after all.
        Status.NO_SHOW: frozenset({Status.SCHEDULED, Status.HELD}),
        Status.CANCELLED: frozenset({Status.SCHEDULED}),
    }
    refusal_message = _("This meeting is “%(current)s” and cannot become “%(target)s”.")

    class Source(models.TextChoices):
        REQUEST = "request", _("Meeting request")
        MATCH = "match", _("Matching")
        ORGANIZER = "organizer", _("Programme office")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("event")
    )
    request = models.OneToOneField(
        MeetingRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting",
        verbose_name=_("request"),
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
    video_url = models.URLField(
        _("video-conference link"),
        max_length=500,
        blank=True,
        validators=[validate_video_url],
        help_text=_("For online and hybrid meetings: the link both sides join (https)."),
    )
    # Set when the programme office cancels the meeting (not the scheduler): such a
    # cancellation can be undone on the same day.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
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
        return _("Slot %(slot)d, table %(table)s: %(enterprise)s ↔ %(provider)s") % {
            "slot": self.slot + 1,
            "table": self.table_label,
            "enterprise": self.enterprise,
            "provider": self.provider,
        }

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
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
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
        return f"{self.get_side_display()} · {self.get_stage_display()}: {self.next_step}"
