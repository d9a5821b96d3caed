"""Search synonyms staff add in the admin, merged with the list in
matchmaking/engine/data/synonyms.txt (docs/SEARCH.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchSynonym(models.Model):
    """A group of equivalent search terms: Chinese terms and their English forms."""

    chinese = models.CharField(
        _("Chinese terms"),
        max_length=300,
        help_text=_(
            "Comma-separated, e.g. 质检, 质量检测, 缺陷检测. The first is the group's main term."
        ),
    )
    english = models.CharField(
        _("English terms"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. quality inspection, QC (up to five words each)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search synonym group")
        verbose_name_plural = _("search synonyms")
        ordering = ["chinese"]

    def __str__(self) -> str:
        return f"{self.chinese} | {self.english}" if self.english else self.chinese


class SavedSearch(models.Model):
    """A search a signed-in user follows, or their "new needs matching my solutions";
    a digest email lists what is new (matchmaking/services/alerts.py)."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("Saved search")
        MATCHES = "matches", _("New needs matching my solutions")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SEARCH)
    record_kind = models.CharField(
        _("records"),
        max_length=10,
        choices=[("need", _("Scenario needs")), ("solution", _("AI solutions"))],
        default="need",
    )
    query = models.CharField(_("search"), max_length=200, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    min_score = models.PositiveSmallIntegerField(_("minimum score (0–100)"), default=60)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["user", "name"]

    def __str__(self) -> str:
        return self.name


class SearchAlert(models.Model):
    """A record a user was told about: never twice (one row per user and record)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    need = models.ForeignKey(
        "matchmaking.Need",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("need"),
    )
    solution = models.ForeignKey(
        "matchmaking.Solution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solution"),
    )
    email = models.ForeignKey(
        "core.OutgoingEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("email"),
    )
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("search alert")
        verbose_name_plural = _("search alerts")
        constraints = [
            models.UniqueConstraint(fields=["user", "need"], name="search_alert_once_per_need"),
            models.UniqueConstraint(
                fields=["user", "solution"], name="search_alert_once_per_solution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: need {self.need_id or '-'} / solution {self.solution_id or '-'}"
