from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate  # noqa: PLC0415

        from config.periodic import sync_periodic_tasks  # noqa: PLC0415

        post_migrate.connect(sync_periodic_tasks, sender=self, dispatch_uid="aiplus-periodic")

        from core.signals import erasing_personal_data, personal_data_requested  # noqa: PLC0415
        from matchmaking import signals  # noqa: PLC0415

        personal_data_requested.connect(signals.export_personal_data, dispatch_uid="matchmaking")
        erasing_personal_data.connect(signals.erase_personal_data, dispatch_uid="matchmaking")

        # Register the tasks in every process (web too): the outbox relay looks them up
        # by name, and Celery's autodiscovery only runs when a worker starts.
        from matchmaking import tasks  # noqa: F401, PLC0415
        from matchmaking.services import catalog, matching  # noqa: PLC0415

        # Matching follows every change of a published record (approve, edit, withdraw).
        if matching.on_catalog_change not in catalog.after_publish:
            catalog.after_publish.append(matching.on_catalog_change)
            catalog.after_withdraw.append(matching.on_catalog_change)
