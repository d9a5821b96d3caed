"""The signals matchmaking sends, and its answers to signals it receives.

Other apps connect their receivers in their own `signals.py`, from their
`AppConfig.ready()`; each signal says who sends it, when, and with what (in the manner
of pretix's `pretix/base/signals.py`). All are sent inside the transaction of the change:
a receiver's writes commit or roll back with it, and work after commit is scheduled
with `transaction.on_commit` (or queued through core.outbox).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from core.services.privacy import iso
from matchmaking.models import Interest, Match, MatchFeedback, Need, Solution
from matchmaking.services import incremental

# --- sent ----------------------------------------------------------------------------

record_published = Signal()
"""A need or solution is in the public catalog with new content.

Sent by `matchmaking.services.catalog.transition` when staff approve a record, by
`published_record_changed` when staff edit a published record in admin, and by
`matchmaking.catalog_io` for every record a catalog import publishes (once per
record, inside the import's transaction). Bulk changes (an import, a bulk approval or
withdrawal) are sent inside `matchmaking.services.incremental.batch()`, which matches
the whole batch in one job. Arguments: `sender` is the record's class (Need or
Solution), `record` the record.
"""

record_withdrawn = Signal()
"""A published need or solution left the public catalog (withdrawn, closed or reopened).

Sent by `matchmaking.services.catalog.transition` when a record moves out of the
approved status. Arguments: `sender` is the record's class, `record` the record.
"""

introduction_accepted = Signal()
"""Both sides agreed to be introduced: each now sees the other's contact details.

Sent by `matchmaking.services.interests.respond` when the answering side accepts.
Arguments: `sender` is Interest, `interest` the accepted introduction (with its need
and solution loaded).
"""

introduction_withdrawn = Signal()
"""An accepted introduction was withdrawn by either side: contact details are hidden again.

Sent by `matchmaking.services.interests.withdraw`, only for introductions that had
been accepted. Arguments: `sender` is Interest, `interest` the introduction.
"""

demo_catalog_ready = Signal()
"""The demo catalog is published and matched: other apps add their part of the demo.

Sent by `matchmaking.services.demo.extend_demo` (`manage.py seed_demo`, `make run`)
after a fresh demo was loaded. Arguments: `sender` is None, `staff` the demo's staff
account. A receiver returns what it made for the demo (printed by seed_demo) or None.
"""

outcomes_requested = Signal()
"""Learning the weights needs to know what came of matched pairs beyond introductions.

Sent by `matchmaking.services.weights.fit_weights`. Arguments: `sender` is None,
`need_ids` the needs whose pairs are graded. A receiver returns a dict
{(need_id, solution_id): (signals, ratings)}, where signals name outcomes of
`engine.learning.GRADES` ("met", "nda", "pilot", "contract" …) and ratings are 1–5.
"""

# --- received ------------------------------------------------------------------------


def rematch_published_record(sender, *, record: Need | Solution, **kwargs) -> None:
    """record_published and record_withdrawn: bring the record's matches up to date."""
    incremental.on_catalog_change(record)


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
            # updated_at moves so that the search indexes re-read the scrubbed text
            # at once (they follow changes by it): erased words must not stay findable.
            model.objects.filter(pk=record.pk).update(
                **{f: getattr(record, f) for f in (*CONTACT_FIELDS, "description", "summary")},
                updated_at=timezone.now(),
            )
    for match in Match.objects.filter(terms__isnull=False).only("pk", "terms").iterator():
        terms = [t for t in match.terms if t.lower() not in identifiers and scrub(t) == t]
        if terms != match.terms:
            Match.objects.filter(pk=match.pk).update(terms=terms)
    MatchFeedback.objects.filter(by=user).update(reason="")


# The organization's names are part of its records' search documents.
SEARCHED_ORGANIZATION_FIELDS = frozenset({"name", "name_en"})


def touch_records_of_renamed_organization(sender, *, organization, fields, **kwargs) -> None:
    """core.signals.organization_changed: a renamed organization's records are re-read.

    The search indexes follow records by their `updated_at`; moving it makes them read
    the new name at the next search, as for an edit of the record itself.
    """
    if SEARCHED_ORGANIZATION_FIELDS.isdisjoint(fields):
        return
    for model in (Need, Solution):
        model.objects.filter(organization=organization).update(updated_at=timezone.now())
