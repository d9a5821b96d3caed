"""Organizations (enterprises and AI providers) and the people who act for them."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models.taxonomy import Industry
from core.validators import validate_uscc


class Organization(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise (demand side)")
        PROVIDER = "provider", _("AI solution provider")
        BOTH = "both", _("Both enterprise and provider")

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("The 18-character code on the business licence."),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("industry"),
        null=True,
        blank=True,
    )
    district = models.CharField(_("district"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Ticked by the programme office after checking the business licence."),
    )
    source_key = models.CharField(
        _("import key"), max_length=100, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "matchmaking_organization"
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.kind in (self.Kind.ENTERPRISE, self.Kind.BOTH)

    @property
    def is_provider(self) -> bool:
        return self.kind in (self.Kind.PROVIDER, self.Kind.BOTH)

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language  # noqa: PLC0415

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Awaiting the owner's approval")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        db_table = "matchmaking_membership"
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER and self.status == self.Status.ACTIVE


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An owner's invitation of a colleague, by email; the link lets them sign up and join."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organization"),
    )
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(
        max_length=64,
        unique=True,
        default=_invitation_token,
        editable=False,
        verbose_name=_("token"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        db_table = "matchmaking_invitation"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_expired(self) -> bool:
        age = (timezone.now() - self.created_at).total_seconds()
        return age > settings.INVITATION_MAX_AGE

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and not self.is_expired
