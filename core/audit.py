"""Recording staff actions in the audit log.

Two sources feed it: every change staff make through Django admin (add, change, delete
and admin actions, captured from admin's own LogEntry) and the services that staff
trigger (review decisions, event operations), which call `record` directly.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from core.models import AuditEntry


def record(actor, action: str, obj: models.Model | None = None, **details: Any) -> AuditEntry:
    """Write one audit entry; `details` must be JSON-serialisable."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor)[:200] if actor else "",
        action=action[:60],
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:250] if obj is not None else "",
        details=details,
    )


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
