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

        # `tasks`: registers the tasks in every process (web too), because the outbox
        # relay looks them up by name and Celery's autodiscovery only runs in a worker;
        # `signals`: this app's signals and its receivers.
        from core.signals import (  # noqa: PLC0415
            erasing_personal_data,
            organization_changed,
            personal_data_requested,
        )
        from matchmaking import signals, tasks  # noqa: F401, PLC0415

        # Matching follows every change of a published record (approve, edit, withdraw).
        signals.record_published.connect(
            signals.rematch_published_record, dispatch_uid="matchmaking-rematch-published"
        )
        signals.record_withdrawn.connect(
            signals.rematch_published_record, dispatch_uid="matchmaking-rematch-withdrawn"
        )
        # A person's records, introductions and feedback in their PIPL export and erasure.
        personal_data_requested.connect(signals.export_personal_data, dispatch_uid="matchmaking")
        erasing_personal_data.connect(signals.erase_personal_data, dispatch_uid="matchmaking")
        organization_changed.connect(
            signals.touch_records_of_renamed_organization, dispatch_uid="matchmaking"
        )
