"""Delivering the stored emails, and sending failed ones again.

`core.emails.queue_email` stores an email and queues its delivery; the `send_email`
task calls `deliver_email`, and `fail_email` when retrying cannot help. Staff send
failed emails again from the admin with `resend_emails`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.db import transaction
from django.utils import timezone

from core import audit, tasks
from core.errors import NotAllowedError
from core.models import OutgoingEmail, User
from core.outbox import enqueue
from core.services.bulk import BulkResult

# The address an erased account's emails keep: they are never sent again.
ERASED_ADDRESS = "deleted@invalid"


class _EmailWithInlineImages(EmailMultiAlternatives):
    """text/plain and text/html alternatives, the HTML one in multipart/related with the
    images it shows by Content-ID:

        multipart/mixed ── multipart/alternative ┬ text/plain
                        │                        └ multipart/related ┬ text/html
                        │                                            └ image/png (cid)
                        └ other attachments (schedule.ics)
    """

    def __init__(self, *args, inline_images=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)

    def _create_alternatives(self, msg):
        if not self.inline_images:
            return super()._create_alternatives(msg)
        encoding = self.encoding or settings.DEFAULT_CHARSET
        alternatives = SafeMIMEMultipart(_subtype=self.alternative_subtype, encoding=encoding)
        if self.body:
            alternatives.attach(msg)
        for alternative in self.alternatives:
            part = self._create_mime_attachment(alternative.content, alternative.mimetype)
            if alternative.mimetype == "text/html":
                part = self._with_images(part, encoding)
            alternatives.attach(part)
        return alternatives

    def _with_images(self, html, encoding):
        related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
        related.attach(html)
        for item in self.inline_images:
            image = self._create_mime_attachment(
                base64.b64decode(item["content_b64"]), item["mimetype"]
            )
            image.add_header("Content-ID", f"<{item['content_id']}>")
            image.add_header("Content-Disposition", "inline", filename=item["filename"])
            related.attach(image)
        return related


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    inline = [item for item in email.attachments if item.get("content_id")]
    message = _EmailWithInlineImages(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        inline_images=inline if email.body_html else (),
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments:
        if item.get("content_id") and email.body_html:
            continue  # travels beside the HTML that shows it
        message.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    return message


def deliver_email(*, email_id: int) -> str:
    """Send one queued email; a sent email is never sent again.

    Failed emails (and those of an erased account) wait for staff to queue them again.
    The SMTP conversation happens outside any transaction: the attempt is counted
    first, and an exception leaves its error on the email for the task to retry.
    """
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None or email.status != OutgoingEmail.Status.QUEUED:
        return "skipped"
    OutgoingEmail.objects.filter(pk=email_id).update(attempts=email.attempts + 1)
    try:
        _message(email).send(fail_silently=False)
    except Exception as exc:
        OutgoingEmail.objects.filter(pk=email_id).update(last_error=repr(exc)[:2000])
        raise
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email_id).update(
            status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        audit.record(None, "email.sent", email)
    return "sent"


@transaction.atomic
def fail_email(*, email_id: int, error: str) -> None:
    """Retrying cannot deliver this email: mark it failed, visibly, for staff to act on."""
    email = (
        OutgoingEmail.objects.select_for_update()
        .filter(pk=email_id)
        .exclude(status=OutgoingEmail.Status.SENT)
        .first()
    )
    if email is None:
        return
    email.status = OutgoingEmail.Status.FAILED
    email.last_error = error[:2000]
    email.save(update_fields=["status", "last_error"])
    audit.record(None, "email.failed", email, error=email.last_error[:200])


@transaction.atomic
def resend_emails(*, by: User, emails: Iterable[OutgoingEmail]) -> BulkResult:
    """Staff queue failed emails again; others (sent, queued, an erased account's) are skipped."""
    if not by.is_staff:
        raise NotAllowedError
    selected = {email.pk for email in emails}
    failed = list(
        OutgoingEmail.objects.select_for_update()
        .filter(pk__in=selected, status=OutgoingEmail.Status.FAILED)
        .exclude(to=ERASED_ADDRESS)
        .order_by("pk")
    )
    for email in failed:
        OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.QUEUED)
        enqueue(
            tasks.send_email,
            kwargs={"email_id": email.pk},
            key=f"email:{email.pk}:again:{email.attempts}",
        )
    audit.record_each(by, "email.resent", failed)
    return BulkResult(done=len(failed), skipped=len(selected) - len(failed))
