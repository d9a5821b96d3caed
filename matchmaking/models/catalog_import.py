"""A catalog file imported in the background, and how far it got.

Staff upload a large round in admin; the import runs as a job
(`matchmaking.services.catalog_imports`). While it checks and writes, its live counts
are in the cache (the import's own transaction hides its rows until it commits); once
it is done, the row holds the final counts and the matching run its batch queued,
whose progress the admin shows next.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from matchmaking.models.matching import MatchRun


class CatalogImport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import state", "Queued")
        RUNNING = "running", pgettext_lazy("import state", "Importing")
        IMPORTED = "imported", pgettext_lazy("import state", "Imported")
        FAILED = "failed", pgettext_lazy("import state", "Failed")

    file = models.FileField(_("file"), upload_to="catalog-imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    record_status = models.CharField(_("status of the imported records"), max_length=12)
    dry_run = models.BooleanField(_("only checked"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(_("records in the file"), default=0)
    checked = models.PositiveIntegerField(_("records checked"), default=0)
    written = models.PositiveIntegerField(_("records written"), default=0)
    published = models.PositiveIntegerField(_("records published"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("problems found"), default=list, blank=True)
    match_run = models.ForeignKey(
        MatchRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matching run"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalog import")
        verbose_name_plural = _("catalog imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"
