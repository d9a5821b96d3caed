"""The shared vocabulary of the catalog: industries and AI capabilities.

Codes and names follow catalog-format.md; a data migration loads them and staff may
edit names in admin. Names are stored in both languages and shown in the active one.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualNamed(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Chinese unless English is active)."""
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Industry(BilingualNamed):
    related = models.ManyToManyField(
        "self",
        symmetrical=True,
        blank=True,
        verbose_name=_("related industries"),
        help_text=_(
            "Industries that count as a partial fit in matching, e.g. healthcare and biopharma."
        ),
    )

    class Meta(BilingualNamed.Meta):
        db_table = "matchmaking_industry"
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class Capability(BilingualNamed):
    class Meta(BilingualNamed.Meta):
        db_table = "matchmaking_capability"
        verbose_name = _("AI capability")
        verbose_name_plural = _("AI capabilities")
