"""Build the 1:1 meeting schedule of one event and print what came of it.

    python manage.py schedule_meetings 12           # queue the job (a worker runs it)
    python manage.py schedule_meetings 12 --wait    # run the job here and print the report

The same job as the admin action “Build schedule”: meetings participants have already
seen stay in place where possible, and every request left out is listed with its reason.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from core.errors import DomainError
from events.models import Event
from events.selectors.schedules import describe_unscheduled
from events.services import schedule as services


class Command(BaseCommand):
    help = "Build an event's meeting schedule (queued, or here with --wait) and print the report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event_id", type=int, help="id of the event")
        parser.add_argument(
            "--wait", action="store_true", help="run the job in this process and print its report"
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=None,
            help="seconds the exact solver may take (default: EVENTS_SCHEDULER_TIME_LIMIT or 20)",
        )

    def handle(self, *args, **options) -> None:
        event = Event.objects.filter(pk=options["event_id"]).first()
        if event is None:
            raise CommandError(f"no event with id {options['event_id']}")
        if not options["wait"]:
            try:
                services.build_schedule(event, by=None)
            except DomainError as error:
                raise CommandError(str(error.message)) from error
            event.refresh_from_db()
            self.stdout.write(
                f"Event #{event.pk}: schedule job queued (schedule status: {event.schedule_status})"
            )
            return
        if event.status not in Event.SCHEDULABLE:
            raise CommandError(
                f"event #{event.pk} is {event.status}: a schedule can be built only while it is "
                "published, registration_closed or scheduled"
            )
        report = services.run_scheduler(event.pk, time_limit=options["time_limit"])
        self._print(event, report)

    def _print(self, event: Event, report: dict) -> None:
        if "skipped" in report:
            raise CommandError(f"event #{event.pk} was not scheduled: {report['skipped']}")
        self.stdout.write(
            f"Event #{event.pk} {event.title_zh} ({event.date}): "
            f"{report['scheduled']} of {report['requests']} accepted requests scheduled "
            f"in {report['slots']} slots × {report['tables']} tables"
        )
        self.stdout.write(
            f"  method {report['method']}, optimal {report['optimal']}, "
            f"upper bound {report['upper_bound']}, {report['seconds']} s"
        )
        self.stdout.write(
            f"  meetings kept {report['kept']}, moved {report['moved']}, "
            f"created {report['created']}, cancelled {report['cancelled']}, "
            f"removed {report['deleted']} (published meetings pinned: {report['pinned']})"
        )
        if report["unscheduled"]:
            self.stdout.write("  Not scheduled:")
            with translation.override("en"):
                for entry in report["unscheduled"]:
                    self.stdout.write(f"    {describe_unscheduled(entry)}")
