"""Composing emails: rendered in the recipient's language, stored, sent through the outbox."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils import translation

from core.models import OutgoingEmail, User
from core.outbox import enqueue
from core.tasks import send_email


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str
    # Set for an image the HTML body shows as <img src="cid:…">: it travels inline, in a
    # multipart/related part beside the HTML (core.services.mail), since many mail
    # programs block data: URIs and remote images.
    content_id: str = ""

    def as_json(self) -> dict[str, str]:
        item = {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }
        if self.content_id:
            item["content_id"] = self.content_id
        return item


def _plain_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping: a subject or a text body
    is no HTML, and “R&D” must arrive as “R&D”, not “R&amp;D”. (The HTML body is
    rendered with escaping, as any page.)"""
    template = engines["django"].engine.get_template(name)
    return template.render(Context(context, autoescape=False))


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    user: User | None = None,
    language: str | None = None,
    attachments: list[Attachment] | None = None,
    key: str | None = None,
) -> OutgoingEmail:
    """Render `emails/<template>.{txt,html}` and `_subject.txt`, store, and queue sending.

    Called inside the transaction that causes the email: if the transaction rolls
    back, no email goes out; if it commits, the outbox guarantees it is sent once.
    `key` makes queueing idempotent (the same invitation is never emailed twice).
    """
    if key is not None:
        existing = OutgoingEmail.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    language = language or (user.language if user else None) or settings.LANGUAGE_CODE
    ctx = {"site_url": settings.SITE_URL, "recipient": user, **(context or {})}
    with translation.override(language):
        subject = " ".join(_plain_text(f"emails/{template}_subject.txt", ctx).split())
        body_text = _plain_text(f"emails/{template}.txt", ctx)
        body_html = render_to_string(f"emails/{template}.html", ctx)
    email = OutgoingEmail.objects.create(
        to=to,
        user=user,
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}"[:250],
        body_text=body_text,
        body_html=body_html,
        attachments=[a.as_json() for a in attachments or []],
        kind=template,
        idempotency_key=key,
    )
    enqueue(send_email, kwargs={"email_id": email.pk}, key=f"email:{email.pk}")
    return email
