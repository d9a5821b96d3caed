"""Personal data (PIPL): a person can take all of it with them, and have it erased.

Erasure keeps the programme's anonymous statistics (needs, solutions, meetings and
outcomes stay, attributed to an anonymous account) and removes the person's personal
fields everywhere they were copied: their account, contact fields they filled in,
match explanations, queued and sent emails, event attendee lists, the audit log.
Consent records stay, with their notice version, as the law asks.

This module handles what core holds; the other apps add their records through the
`personal_data_requested` and `erasing_personal_data` signals (core/signals.py).
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.models import AuditEntry, Consent, Invitation, Membership, OutgoingEmail, User
from core.signals import erasing_personal_data, personal_data_requested

REDACTED = "[已删除 / removed]"


def iso(value) -> str | None:
    """A date or time as ISO 8601 text for the exported document (None stays None)."""
    return value.isoformat() if value else None


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about one person, as a JSON-ready document."""
    data: dict[str, Any] = {
        "format": "aiplus-personal-data/1",
        "exported_at": iso(timezone.now()),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.language,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
            "email_verified_at": iso(user.email_verified_at),
        },
        "memberships": [
            {
                "organization": m.organization.name,
                "role": m.role,
                "status": m.status,
                "since": iso(m.created_at),
            }
            for m in Membership.objects.filter(user=user).select_related("organization")
        ],
        "consents": [
            {
                "notice_version": c.notice_version,
                "given_at": iso(c.given_at),
                "ip_address": c.ip_address,
            }
            for c in Consent.objects.filter(user=user)
        ],
        "emails_sent_to_you": [
            {"subject": e.subject, "kind": e.kind, "status": e.status, "sent_at": iso(e.sent_at)}
            for e in OutgoingEmail.objects.filter(Q(user=user) | Q(to__iexact=user.email))
        ],
        "staff_actions": [
            {"at": iso(a.at), "action": a.action, "record": a.object_label}
            for a in AuditEntry.objects.filter(actor=user)
        ],
    }
    for _receiver, sections in personal_data_requested.send(sender=User, user=user):
        data.update(sections)
    return data


def _scrubber(user: User):
    """A function that removes the person's identifiers from a piece of text."""
    needles = [
        value for value in (user.full_name, user.email, user.phone) if value and len(value) >= 2
    ]
    if not needles:
        return lambda text: text
    pattern = re.compile(
        "|".join(re.escape(value) for value in sorted(needles, key=len, reverse=True)),
        re.IGNORECASE,
    )
    return lambda text: pattern.sub(REDACTED, text) if text else text


@transaction.atomic
def erase_account(user: User) -> None:
    """Delete a person's account: anonymise it and remove their personal data everywhere."""
    user = User.objects.select_for_update().get(pk=user.pk)
    audit.record(user, "account.erased", user)
    # The other apps first, while the account still carries the identifiers to look for.
    erasing_personal_data.send(sender=User, user=user, scrub=_scrubber(user))
    emails = OutgoingEmail.objects.filter(Q(user=user) | Q(to__iexact=user.email))
    emails.filter(status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.FAILED, last_error="account deleted"
    )
    emails.update(
        to="deleted@invalid",
        subject=REDACTED,
        body_text=REDACTED,
        body_html="",
        attachments=[],
        user=None,
    )
    Invitation.objects.filter(email__iexact=user.email).delete()
    apps.get_model("authtoken", "Token").objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    AuditEntry.objects.filter(actor=user).update(actor_label=f"deleted user #{user.pk}")
    _scrub_audit_labels(user)
    user.email = f"deleted-{user.pk}@invalid"
    user.full_name = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    _drop_sessions(user)


def _scrub_audit_labels(user: User) -> None:
    """The log names records by their text (a membership names its member): scrub them."""
    scrub = _scrubber(user)
    needles = [value for value in (user.full_name, user.email) if value and len(value) >= 2]
    if not needles:
        return
    mentions = Q()
    for needle in needles:
        mentions |= Q(object_label__icontains=needle)
    for entry in AuditEntry.objects.filter(mentions).only("pk", "object_label"):
        AuditEntry.objects.filter(pk=entry.pk).update(object_label=scrub(entry.object_label))


def _drop_sessions(user: User) -> None:
    session_model = apps.get_model("sessions", "Session")
    for session in session_model.objects.all().iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
