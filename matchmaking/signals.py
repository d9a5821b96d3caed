"""How matchmaking answers other apps' signals.

Connected in `MatchmakingConfig.ready()`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from core.services.privacy import iso
from matchmaking.models import Interest, Match, MatchFeedback, Need, Solution

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def _record(record: Need | Solution) -> dict[str, Any]:
    return {
        "id": record.pk,
        "title": record.title,
        "status": record.status,
        "organization": record.organization.name,
        "contact": {
            field.removeprefix("contact_"): getattr(record, field) for field in CONTACT_FIELDS
        },
        "created_at": iso(record.created_at),
    }


def export_personal_data(sender, *, user, **kwargs) -> dict[str, Any]:
    """core.signals.personal_data_requested: the person's records, introductions, feedback."""
    return {
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
                "created_at": iso(i.created_at),
            }
            for i in Interest.objects.filter(
                Q(created_by=user) | Q(responded_by=user)
            ).select_related("need", "solution")
        ],
        "not_interested_feedback": [
            {"need": f.need_id, "solution": f.solution_id, "side": f.side, "reason": f.reason}
            for f in MatchFeedback.objects.filter(by=user)
        ],
    }


def erase_personal_data(sender, *, user, scrub, **kwargs) -> None:
    """core.signals.erasing_personal_data: contact fields, texts, match terms, feedback.

    The needs and solutions themselves stay (the programme's statistics), without the
    person's name, phone and email.
    """
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
    MatchFeedback.objects.filter(by=user).update(reason="")
