"""People: the user account (email login) and privacy-notice consent (PIPL)."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.signals import credentials_changed


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        # Addresses are stored lower-case; people type them in any case.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    is_staff = models.BooleanField(
        _("staff"),
        default=False,
        help_text=_("Can sign in to the admin site (programme office staff)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        db_table = "matchmaking_user"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def save(self, *args, **kwargs) -> None:
        # What changes the trust placed in the account, told after the row is written:
        # a new password (`set_password` keeps it in `_password` until the save) or
        # a deactivation (core/signals.py credentials_changed).
        existing = self.pk is not None and not self._state.adding
        password_changed = existing and self._password is not None
        deactivated = (
            existing
            and not self.is_active
            and type(self).objects.filter(pk=self.pk, is_active=True).exists()
        )
        super().save(*args, **kwargs)
        if password_changed:
            credentials_changed.send(sender=type(self), user=self, reason="password_changed")
        if deactivated:
            credentials_changed.send(sender=type(self), user=self, reason="deactivated")

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def primary_membership(self):
        """The oldest active membership (cached on the instance with the others).

        Pages and the API act for `core.acting.acting_membership(request)`, which
        starts from this one unless the person chose another.
        """
        from core.acting import active_memberships  # noqa: PLC0415 — acting reads models

        memberships = active_memberships(self)
        return memberships[0] if memberships else None


class Consent(models.Model):
    """A user's consent to a version of the privacy notice, kept as evidence (PIPL art. 14)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("user"),
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        db_table = "matchmaking_consent"
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.notice_version} · {self.given_at:%Y-%m-%d}"
