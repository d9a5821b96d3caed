"""The audit log: who did what to which record, and when.

Every state change of a record leaves one entry, written by the service that made the
change, in the same transaction (pretalx's ActivityLog): when the change rolls back,
so does its entry. Three kinds of actor appear in it:

* staff — review decisions, admin actions, event operations; also every add, change
  and delete made in Django admin, mirrored from admin's own LogEntry;
* members — what people do for their organization: submit, withdraw, answer an
  introduction, manage their colleagues;
* the system (no actor) — scheduled jobs: an email sent or given up, a full re-match
  finished.

Actions are named `<record>.<what happened>` ("need.approved", "interest.accepted");
`details` says the rest (the previous status, the reason). Personal data stays out
of `details`: an entry names fields that changed, never their values.

Not logged: the machinery's own bookkeeping (outbox leases and retries by the relay,
the progress of a re-match, incremental match updates), which their own tables
record with times and errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models

from core.models import AuditEntry


def label_of(obj: models.Model) -> str:
    """How the log names a record: its own `audit_label` if it has one, else str()."""
    label = getattr(obj, "audit_label", None)
    return str(label if label is not None else obj)[:250]


def _entry(actor, action: str, obj: models.Model | None, details: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor)[:200] if actor else "",
        action=action[:60],
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=label_of(obj) if obj is not None else "",
        details=details,
    )


def record(actor, action: str, obj: models.Model | None = None, **details: Any) -> AuditEntry:
    """Write one audit entry; `details` must be JSON-serialisable."""
    entry = _entry(actor, action, obj, details)
    entry.save()
    return entry


def record_each(
    actor, action: str, objects: Iterable[models.Model], **details: Any
) -> list[AuditEntry]:
    """One entry per record, written at once: the bulk services' log."""
    return AuditEntry.objects.bulk_create([_entry(actor, action, obj, details) for obj in objects])


def record_admin_log_entry(sender, instance, created: bool, **kwargs) -> None:
    """post_save of django.contrib.admin.LogEntry: mirror staff edits of our records."""
    if not created or instance.content_type is None:
        return
    if instance.content_type.app_label not in settings.AUDITED_APPS:
        return
    flag = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}.get(instance.action_flag, "admin")
    AuditEntry.objects.create(
        actor_id=instance.user_id,
        actor_label=str(instance.user)[:200],
        action=flag,
        object_type=f"{instance.content_type.app_label}.{instance.content_type.model}",
        object_id=str(instance.object_id or ""),
        object_label=instance.object_repr[:250],
        details={"change": instance.get_change_message()} if instance.change_message else {},
    )
