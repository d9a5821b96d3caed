"""Writing needs and solutions: drafts, submission, review, withdrawal, attachments.

Every status change goes through `transition`, which checks the allowed-transitions
map in models.catalog, records who did it, and schedules its side effects after
commit (emails; matching once a record is published).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from core.emails import queue_email
from core.errors import DomainError, InvalidTransitionError, NotAllowedError
from core.models import Membership, User
from core.services.bulk import BulkResult
from core.validators import validate_attachment
from matchmaking import signals
from matchmaking.models import Attachment, Need, Solution, Status, StatusChange
from matchmaking.services import filings, incremental, suggestions

CatalogRecord = Need | Solution
TITLE_MIN_LENGTH = 4
# A need's budget above this many 万元 (1 billion CNY) is a typo, not a pilot project.
BUDGET_LIMIT = 100_000


def _kind(record: CatalogRecord) -> str:
    return "need" if isinstance(record, Need) else "solution"


def _require_member(user: User, record: CatalogRecord) -> None:
    if not rules.has_perm("matchmaking.edit_record", user, record):
        raise NotAllowedError(_("Only members of the organization can change this record."))


def submission_errors(kind: str, values: dict[str, Any]) -> dict[str, list[str]]:
    """What a need or solution lacks before it can be submitted for review.

    A draft may be incomplete; a submission may not. `values` holds the field values,
    with lists for many-to-many fields, so that forms can check before saving.
    """
    errors: dict[str, list[str]] = {}

    def missing(field: str, message) -> None:
        errors.setdefault(field, []).append(str(message))

    def text(name: str) -> str:
        return str(values.get(name) or "").strip()

    if len(text("title")) < TITLE_MIN_LENGTH:
        missing("title", _("Give a title of at least %(n)d characters.") % {"n": TITLE_MIN_LENGTH})
    if not text("summary"):
        missing("summary", _("A public summary is required for review."))
    if not text("description"):
        missing("description", _("A full description is required for review."))
    # A need may leave its capabilities open ("not sure"): matching infers them from
    # the text and the programme office sets them in the review.
    if kind == "solution" and not values.get("capabilities"):
        missing("capabilities", _("Choose at least one AI capability."))
    if kind == "need":
        if not values.get("industry"):
            missing("industry", _("Choose the industry of the scenario."))
        if not text("contact_name"):
            missing(
                "contact_name",
                _(
                    "Name a contact person; providers see them only after both sides agree to an introduction."
                ),
            )
        if not (text("contact_phone") or text("contact_email")):
            missing("contact_phone", _("Give a phone number or an email address for the contact."))
    else:
        if not values.get("industries"):
            missing("industries", _("Choose at least one target industry."))
        if not values.get("deployment_modes"):
            missing("deployment_modes", _("Choose at least one deployment mode."))
        if not text("maturity"):
            missing("maturity", _("Say how mature the solution is."))
    return errors


def date_and_budget_errors(kind: str, values: dict[str, Any]) -> dict[str, list[str]]:
    """A need's wanted-by date in the past or a budget beyond reason, refused when a
    member submits it (the page, the API). The staff's catalog import brings history
    and is not held to today's date."""
    errors: dict[str, list[str]] = {}
    if kind != "need":
        return errors
    deadline = values.get("deadline")
    if isinstance(deadline, date) and deadline < timezone.localdate():
        errors["deadline"] = [
            str(
                _("The wanted-by date %(date)s has passed: choose a later date or leave it empty.")
                % {"date": deadline.isoformat()}
            )
        ]
    for field in ("budget_min", "budget_max"):
        amount = values.get(field)
        if isinstance(amount, int) and amount > BUDGET_LIMIT:
            errors[field] = [
                str(
                    _(
                        "%(amount)s 万元 is more than %(limit)s 万元 (1 billion CNY): amounts "
                        "are in 万元 (10,000 CNY); check the number."
                    )
                    % {"amount": amount, "limit": BUDGET_LIMIT}
                )
            ]
    return errors


def completeness_errors(record: CatalogRecord) -> dict[str, list[str]]:
    """`submission_errors` for a saved record."""
    kind = _kind(record)
    values: dict[str, Any] = {
        name: getattr(record, name)
        for name in (
            "title",
            "summary",
            "description",
            "contact_name",
            "contact_phone",
            "contact_email",
        )
    }
    values["capabilities"] = list(record.capabilities.all())
    if kind == "need":
        values["industry"] = record.industry_id
    else:
        values["industries"] = list(record.industries.all())
        values["deployment_modes"] = record.deployment_modes
        values["maturity"] = record.maturity
    errors = submission_errors(kind, values)
    if kind == "need":
        dates = {"deadline": record.deadline}
        amounts = {"budget_min": record.budget_min, "budget_max": record.budget_max}
        for field, messages in date_and_budget_errors(kind, {**dates, **amounts}).items():
            errors.setdefault(field, []).extend(messages)
    return errors


@transaction.atomic
def transition(
    *, record: CatalogRecord, to: str, by: User | None, note: str = "", notify: bool = True
) -> CatalogRecord:
    """Move a record to status `to`, if the workflow allows it, and record who did it."""
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    if not locked.can_become(to):
        raise InvalidTransitionError(
            _("A record that is “%(current)s” cannot become “%(target)s”.")
            % {"current": locked.get_status_display(), "target": Status(to).label}
        )
    previous = locked.status
    now = timezone.now()
    updates: dict[str, Any] = {"status": to}
    if to == Status.SUBMITTED:
        updates["submitted_at"] = now
        updates["review_note"] = ""
    elif to == Status.APPROVED:
        updates["published_at"] = now
        updates["review_note"] = ""
    elif to == Status.REJECTED:
        updates["review_note"] = note
    type(record).objects.filter(pk=record.pk).update(**updates, updated_at=now)
    for field, value in updates.items():
        setattr(record, field, value)
    StatusChange.objects.create(
        **{_kind(record): record}, from_status=previous, to_status=to, by=by, note=note
    )
    audit.record(by, f"{_kind(record)}.{to}", record, previous=previous, note=note)
    if notify and to in (Status.APPROVED, Status.REJECTED):
        _notify_review_decision(record)
    if to == Status.APPROVED:
        signals.record_published.send(sender=type(record), record=record)
    elif previous == Status.APPROVED:
        signals.record_withdrawn.send(sender=type(record), record=record)
    return record


def published_record_changed(*, record: CatalogRecord) -> None:
    """Staff edited a published record in admin: its matches must be recomputed."""
    signals.record_published.send(sender=type(record), record=record)


def owners_of(record: CatalogRecord) -> list[User]:
    if record.created_by_id and record.created_by.is_active:
        return [record.created_by]
    return list(
        User.objects.filter(
            memberships__organization=record.organization_id,
            memberships__role=Membership.Role.OWNER,
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        )
    )


def _notify_review_decision(record: CatalogRecord) -> None:
    kind = _kind(record)
    path = reverse(f"my-{kind}-detail", args=[record.pk])
    for user in owners_of(record):
        queue_email(
            to=user.email,
            user=user,
            template="review_decision",
            context={
                "record": record,
                "kind": kind,
                "approved": record.status == Status.APPROVED,
                "reason": record.review_note,
                "link": settings.SITE_URL + path,
            },
            key=f"review:{kind}:{record.pk}:{record.status}:{record.updated_at.isoformat()}:{user.pk}",
        )


def _enter_review(record: CatalogRecord, *, by: User, note: str = "") -> CatalogRecord:
    """Submit a record for review: the one place that checks it is complete."""
    errors = completeness_errors(record)
    if errors:
        raise ValidationError(errors)
    return transition(record=record, to=Status.SUBMITTED, by=by, note=note)


@transaction.atomic
def save_record(
    *,
    by: User,
    record: CatalogRecord,
    fields: dict[str, Any],
    m2m: dict[str, Iterable] | None = None,
    submit: bool = False,
) -> CatalogRecord:
    """Create or edit a need or solution as a draft, and optionally submit it for review.

    Editing a published record sends it back for review, so the catalog only ever
    shows reviewed text. Whatever enters review must be complete (`_enter_review`):
    the page's “submit”, the API's `/submit` and an edit of a published record run
    the same check, and an incomplete record is refused with its field errors, the
    edit rolled back with it.
    """
    if record.pk is not None:
        _require_member(by, record)
        if not record.is_editable:
            raise DomainError(_("This record can no longer be edited."))
    elif not rules.has_perm("core.act_for_organization", by, record.organization):
        raise NotAllowedError(_("You can only post for your own organization."))
    created = record.pk is None
    was_published = not created and record.status == Status.APPROVED
    stored = None if created else type(record).objects.get(pk=record.pk)
    for name, value in fields.items():
        setattr(record, name, value)
    if created:
        record.created_by = by
    if isinstance(record, Need):
        record.suggested_capabilities = suggestions.stored(
            suggestions.suggest(record.title, record.summary, record.description)
        )
    record.full_clean(exclude=["organization", "created_by", "status"])
    record.save()
    changed = {name for name in fields if stored and getattr(stored, name) != getattr(record, name)}
    for name, values in (m2m or {}).items():
        related = getattr(record, name)
        before = set() if created else set(related.values_list("pk", flat=True))
        related.set(values)
        if before != {getattr(value, "pk", value) for value in values}:
            changed.add(name)
    kind = _kind(record)
    if isinstance(record, Solution) and (created or "filing_number" in changed):
        filings.check_filings([record])
    if created:
        audit.record(by, f"{kind}.created", record)
    else:
        audit.record(by, f"{kind}.changed", record, fields=sorted(changed))
    if was_published:
        _enter_review(record, by=by, note=str(_("Edited after publication")))
    elif submit and record.status in (Status.DRAFT, Status.REJECTED):
        _enter_review(record, by=by)
    return record


@transaction.atomic
def submit_for_review(*, by: User, record: CatalogRecord) -> CatalogRecord:
    """Submit a complete draft (or a returned record) to the programme office."""
    _require_member(by, record)
    return _enter_review(record, by=by)


def _under_review(records: Iterable[CatalogRecord]) -> tuple[list[CatalogRecord], int]:
    """The selected records that are under review, and how many others were selected.

    Counted once, from the selection itself: recounting a queryset after the change
    counted the records the change had just moved (an admin list filtered on “under
    review” then reported “-1 records were not under review”).
    """
    selected = list(records)
    submitted = [record for record in selected if record.status == Status.SUBMITTED]
    return submitted, len(selected) - len(submitted)


@transaction.atomic
def approve_records(*, by: User, records: Iterable[CatalogRecord]) -> BulkResult:
    """Publish the selected records that are under review (staff); skip the others."""
    if not by.is_staff:
        raise NotAllowedError
    submitted, skipped = _under_review(records)
    with incremental.batch():  # matched together, by one job
        for record in submitted:
            transition(record=record, to=Status.APPROVED, by=by)
    return BulkResult(done=len(submitted), skipped=skipped)


@transaction.atomic
def return_records(*, by: User, records: Iterable[CatalogRecord], reason: str) -> BulkResult:
    """Return the selected records under review to their authors with a reason (staff)."""
    if not by.is_staff:
        raise NotAllowedError
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason, so the submitter can fix it.")]})
    submitted, skipped = _under_review(records)
    for record in submitted:
        transition(record=record, to=Status.REJECTED, by=by, note=reason.strip())
    return BulkResult(done=len(submitted), skipped=skipped)


def return_reason_text(*, record: CatalogRecord, reasons: Iterable, text: str = "") -> str:
    """The reason a record goes back with: the chosen templates in the language its
    submitter reads (the email and their page show it), then the reviewer's own words."""
    recipients = owners_of(record)
    language = recipients[0].language if recipients else settings.LANGUAGE_CODE
    parts = [reason.text_in(language) for reason in reasons]
    if text.strip():
        parts.append(text.strip())
    return "\n".join(parts)


@transaction.atomic
def withdraw_records(*, by: User, records: Iterable[CatalogRecord]) -> BulkResult:
    """Take the selected records out of the programme (staff); skip those already out.

    The published ones leave the matches together: one matching job for them all.
    """
    if not by.is_staff:
        raise NotAllowedError
    selected = list(records)
    movable = [record for record in selected if record.can_become(Status.WITHDRAWN)]
    with incremental.batch():
        for record in movable:
            transition(record=record, to=Status.WITHDRAWN, by=by, notify=False)
    return BulkResult(done=len(movable), skipped=len(selected) - len(movable))


def close_expired_needs(*, today: date | None = None) -> int:
    """Close the published needs whose wanted-by date has passed, and tell each owner.

    The nightly job (matchmaking.close_expired_needs) calls this; each closing is a
    status change by the system, written to the review history and the audit log, and
    the owner learns by email why the need left the catalog and how to post it again.
    """
    today = today or timezone.localdate()
    expired = Need.objects.filter(status=Status.APPROVED, deadline__lt=today).order_by("pk")
    closed = 0
    for need in expired:
        with transaction.atomic():
            try:
                transition(
                    record=need,
                    to=Status.CLOSED,
                    by=None,
                    note=str(_("Wanted-by date %(date)s passed") % {"date": need.deadline}),
                )
            except InvalidTransitionError:
                continue  # changed meanwhile (withdrawn, edited back into review)
            path = reverse("my-need-detail", args=[need.pk])
            for user in owners_of(need):
                queue_email(
                    to=user.email,
                    user=user,
                    template="need_expired",
                    context={"record": need, "link": settings.SITE_URL + path},
                    key=f"need-expired:{need.pk}:{need.deadline}:{user.pk}",
                )
        closed += 1
    return closed


def withdraw_record(*, by: User, record: CatalogRecord) -> CatalogRecord:
    """Take a record out of the programme; it is kept for the statistics."""
    _require_member(by, record)
    return transition(record=record, to=Status.WITHDRAWN, by=by)


def close_record(*, by: User, record: CatalogRecord) -> CatalogRecord:
    """Close a published record (the need is met, the solution retired)."""
    _require_member(by, record)
    return transition(record=record, to=Status.CLOSED, by=by)


@transaction.atomic
def add_attachment(*, by: User, record: CatalogRecord, upload) -> Attachment:
    """Store an uploaded file after checking its size and its real content type."""
    _require_member(by, record)
    content_type, safe_name = validate_attachment(upload)
    attachment = Attachment.objects.create(
        **{_kind(record): record},
        file=upload,
        original_name=safe_name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    audit.record(by, f"{_kind(record)}.attachment_added", record, attachment=attachment.pk)
    return attachment


@transaction.atomic
def remove_attachment(*, by: User, attachment: Attachment) -> None:
    """Delete an attachment and its file."""
    record = attachment.record
    _require_member(by, record)
    audit.record(by, f"{_kind(record)}.attachment_removed", record, attachment=attachment.pk)
    attachment.file.delete(save=False)
    attachment.delete()
