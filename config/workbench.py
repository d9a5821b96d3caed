"""Reads of the staff workbench (待办): what waits for the programme office, oldest first.

The first page staff see (the admin index, config/admin_site.py). Each section counts
what waits and lists the oldest few, each with the link that does the next step: a
submission's review page, an event's page or check-in, a failed job's list. The
queries are a fixed number whatever the data (two per section: a count and a page),
which tests/test_workbench.py checks.

A section appears only to staff who may see its records (Django's view permission),
so a helper with rights to events alone sees the events' work alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import OutboxMessage, OutgoingEmail
from events.models import Event, MeetingRequest
from matchmaking.models import Need, Solution, Status
from matchmaking.selectors import under_review

# How many of each kind the page lists; the count says how many there are in all.
SHOWN = 8
# A meeting request "about to expire" expires within this time.
EXPIRY_WARNING = timedelta(hours=48)
# An event whose schedule is not built yet needs it within this many days.
SCHEDULE_LEAD = timedelta(days=14)


@dataclass(frozen=True)
class Item:
    """One thing that waits: what it is, since when, and the link to act on it."""

    title: str
    detail: str
    url: str
    action: Promise | str
    since: datetime | None = None  # waiting since (its age is shown)
    due: datetime | date | None = None  # to be done by (the time left is shown)
    flag: Promise | str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""
    empty: Promise | str = ""


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _list_url(model, **filters: str) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{url}?{query}" if query else url


def _review_section(model: type[Need] | type[Solution], title: Promise) -> Section:
    queue = under_review(model)
    return Section(
        key=f"review-{model._meta.model_name}",
        title=title,
        count=queue.count(),
        items=[
            Item(
                title=record.title,
                detail=record.organization.name,
                since=record.submitted_at,
                url=_change_url(record),
                action=_("Review"),
                flag=_("Re-submitted after a return") if record.resubmitted else "",
            )
            for record in queue[:SHOWN]
        ],
        more_url=_list_url(model, status__exact=Status.SUBMITTED),
        empty=_("Nothing waits for review."),
    )


def _event_steps(today) -> Section:
    """Events that need the office's next step, soonest first."""
    soon = today + SCHEDULE_LEAD
    not_invited = Q(status=Event.Status.PUBLISHED, invitations_sent_at__isnull=True)
    no_schedule = Q(
        status__in=Event.SCHEDULABLE,
        date__lte=soon,
        schedule_status__in=[Event.ScheduleStatus.NONE, Event.ScheduleStatus.FAILED],
    )
    not_sent = Q(
        status__in=Event.SCHEDULABLE,
        schedule_status=Event.ScheduleStatus.BUILT,
        schedule_sent_at__isnull=True,
    )
    today_q = Q(date=today, status__in=Event.CHECK_IN_OPEN) & ~Q(status=Event.Status.FINISHED)
    events = Event.objects.filter(not_invited | no_schedule | not_sent | today_q).order_by(
        "date", "start_time", "pk"
    )
    items = []
    for event in events[:SHOWN]:
        if event.date == today and event.status in Event.CHECK_IN_OPEN:
            step, url = _("Today: open check-in"), reverse("event-check-in", args=[event.pk])
        elif event.status == Event.Status.PUBLISHED and event.invitations_sent_at is None:
            step, url = _("Send the invitations"), _change_url(event)
        elif event.schedule_status == Event.ScheduleStatus.BUILT:
            step, url = _("Send the schedule"), _change_url(event)
        elif event.schedule_status == Event.ScheduleStatus.FAILED:
            step, url = _("Build the schedule again (it failed)"), _change_url(event)
        else:
            step, url = _("Build the schedule"), _change_url(event)
        items.append(
            Item(
                title=event.title_zh,
                detail=event.get_status_display(),
                url=url,
                action=step,
                due=event.date,
            )
        )
    return Section(
        key="events",
        title=_("Events that need a step"),
        count=events.count(),
        items=items,
        more_url=_list_url(Event),
        empty=_("No event needs a step."),
    )


def _expiring_requests(now: datetime) -> Section:
    requests = (
        MeetingRequest.objects.filter(
            status=MeetingRequest.Status.REQUESTED,
            expires_at__isnull=False,
            expires_at__lte=now + EXPIRY_WARNING,
        )
        .select_related("event", "enterprise", "provider")
        .order_by("expires_at", "pk")
    )
    return Section(
        key="requests",
        title=_("Meeting requests about to expire"),
        count=requests.count(),
        items=[
            Item(
                title=f"{request.enterprise.name} ↔ {request.provider.name}",
                detail=request.event.title_zh,
                url=_change_url(request),
                action=_("Look"),
                due=request.expires_at,
            )
            for request in requests[:SHOWN]
        ],
        more_url=_list_url(MeetingRequest, status__exact=MeetingRequest.Status.REQUESTED),
        empty=_("No meeting request is about to expire."),
    )


def _failed_jobs() -> Section:
    jobs = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).order_by(
        "created_at", "pk"
    )
    return Section(
        key="jobs",
        title=_("Failed background jobs"),
        count=jobs.count(),
        items=[
            Item(
                title=job.task_name,
                detail=job.last_error.splitlines()[-1][:120] if job.last_error else "",
                since=job.created_at,
                url=_change_url(job),
                action=_("Look"),
            )
            for job in jobs[:SHOWN]
        ],
        more_url=_list_url(OutboxMessage, status__exact=OutboxMessage.Status.FAILED),
        empty=_("No job has failed."),
    )


def _undelivered_emails() -> Section:
    emails = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).order_by(
        "created_at", "pk"
    )
    return Section(
        key="emails",
        title=_("Undelivered emails"),
        count=emails.count(),
        items=[
            Item(
                title=email.subject,
                detail=email.to,
                since=email.created_at,
                url=_change_url(email),
                action=_("Look"),
            )
            for email in emails[:SHOWN]
        ],
        more_url=_list_url(OutgoingEmail, status__exact=OutgoingEmail.Status.FAILED),
        empty=_("Every email was delivered."),
    )


def workbench(user) -> list[Section]:
    """The sections this staff member may see, in the order the office works them."""
    now = timezone.now()
    sections = []
    if user.has_perm("matchmaking.view_need"):
        sections.append(_review_section(Need, _("Needs under review")))
    if user.has_perm("matchmaking.view_solution"):
        sections.append(_review_section(Solution, _("Solutions under review")))
    if user.has_perm("events.view_event"):
        sections.append(_event_steps(timezone.localdate(now)))
    if user.has_perm("events.view_meetingrequest"):
        sections.append(_expiring_requests(now))
    if user.has_perm("core.view_outboxmessage"):
        sections.append(_failed_jobs())
    if user.has_perm("core.view_outgoingemail"):
        sections.append(_undelivered_emails())
    return sections
