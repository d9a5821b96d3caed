"""Who comes to an event: registrations, their unavailable slots, calendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.enums import Side
from core.models import Organization
from core.transitions import StatusMachine
from events.models.events import Event


def new_token() -> str:
    return secrets.token_urlsafe(24)


# Check-in codes: 8 characters a person reads aloud or types without confusing them
# (no 0/O, no 1/I), shown as two groups of four ("K7M4-Q2XP"): 32⁸ ≈ 10¹² codes.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_check_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_check_in_code(text: str) -> str | None:
    """The code in what was typed or scanned ("k7m4 q2xp", "K7M4-Q2XP"), or None."""
    code = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code):
        return code
    return None


class Registration(StatusMachine, models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", pgettext_lazy("registration status", "Invited")
        REGISTERED = "registered", pgettext_lazy("registration status", "Registered")
        DECLINED = "declined", pgettext_lazy("registration status", "Declined")
        WAITLISTED = "waitlisted", pgettext_lazy("registration status", "On the waiting list")
        CHECKED_IN = "checked_in", pgettext_lazy("registration status", "Checked in")
        NO_SHOW = "no_show", pgettext_lazy("registration status", "No-show")

    TRANSITIONS = {
        Status.INVITED: frozenset({Status.REGISTERED, Status.DECLINED, Status.WAITLISTED}),
        Status.REGISTERED: frozenset({Status.DECLINED, Status.CHECKED_IN, Status.NO_SHOW}),
        Status.WAITLISTED: frozenset({Status.REGISTERED, Status.DECLINED}),
        Status.DECLINED: frozenset({Status.REGISTERED, Status.WAITLISTED}),
        # Staff may undo a check-in made by mistake at the door.
        Status.CHECKED_IN: frozenset({Status.NO_SHOW, Status.REGISTERED}),
        # A no-show marked by mistake is undone on the same day (events.services.undo).
        Status.NO_SHOW: frozenset({Status.CHECKED_IN, Status.REGISTERED}),
    }
    refusal_message = _("%(organization)s is “%(current)s” and cannot become “%(target)s”.")
    ATTENDING = (Status.REGISTERED, Status.CHECKED_IN)

    class Source(models.TextChoices):
        PLANNER = "planner", _("Season planner")
        STAFF = "staff", _("Programme office")
        SELF = "self", _("Self-registered")
        INTRODUCTION = "introduction", _("Accepted introduction")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("organization"),
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INVITED, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=14, choices=Source.choices, default=Source.STAFF
    )
    rsvp_token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False, verbose_name=_("RSVP token")
    )
    # Shown to the attending organization (event page, emails, .ics, printable
    # schedule) as text and QR code; the door scans or types it.
    check_in_code = models.CharField(
        _("check-in code"),
        max_length=CODE_LENGTH,
        unique=True,
        default=new_check_in_code,
        editable=False,
    )
    attendees = models.CharField(
        _("attendees"),
        max_length=200,
        blank=True,
        help_text=_("Names of the people who will come."),
    )
    meeting_limit = models.PositiveSmallIntegerField(
        _("meetings at most"),
        null=True,
        blank=True,
        help_text=_("Overrides the event's limit for this organization."),
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    no_show_at = models.DateTimeField(_("marked as a no-show at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "side", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organization"], name="registration_unique_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.event} ({self.get_status_display()})"

    @property
    def check_in_code_display(self) -> str:
        return f"{self.check_in_code[:4]}-{self.check_in_code[4:]}"

    @property
    def is_attending(self) -> bool:
        return self.status in self.ATTENDING

    def refusal_params(self) -> dict[str, object]:
        return {"organization": self.organization}


class Unavailability(models.Model):
    """A slot in which a registered organization cannot meet."""

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="unavailable_slots",
        verbose_name=_("registration"),
    )
    slot = models.PositiveSmallIntegerField(_("slot"))

    class Meta:
        verbose_name = _("unavailable slot")
        verbose_name_plural = _("unavailable slots")
        constraints = [
            models.UniqueConstraint(fields=["registration", "slot"], name="unavailability_unique"),
        ]

    def __str__(self) -> str:
        return _("Slot %(slot)d") % {"slot": self.slot + 1}


class CalendarFeed(models.Model):
    """A person's private .ics subscription URL for one of their organizations' schedules.

    Personal, not the organization's: it stops answering when the person's membership
    ends or the account is deactivated, and its owner can rotate it (a new token; the
    old URL stops working at once). The token is the only secret of the URL.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("organization"),
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False, verbose_name=_("token")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("rotated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="calendar_feed_unique"),
        ]

    def __str__(self) -> str:
        return f"feed of {self.user_id} @ {self.organization_id}"

    def get_absolute_url(self) -> str:
        return reverse("calendar-feed", args=[self.token])
