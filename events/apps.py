from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Docking events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the tasks in every process (the outbox relay looks them up by name).
        from events import tasks  # noqa: F401, PLC0415
        from events.services import requests  # noqa: PLC0415
        from matchmaking.services import interests  # noqa: PLC0415

        # Accepted introductions become meeting requests at the events both sides attend.
        if requests.on_introduction_accepted not in interests.after_accept:
            interests.after_accept.append(requests.on_introduction_accepted)
        if requests.on_introduction_withdrawn not in interests.after_withdraw:
            interests.after_withdraw.append(requests.on_introduction_withdrawn)

        # `seed_demo` continues with a planned, published season of events.
        from events.services.demo import seed_events  # noqa: PLC0415
        from matchmaking.services import demo  # noqa: PLC0415

        if seed_events not in demo.demo_hooks:
            demo.demo_hooks.append(seed_events)
