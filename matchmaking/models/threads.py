"""Conversation threads (对话): one per introduction and one per meeting request.

A thread belongs to an enterprise and a provider; only their members and staff read
it, only their members write in it. The platform never writes into a thread, so the
contact details of either side are still revealed only by an accepted introduction.
A meeting request's thread is linked from events.MeetingRequest.thread (matchmaking
does not know about events); its subject is kept as text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Organization
from matchmaking.models.catalog import _attachment_path
from matchmaking.models.matching import Interest


class ThreadQuerySet(models.QuerySet):
    def involving(self, organization_ids):
        return self.filter(
            Q(enterprise_id__in=organization_ids) | Q(provider_id__in=organization_ids)
        )


class Thread(models.Model):
    interest = models.OneToOneField(
        Interest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread",
        verbose_name=_("introduction"),
    )
    enterprise = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise")
    )
    provider = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("provider")
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.interest_id:
            return f"{self.interest.need.title} ↔ {self.interest.solution.title}"
        return self.subject or f"{self.enterprise} ↔ {self.provider}"

    @property
    def organization_ids(self) -> tuple[int, int]:
        return (self.enterprise_id, self.provider_id)


class ThreadMessage(models.Model):
    """A message in a thread, written by a member for one of the two organizations."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("conversation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    body = models.TextField(_("message"), max_length=4000, blank=True)
    # An optional attachment, checked and stored as catalog attachments are
    # (core.validators.validate_attachment; random name, extension of the real type).
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=150, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body="") | ~Q(file=""),
                name="thread_message_not_empty",
                violation_error_message=_("Write a message or attach a file."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}: {self.body[:40]}"


class ThreadRead(models.Model):
    """Up to which message a person has read a thread."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="reads", verbose_name=_("thread")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    last_read_id = models.PositiveBigIntegerField(default=0, verbose_name=_("last read id"))

    class Meta:
        verbose_name = _("conversation read marker")
        verbose_name_plural = _("conversation read markers")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="thread_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to {self.last_read_id}"


class ThreadDigest(models.Model):
    """Up to which message a person's unread-messages digest has been sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="thread_digest",
        verbose_name=_("user"),
    )
    last_message_id = models.PositiveBigIntegerField(default=0, verbose_name=_("last message id"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("conversation digest")
        verbose_name_plural = _("conversation digests")

    def __str__(self) -> str:
        return f"{self.user_id} digested to {self.last_message_id}"
