"""Admin actions of the other apps' admins (Celery beat's schedule, the login lock-outs).

Their actions change state through their own code, which knows nothing of our audit
log. Each is wrapped so that it runs in a transaction that also logs it, once per
selected record, as `admin.<action name>`; deleting is logged by admin itself.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from core import audit


def _audited(func, name: str):
    def action(modeladmin, request, queryset):
        # django-axes reads the time of the attempt being judged from the request, which
        # only its login handling sets: without it, its clean-up action fails with a 500.
        if not hasattr(request, "axes_attempt_time"):
            request.axes_attempt_time = timezone.now()
        with transaction.atomic():
            selected = list(queryset)
            response = func(modeladmin, request, queryset)
            audit.record_each(request.user, f"admin.{name}", selected)
        return response

    return action


class AuditedActionsMixin:
    """Log every action of this admin (delete aside: admin logs it) in the audit log."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: (func if name == "delete_selected" else _audited(func, name), name, description)
            for name, (func, _name, description) in actions.items()
        }


def audit_other_apps_actions(site: admin.AdminSite) -> None:
    """Re-register the admins of apps outside ours that declare actions, audited."""
    for model, model_admin in list(site._registry.items()):  # noqa: SLF001 — no public API
        if model._meta.app_label in settings.AUDITED_APPS or not model_admin.actions:
            continue
        audited = type(
            f"Audited{type(model_admin).__name__}", (AuditedActionsMixin, type(model_admin)), {}
        )
        site.unregister(model)
        site.register(model, audited)
