"""The transactional outbox: background work recorded in the database with its cause.

A state change that needs background work (match a newly approved need, send an email,
build a schedule) writes an OutboxMessage in the same transaction. After commit a relay
publishes it to Celery; a periodic sweep re-publishes what is due and not done, so a
Redis outage or a killed worker delays work but never loses it. The task claims the
message with a lease before acting, so a duplicate delivery has one business effect.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("job status", "Pending")
        PUBLISHED = "published", pgettext_lazy("job status", "Published")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        RETRYING = "retrying", pgettext_lazy("job status", "Waiting to retry")
        DONE = "done", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    task_name = models.CharField(_("task"), max_length=120)
    kwargs = models.JSONField(_("arguments"), default=dict)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=200, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    available_at = models.DateTimeField(_("available at"), default=timezone.now)
    publish_count = models.PositiveIntegerField(_("times published"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        db_table = "matchmaking_outboxmessage"
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk} ({self.get_status_display()})"


class OutgoingEmail(models.Model):
    """An email as sent (or to be sent): staff can see what went out and what failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("email status", "Queued")
        SENT = "sent", pgettext_lazy("email status", "Sent")
        FAILED = "failed", pgettext_lazy("email status", "Failed")

    to = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("user"),
    )
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    idempotency_key = models.CharField(
        max_length=200, unique=True, null=True, blank=True, verbose_name=_("idempotency key")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        db_table = "matchmaking_outgoingemail"
        verbose_name = _("email message")
        verbose_name_plural = _("email messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def audit_label(self) -> str:
        # The log outlives the address (PIPL erasure): name the email by kind and number.
        return f"{self.kind or 'email'} #{self.pk}"
