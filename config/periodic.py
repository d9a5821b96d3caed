"""The platform's periodic jobs, kept in django-celery-beat so staff can see and edit them.

`sync_periodic_tasks` runs after every `migrate`: it creates missing entries and
leaves the schedules staff changed in admin alone (only the task name is enforced).

A job's name is its key in the database, so it stays as written here; the admin shows
it translated (`display_name`), the names being marked for translation below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    every_minutes: int | None = None
    crontab: str | None = None  # "minute hour day_of_week", Asia/Shanghai


PERIODIC_TASKS: tuple[Periodic, ...] = (
    Periodic(
        gettext_noop("Re-publish due background jobs (outbox sweep)"),
        "core.sweep_outbox",
        every_minutes=1,
    ),
    Periodic(
        gettext_noop("Nightly full re-match (refits the vocabulary)"),
        "matchmaking.nightly_full_matching",
        crontab="30 2 *",
    ),
    Periodic(
        gettext_noop("Catch up pending match updates (safety net)"),
        "matchmaking.match_pending",
        every_minutes=10,
    ),
    Periodic(
        gettext_noop("Digest of unread conversation messages (one email per person)"),
        "matchmaking.send_thread_digests",
        every_minutes=60,
    ),
    Periodic(
        gettext_noop("Remind, then expire, unanswered introductions"),
        "matchmaking.follow_up_interests",
        every_minutes=60,
    ),
    Periodic(
        gettext_noop("Expire unanswered meeting requests"),
        "events.expire_meeting_requests",
        every_minutes=60,
    ),
    Periodic(
        gettext_noop("Event reminders (24 hours and 1 hour before)"),
        "events.send_reminders",
        every_minutes=5,
    ),
    Periodic(
        gettext_noop("Feedback requests after events"),
        "events.send_feedback_requests",
        every_minutes=60,
    ),
    Periodic(gettext_noop("90-day outcome follow-ups"), "events.send_followups", crontab="0 10 *"),
    Periodic(
        gettext_noop("Close needs whose wanted-by date passed"),
        "matchmaking.close_expired_needs",
        crontab="10 0 *",
    ),
    Periodic(
        gettext_noop("Saved search digests (daily and weekly)"),
        "matchmaking.send_search_digests",
        every_minutes=60,
    ),
    Periodic(
        gettext_noop("Delete files kept for unfinished need and solution forms"),
        "matchmaking.purge_pending_uploads",
        crontab="40 3 *",
    ),
)


def display_name(name: str) -> str:
    """A periodic job's name in the reader's language (a job staff added: as written)."""
    return gettext(name) if name in _NAMES else name


_NAMES = frozenset(job.name for job in PERIODIC_TASKS)


def sync_periodic_tasks(**kwargs) -> None:
    """post_migrate handler: make sure every periodic job exists (idempotent)."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask  # noqa: PLC0415

    for job in PERIODIC_TASKS:
        if PeriodicTask.objects.filter(name=job.name).exists():
            PeriodicTask.objects.filter(name=job.name).update(task=job.task)
            continue
        schedule = {}
        if job.every_minutes:
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=job.every_minutes, period=IntervalSchedule.MINUTES
            )
        else:
            minute, hour, day_of_week = job.crontab.split()
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_week=day_of_week,
                day_of_month="*",
                month_of_year="*",
                timezone="Asia/Shanghai",
            )
        PeriodicTask.objects.create(name=job.name, task=job.task, enabled=True, **schedule)
