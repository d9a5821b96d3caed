"""Plan a season of docking events from the catalog and print the plan and its quality.

    python manage.py plan_events --name "2027 上半年" --start 2026-12-01 --end 2027-06-30 --target 6
    python manage.py plan_events --season 3

Runs the same job as the admin action, in this process; the events are written as
drafts for staff to review and publish in admin.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q

from core.enums import Side
from core.errors import DomainError
from events.models import Event, Season
from events.planning import format_quality
from events.selectors import plan_report
from events.services import season as services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Plan a season's docking events (draft) and print them with the plan's quality."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--season", type=int, help="id of an existing season")
        which.add_argument("--name", help="season name: created if it does not exist")
        parser.add_argument("--start", type=_date, help="first possible date (YYYY-MM-DD)")
        parser.add_argument("--end", type=_date, help="last possible date (YYYY-MM-DD)")
        parser.add_argument("--target", type=int, help="target number of events (default 50)")
        parser.add_argument("--weekly-cap", type=int, help="events per week at most (default 2)")

    def handle(self, *args, **options) -> None:
        season = self._season(options)
        Season.objects.filter(pk=season.pk).update(
            plan_status=Season.PlanStatus.PLANNING, plan_progress=0
        )
        try:
            plan = services.run_planner(season.pk)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        season.refresh_from_db()
        self.stdout.write(
            f"Season #{season.pk} {season.name}: {season.start} – {season.end}, "
            f"{len(plan.events)} draft events\n"
        )
        drafts = (
            season.events.filter(status=Event.Status.DRAFT)
            .select_related("venue")
            .annotate(
                need_count=Count("needs", distinct=True),
                enterprises=Count(
                    "registrations",
                    filter=Q(registrations__side=Side.ENTERPRISE),
                    distinct=True,
                ),
                providers=Count(
                    "registrations", filter=Q(registrations__side=Side.PROVIDER), distinct=True
                ),
            )
        )
        for event in drafts:
            venue = event.venue.name if event.venue else "-"
            self.stdout.write(
                f"  {event.date}  {venue:<12} {event.need_count:>3} needs "
                f"{event.enterprises:>3} ent {event.providers:>3} prov  {event.title_zh}"
            )
        self.stdout.write("\nQuality")
        self.stdout.write(format_quality(plan.quality))
        if season.plan_notes:
            self.stdout.write("\nNotes\n" + "\n".join(plan_report.plan_notes(season)))
        style = self.style.SUCCESS if plan.quality.meets_targets else self.style.WARNING
        self.stdout.write(
            style(
                "\nThe plan meets its quality targets."
                if plan.quality.meets_targets
                else "\nThe plan is below a quality target: see the notes."
            )
        )

    def _season(self, options) -> Season:
        updates = {
            key: options[option]
            for key, option in (
                ("start", "start"),
                ("end", "end"),
                ("target_events", "target"),
                ("weekly_cap", "weekly_cap"),
            )
            if options[option] is not None
        }
        if options["season"] is not None:
            season = Season.objects.filter(pk=options["season"]).first()
            if season is None:
                raise CommandError(f"no season with id {options['season']}")
        else:
            season = Season.objects.filter(name=options["name"]).order_by("pk").first()
            if season is None:
                if "start" not in updates or "end" not in updates:
                    raise CommandError("a new season needs --start and --end")
                return Season.objects.create(name=options["name"], **updates)
        for key, value in updates.items():
            setattr(season, key, value)
        if updates:
            season.save(update_fields=list(updates))
        return season
