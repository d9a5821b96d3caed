from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the tasks in every process (web too): the outbox relay looks them up
        # by name, and Celery's autodiscovery only runs when a worker starts.
        from matchmaking import tasks  # noqa: F401, PLC0415
