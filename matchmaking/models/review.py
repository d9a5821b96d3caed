"""Reasons the programme office returns a submission with, kept as reusable templates.

The office writes the same few reasons again and again (the description is too thin,
the budget is missing, …). Each template holds its text in both languages; the
submitter receives it in theirs (matchmaking/services/catalog.py, `return_reason_text`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ReturnReason(models.Model):
    title_zh = models.CharField(_("short name (Chinese)"), max_length=60)
    title_en = models.CharField(_("short name (English)"), max_length=80)
    text_zh = models.TextField(
        _("text sent (Chinese)"), help_text=_("What the submitter reads, in Chinese.")
    )
    text_en = models.TextField(
        _("text sent (English)"), help_text=_("What the submitter reads, in English.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Smaller numbers are listed first.")
    )
    active = models.BooleanField(
        _("offered"), default=True, help_text=_("Unticked reasons are no longer offered.")
    )

    class Meta:
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The short name in the active language."""
        return self.title_en if (get_language() or "").startswith("en") else self.title_zh

    def text_in(self, language: str) -> str:
        """The text sent to a submitter who reads `language`."""
        return self.text_en if language.startswith("en") else self.text_zh
