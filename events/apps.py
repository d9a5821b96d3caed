from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Docking events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # `tasks`: registers the tasks in every process (the outbox relay looks them up
        # by name); `signals`: this app's receivers of matchmaking's signals.
        from events import signals, tasks  # noqa: F401, PLC0415
        from matchmaking.signals import (  # noqa: PLC0415
            demo_catalog_ready,
            introduction_accepted,
            introduction_withdrawn,
            outcomes_requested,
        )

        # Accepted introductions become meeting requests at the events both sides attend.
        introduction_accepted.connect(signals.meet_at_shared_events, dispatch_uid="events")
        introduction_withdrawn.connect(signals.cancel_introduction_requests, dispatch_uid="events")
        # Learned weights are graded by what came of the pairs' meetings.
        outcomes_requested.connect(signals.outcomes_of_pairs, dispatch_uid="events")
        # `seed_demo` continues with a planned, published season of events.
        demo_catalog_ready.connect(signals.seed_demo_events, dispatch_uid="events")
        # A membership that ends takes the person's calendar feeds of it along.
        from django.db.models.signals import post_delete  # noqa: PLC0415

        from core.models import Membership  # noqa: PLC0415

        post_delete.connect(signals.drop_calendar_feeds, sender=Membership, dispatch_uid="events")
