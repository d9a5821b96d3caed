"""The published lists of filed generative-AI services (生成式人工智能服务备案).

The national regulator and the municipal offices publish, from time to time, tables
of the services filed (备案) or registered (登记) with them. The programme office
imports each table as a `FilingList`; its rows are `FilingEntry`s. A solution's
filing number is checked against every list (services.filings), and the result is
kept on the solution, so that pages, filters, the API and matching read one field.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingStatus(models.TextChoices):
    """What checking a solution's filing number against the lists found."""

    # A solution without a filing number is "not claimed": the empty value.
    VERIFIED = "verified", _("Filing verified")
    ORGANIZATION_DIFFERS = "org_differs", _("Number found, filed by another organization")
    NOT_FOUND = "not_found", _("Number not found in the published lists")


class FilingList(models.Model):
    """One published table; identified by its kind, its publisher and its date."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("National filing list (备案)")
        MUNICIPAL = "municipal", _("Municipal registration list (登记)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(
        _("published by"), max_length=100, help_text=_("For example 国家互联网信息办公室.")
    )
    list_date = models.DateField(_("list date"), help_text=_("The date the list was published."))
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    entry_count = models.PositiveIntegerField(_("rows"), default=0)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        verbose_name = _("filing list")
        verbose_name_plural = _("filing lists")
        ordering = ["-list_date", "kind", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source", "list_date"], name="filing_list_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.get_kind_display()} · {self.list_date:%Y-%m-%d}"


class FilingEntry(models.Model):
    """One row of a published list, as published, plus the keys it is matched by."""

    filing_list = models.ForeignKey(
        FilingList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("list")
    )
    row_number = models.PositiveIntegerField(_("row in the file"))
    sequence = models.CharField(_("No. (序号)"), max_length=20, blank=True)
    region = models.CharField(_("region (属地)"), max_length=40, blank=True)
    service_name = models.CharField(_("model / service name"), max_length=200)
    organization_name = models.CharField(_("filing organization"), max_length=200)
    filing_number = models.CharField(_("filing / registration number"), max_length=100)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    # Normalised forms (services.filings.normalize_*): what a solution is matched by.
    number_key = models.CharField(
        max_length=100, db_index=True, editable=False, verbose_name=_("number key")
    )
    organization_key = models.CharField(
        max_length=200, editable=False, verbose_name=_("organization key")
    )

    class Meta:
        verbose_name = _("filed service")
        verbose_name_plural = _("filed services")
        ordering = ["filing_list", "row_number"]

    def __str__(self) -> str:
        return f"{self.service_name} ({self.filing_number})"
