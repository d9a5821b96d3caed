"""Where and when events happen: the holiday calendar, venues, and the season's plan."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
