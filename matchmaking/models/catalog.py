"""The two sides of the market: scenario needs (场景需求) and solutions (解决方案).

Both share one review workflow (draft → submitted → approved | rejected → closed, and
withdrawn at any time). Nothing users submit is hard-deleted by users: withdrawing
keeps the record for the programme's statistics; only staff delete, in admin.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import Capability, Industry, Organization
from core.selectors import member_org_ids
from core.validators import ALLOWED_ATTACHMENT_TYPES, validate_phone
from matchmaking.models.filings import FilingStatus
from matchmaking.validators import (
    AMOUNT_RANGE,
    AMOUNT_RANGE_CONSTRAINT_MESSAGE,
    check_amount_range,
)


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("review status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review status", "Under review")
    APPROVED = "approved", pgettext_lazy("review status", "Published")
    REJECTED = "rejected", pgettext_lazy("review status", "Returned")
    CLOSED = "closed", pgettext_lazy("review status", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("review status", "Withdrawn")


# The one place that says which status changes exist (see services.catalog.transition).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}),
    # An owner's edit of a published record sends it back for review.
    Status.APPROVED: frozenset({Status.SUBMITTED, Status.CLOSED, Status.WITHDRAWN}),
    Status.REJECTED: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.CLOSED: frozenset({Status.WITHDRAWN}),
    Status.WITHDRAWN: frozenset(),
}
EDITABLE = frozenset({Status.DRAFT, Status.REJECTED, Status.APPROVED})


class Deployment(models.TextChoices):
    ON_PREMISE = "on_premise", _("On-premise (private deployment)")
    CLOUD = "cloud", _("Public cloud")
    HYBRID = "hybrid", _("Hybrid cloud")
    EDGE = "edge", _("Edge / on-device")


class DataReadiness(models.TextChoices):
    READY = "ready", _("Data ready")
    PARTIAL = "partial", _("Partly available")
    NONE = "none", _("No data yet")


class Maturity(models.TextChoices):
    POC = "poc", _("Proof of concept")
    PILOT = "pilot", _("Pilot")
    PRODUCT = "product", _("Mature product")


class Confidentiality(models.TextChoices):
    SUMMARY = "summary", _("Public summary only")
    MEMBERS = "members", _("Full description for signed-in members")


class CatalogQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.APPROVED)

    def visible_to(self, user):
        """Records the user may open: published ones, their organization's, all for staff."""
        if user.is_authenticated and user.is_staff:
            return self
        if not user.is_authenticated:
            return self.published()
        return self.filter(Q(status=Status.APPROVED) | Q(organization_id__in=member_org_ids(user)))


class CatalogEntry(models.Model):
    """What needs and solutions have in common: text, contact, workflow, provenance."""

    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(
        _("public summary"),
        max_length=600,
        blank=True,
        help_text=_("Shown to everyone in the public catalog; no confidential details."),
    )
    description = models.TextField(_("full description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=32, blank=True, validators=[validate_phone]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    share_attachments = models.BooleanField(
        _("attachments visible in the catalog"),
        default=False,
        help_text=_(
            "Otherwise attachments are seen only by your organization and the programme office."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    review_note = models.TextField(
        _("reviewer's feedback"),
        blank=True,
        help_text=_("The reason when a submission is returned."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    source_key = models.CharField(
        _("import key"), max_length=100, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    # The (lower, upper) amount fields of the record's money range.
    money_fields: tuple[str, str] = ("", "")

    def clean(self) -> None:
        low_name, high_name = self.money_fields
        check_amount_range(
            low_name=low_name,
            low=getattr(self, low_name),
            high_name=high_name,
            high=getattr(self, high_name),
        )

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class Need(CatalogEntry):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="needs",
        verbose_name=_("enterprise"),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("industry"),
    )
    capabilities = models.ManyToManyField(
        Capability,
        verbose_name=_("AI capabilities needed"),
        blank=True,
        related_name="needs",
    )
    # "Not sure" is an answer: matching then infers the capabilities from the text
    # (engine.suggest); what the author ticked stays a hint for the office, whose
    # setting of the capabilities in the review clears the flag.
    capabilities_unsure = models.BooleanField(
        _("not sure which AI capability"),
        default=False,
        help_text=_(
            "Describe the problem in your own words: the platform suggests capabilities "
            "from it and the programme office confirms them."
        ),
    )
    # What the platform suggested from the text when the need was last saved or
    # imported: [{"code", "confidence", "words"}], best first.
    suggested_capabilities = models.JSONField(
        _("suggested capabilities"), default=list, blank=True, editable=False
    )
    deployment = models.CharField(
        _("deployment requirement"),
        max_length=12,
        choices=Deployment.choices,
        blank=True,
        help_text=_("Leave empty if any deployment is acceptable."),
    )
    data_readiness = models.CharField(
        _("data readiness"), max_length=10, choices=DataReadiness.choices, blank=True
    )
    budget_min = models.PositiveIntegerField(_("budget from (10k CNY)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget up to (10k CNY)"), null=True, blank=True)
    deadline = models.DateField(_("wanted by"), null=True, blank=True)
    requires_filing = models.BooleanField(
        _("requires a filed generative AI service"),
        default=False,
        help_text=_(
            "Only solutions whose filing (备案) is verified against the published lists are matched."
        ),
    )
    region = models.CharField(_("region"), max_length=60, blank=True)
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.MEMBERS,
    )

    money_fields = ("budget_min", "budget_max")

    class Meta(CatalogEntry.Meta):
        verbose_name = _("scenario need")
        verbose_name_plural = _("scenario needs")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="need_budget_min_le_max",
                violation_error_code=AMOUNT_RANGE,
                violation_error_message=AMOUNT_RANGE_CONSTRAINT_MESSAGE,
            )
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="need_status_pub_idx"),
            # The search index's state (its latest change) is read on every search.
            models.Index(fields=["updated_at"], name="need_updated_idx"),
        ]


class Solution(CatalogEntry):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="solutions",
        verbose_name=_("provider"),
    )
    industries = models.ManyToManyField(
        Industry,
        verbose_name=_("target industries"),
        blank=True,
        related_name="solutions",
    )
    capabilities = models.ManyToManyField(
        Capability,
        verbose_name=_("AI capabilities offered"),
        blank=True,
        related_name="solutions",
    )
    # Four flags rather than a list: filtering "offers on-premise" stays a plain,
    # indexable query on PostgreSQL and SQLite alike.
    deploy_on_premise = models.BooleanField(_("on-premise"), default=False)
    deploy_cloud = models.BooleanField(_("public cloud"), default=False)
    deploy_hybrid = models.BooleanField(_("hybrid cloud"), default=False)
    deploy_edge = models.BooleanField(_("edge / on-device"), default=False)
    base_model = models.CharField(_("base model"), max_length=100, blank=True)
    filing_number = models.CharField(
        _("generative AI service filing number"),
        max_length=80,
        blank=True,
        help_text=_("生成式人工智能服务备案号, if the service is filed; shown as a badge."),
    )
    # Set by services.filings whenever the lists or the solution change; never by hand.
    filing_status = models.CharField(
        _("filing check"), max_length=12, choices=FilingStatus.choices, blank=True, editable=False
    )
    filing_verified_on = models.DateField(
        _("filing verified on"), null=True, blank=True, editable=False
    )
    filed_service_name = models.CharField(
        _("filed service name"), max_length=200, blank=True, editable=False
    )
    filed_organization = models.CharField(_("filed by"), max_length=200, blank=True, editable=False)
    maturity = models.CharField(_("maturity"), max_length=10, choices=Maturity.choices, blank=True)
    price_min = models.PositiveIntegerField(_("price from (10k CNY)"), null=True, blank=True)
    price_max = models.PositiveIntegerField(_("price up to (10k CNY)"), null=True, blank=True)
    cases = models.TextField(_("reference cases"), blank=True)

    money_fields = ("price_min", "price_max")

    class Meta(CatalogEntry.Meta):
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(price_min__isnull=True)
                | Q(price_max__isnull=True)
                | Q(price_min__lte=models.F("price_max")),
                name="solution_price_min_le_max",
                violation_error_code=AMOUNT_RANGE,
                violation_error_message=AMOUNT_RANGE_CONSTRAINT_MESSAGE,
            )
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="solution_status_pub_idx"),
            models.Index(fields=["updated_at"], name="solution_updated_idx"),
        ]

    DEPLOYMENT_FIELDS = {
        Deployment.ON_PREMISE: "deploy_on_premise",
        Deployment.CLOUD: "deploy_cloud",
        Deployment.HYBRID: "deploy_hybrid",
        Deployment.EDGE: "deploy_edge",
    }

    @property
    def deployment_modes(self) -> list[str]:
        return [str(mode) for mode, field in self.DEPLOYMENT_FIELDS.items() if getattr(self, field)]

    @deployment_modes.setter
    def deployment_modes(self, modes) -> None:
        wanted = set(modes or ())
        for mode, field in self.DEPLOYMENT_FIELDS.items():
            setattr(self, field, mode in wanted)

    def get_deployment_modes_display(self) -> list[str]:
        labels = dict(Deployment.choices)
        return [str(labels[mode]) for mode in self.deployment_modes]

    @property
    def is_filed(self) -> bool:
        return bool(self.filing_number)

    @property
    def filing_verified(self) -> bool:
        return self.filing_status == FilingStatus.VERIFIED


def _attachment_path(instance: Attachment, filename: str) -> str:
    # A random name on disk: the user's name is kept only as metadata, so it can
    # never traverse directories or collide. The extension is the one of the type the
    # content was found to be (core/validators.py), never the uploader's: a PDF sent
    # as "page.html" must not lie on disk as HTML for a web server to serve as such.
    extension = ALLOWED_ATTACHMENT_TYPES.get(instance.content_type, ".bin")
    return f"attachments/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    need = models.ForeignKey(
        Need,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("need"),
    )
    solution = models.ForeignKey(
        Solution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("solution"),
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(need__isnull=False, solution__isnull=True)
                | Q(need__isnull=True, solution__isnull=False),
                name="attachment_belongs_to_one_record",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def record(self) -> Need | Solution:
        return self.need if self.need_id else self.solution


class StatusChange(models.Model):
    """Who changed a record's status, when, and why (the review history)."""

    need = models.ForeignKey(
        Need,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_changes",
        verbose_name=_("need"),
    )
    solution = models.ForeignKey(
        Solution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_changes",
        verbose_name=_("solution"),
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"
