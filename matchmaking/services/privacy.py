"""Personal data (PIPL): a person can take all of it with them, and have it erased.

Erasure keeps the programme's anonymous statistics (needs, solutions, meetings and
outcomes stay, attributed to an anonymous account) and removes the person's personal
fields everywhere they were copied: their account, contact fields they filled in,
match explanations, queued and sent emails, event attendee lists, the audit log.
Consent records stay, with their notice version, as the law asks.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matchmaking.models import (
    AuditEntry,
    Consent,
    Interest,
    Invitation,
    Match,
    MatchFeedback,
    Membership,
    Need,
    OutgoingEmail,
    Solution,
    User,
)

REDACTED = "[已删除 / removed]"
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _record(record: Need | Solution) -> dict[str, Any]:
    return {
        "id": record.pk,
        "title": record.title,
        "status": record.status,
        "organization": record.organization.name,
        "contact": {
            field.removeprefix("contact_"): getattr(record, field) for field in CONTACT_FIELDS
        },
        "created_at": _iso(record.created_at),
    }


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about one person, as a JSON-ready document."""
    data: dict[str, Any] = {
        "format": "aiplus-personal-data/1",
        "exported_at": _iso(timezone.now()),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_verified_at": _iso(user.email_verified_at),
        },
        "memberships": [
            {
                "organization": m.organization.name,
                "role": m.role,
                "status": m.status,
                "since": _iso(m.created_at),
            }
            for m in Membership.objects.filter(user=user).select_related("organization")
        ],
        "consents": [
            {
                "notice_version": c.notice_version,
                "given_at": _iso(c.given_at),
                "ip_address": c.ip_address,
            }
            for c in Consent.objects.filter(user=user)
        ],
        "needs_created": [
            _record(n) for n in Need.objects.filter(created_by=user).select_related("organization")
        ],
        "solutions_created": [
            _record(s)
            for s in Solution.objects.filter(created_by=user).select_related("organization")
        ],
        "introductions": [
            {
                "need": i.need.title,
                "solution": i.solution.title,
                "status": i.status,
                "started_by_you": i.created_by_id == user.pk,
                "created_at": _iso(i.created_at),
            }
            for i in Interest.objects.filter(
                Q(created_by=user) | Q(responded_by=user)
            ).select_related("need", "solution")
        ],
        "not_interested_feedback": [
            {"need": f.need_id, "solution": f.solution_id, "side": f.side, "reason": f.reason}
            for f in MatchFeedback.objects.filter(by=user)
        ],
        "emails_sent_to_you": [
            {"subject": e.subject, "kind": e.kind, "status": e.status, "sent_at": _iso(e.sent_at)}
            for e in OutgoingEmail.objects.filter(Q(user=user) | Q(to__iexact=user.email))
        ],
        "staff_actions": [
            {"at": _iso(a.at), "action": a.action, "record": a.object_label}
            for a in AuditEntry.objects.filter(actor=user)
        ],
    }
    for hook in export_hooks:
        data.update(hook(user))
    return data


# Other apps add their part of a person's data (events: outcomes they submitted …).
export_hooks: list = []
erase_hooks: list = []


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
    scrub = _scrubber(user)
    identifiers = {v.lower() for v in (user.full_name, user.email, user.phone) if v}

    for model in (Need, Solution):
        for record in model.objects.filter(
            Q(created_by=user)
            | Q(contact_email__iexact=user.email)
            | (Q(contact_phone=user.phone) if user.phone else Q(pk__in=[]))
        ):
            for field in CONTACT_FIELDS:
                if getattr(record, field) and getattr(record, field).lower() in identifiers:
                    setattr(record, field, "")
            record.description = scrub(record.description)
            record.summary = scrub(record.summary)
            model.objects.filter(pk=record.pk).update(
                **{f: getattr(record, f) for f in (*CONTACT_FIELDS, "description", "summary")}
            )
    for match in Match.objects.filter(terms__isnull=False).only("pk", "terms").iterator():
        terms = [t for t in match.terms if t.lower() not in identifiers and scrub(t) == t]
        if terms != match.terms:
            Match.objects.filter(pk=match.pk).update(terms=terms)
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
    MatchFeedback.objects.filter(by=user).update(reason="")
    AuditEntry.objects.filter(actor=user).update(actor_label=f"deleted user #{user.pk}")
    for hook in erase_hooks:
        hook(user, scrub)
    user.email = f"deleted-{user.pk}@invalid"
    user.full_name = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    _drop_sessions(user)


def _drop_sessions(user: User) -> None:
    session_model = apps.get_model("sessions", "Session")
    for session in session_model.objects.all().iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
