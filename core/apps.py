from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: people, organizations, the taxonomy, jobs, emails, audit."""

    name = "core"
    verbose_name = _("Accounts and platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Integer lookups that an out-of-range number cannot overflow (SQLite's driver).
        from core import lookups  # noqa: PLC0415

        lookups.register()

        from django.contrib.admin.models import LogEntry  # noqa: PLC0415
        from django.db.models.signals import post_save  # noqa: PLC0415

        from core.audit import record_admin_log_entry  # noqa: PLC0415

        post_save.connect(record_admin_log_entry, sender=LogEntry, dispatch_uid="aiplus-audit")

        # Credentials issued under a trust that ended stop working (core/services/credentials.py).
        from django.db.models.signals import post_delete  # noqa: PLC0415

        from core.models import Membership  # noqa: PLC0415
        from core.services import credentials  # noqa: PLC0415
        from core.signals import credentials_changed  # noqa: PLC0415

        credentials_changed.connect(credentials.on_credentials_changed, dispatch_uid="aiplus-creds")
        post_delete.connect(
            credentials.on_membership_deleted, sender=Membership, dispatch_uid="aiplus-membership"
        )
        # Register the tasks in every process (web too): the outbox relay looks them up
        # by name, and Celery's autodiscovery only runs when a worker starts.
        from core import tasks  # noqa: F401, PLC0415
