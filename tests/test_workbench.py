"""The staff workbench (待办) on the admin index: what waits, oldest first, one click from its action."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from config.workbench import SHOWN, workbench
from core.models import OutboxMessage, OutgoingEmail
from events.models import Event, MeetingRequest
from matchmaking.models import StatusChange
from tests.factories import (
    EventFactory,
    MeetingRequestFactory,
    NeedFactory,
    SolutionFactory,
    StaffFactory,
    UserFactory,
    in_days,
)

pytestmark = pytest.mark.django_db


def _ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def _submitted_need(title: str, *, days: int, returned_before: bool = False):
    need = NeedFactory(
        title=title, status="submitted", published_at=None, submitted_at=_ago(days=days)
    )
    if returned_before:
        StatusChange.objects.create(need=need, from_status="submitted", to_status="rejected")
    return need


def _section(sections, key: str):
    return next(section for section in sections if section.key == key)


def test_needs_under_review_are_listed_oldest_first_with_their_review_page():
    newer = _submitted_need("新需求", days=1)
    older = _submitted_need("旧需求", days=5)
    NeedFactory(title="已发布")

    section = _section(workbench(StaffFactory()), "review-need")

    assert section.count == 2
    assert [item.title for item in section.items] == ["旧需求", "新需求"]
    assert section.items[0].url == reverse("admin:matchmaking_need_change", args=[older.pk])
    assert section.items[1].url == reverse("admin:matchmaking_need_change", args=[newer.pk])


def test_a_resubmission_after_a_return_is_marked(english):
    _submitted_need("改过再交", days=2, returned_before=True)
    _submitted_need("第一次交", days=1)

    section = _section(workbench(StaffFactory()), "review-need")

    assert [(item.title, str(item.flag)) for item in section.items] == [
        ("改过再交", "Re-submitted after a return"),
        ("第一次交", ""),
    ]


def test_the_count_is_of_all_while_the_list_shows_the_oldest_few():
    for days in range(SHOWN + 2):
        SolutionFactory(status="submitted", published_at=None, submitted_at=_ago(days=days))

    section = _section(workbench(StaffFactory()), "review-solution")

    assert (section.count, len(section.items)) == (SHOWN + 2, SHOWN)
    assert section.more_url == reverse("admin:matchmaking_solution_changelist") + (
        "?status__exact=submitted"
    )


def test_events_are_listed_with_the_step_they_need(english):
    not_invited = EventFactory(title_zh="待邀请", date=in_days(40))
    unbuilt = EventFactory(
        title_zh="待编排",
        date=in_days(7),
        status=Event.Status.REGISTRATION_CLOSED,
        invitations_sent_at=timezone.now(),
    )
    unsent = EventFactory(
        title_zh="待发送",
        date=in_days(20),
        status=Event.Status.REGISTRATION_CLOSED,
        invitations_sent_at=timezone.now(),
        schedule_status=Event.ScheduleStatus.BUILT,
    )
    today = EventFactory(
        title_zh="今天",
        date=timezone.localdate(),
        status=Event.Status.SCHEDULED,
        invitations_sent_at=timezone.now(),
        schedule_status=Event.ScheduleStatus.BUILT,
        schedule_sent_at=timezone.now(),
    )
    EventFactory(title_zh="还早", date=in_days(60), invitations_sent_at=timezone.now())

    section = _section(workbench(StaffFactory()), "events")

    assert [(item.title, str(item.action), item.url) for item in section.items] == [
        ("今天", "Today: open check-in", reverse("event-check-in", args=[today.pk])),
        (
            "待编排",
            "Build the schedule",
            reverse("admin:events_event_change", args=[unbuilt.pk]),
        ),
        ("待发送", "Send the schedule", reverse("admin:events_event_change", args=[unsent.pk])),
        (
            "待邀请",
            "Send the invitations",
            reverse("admin:events_event_change", args=[not_invited.pk]),
        ),
    ]


def test_meeting_requests_expiring_within_two_days_are_listed():
    soon = MeetingRequestFactory(
        status=MeetingRequest.Status.REQUESTED, expires_at=timezone.now() + dt.timedelta(hours=20)
    )
    MeetingRequestFactory(
        status=MeetingRequest.Status.REQUESTED, expires_at=timezone.now() + dt.timedelta(days=5)
    )
    MeetingRequestFactory(expires_at=timezone.now() + dt.timedelta(hours=1))  # accepted

    section = _section(workbench(StaffFactory()), "requests")

    assert [item.url for item in section.items] == [
        reverse("admin:events_meetingrequest_change", args=[soon.pk])
    ]


def test_failed_jobs_and_undelivered_emails_are_listed_with_their_error():
    OutboxMessage.objects.create(
        task_name="matchmaking.match_need",
        status=OutboxMessage.Status.FAILED,
        last_error="Traceback …\nTimeoutError: broker",
    )
    OutboxMessage.objects.create(task_name="done", status=OutboxMessage.Status.DONE)
    OutgoingEmail.objects.create(
        to="a@example.com", subject="日程", body_text="…", status=OutgoingEmail.Status.FAILED
    )
    OutgoingEmail.objects.create(
        to="b@example.com", subject="已发", body_text="…", status=OutgoingEmail.Status.SENT
    )

    sections = workbench(StaffFactory())

    jobs, emails = _section(sections, "jobs"), _section(sections, "emails")
    assert [(item.title, item.detail) for item in jobs.items] == [
        ("matchmaking.match_need", "TimeoutError: broker")
    ]
    assert [(item.title, item.detail) for item in emails.items] == [("日程", "a@example.com")]


def test_staff_see_only_the_sections_they_may_see():
    helper = UserFactory(is_staff=True)
    helper.user_permissions.add(
        Permission.objects.get(codename="view_event"),
        Permission.objects.get(codename="view_meetingrequest"),
    )

    assert [section.key for section in workbench(helper)] == ["events", "requests"]


def test_the_admin_index_shows_the_workbench_with_its_links(client):
    need = _submitted_need("智能质检需求", days=3)
    client.force_login(StaffFactory())

    html = client.get(reverse("admin:index")).content.decode()

    assert 'id="workbench-review-need"' in html
    assert reverse("admin:matchmaking_need_change", args=[need.pk]) in html
    assert "智能质检需求" in html


def _fill(n: int) -> None:
    for days in range(n):
        _submitted_need(f"需求 {days}", days=days, returned_before=True)
        SolutionFactory(status="submitted", published_at=None, submitted_at=_ago(days=days))
        MeetingRequestFactory(
            event=EventFactory(date=in_days(3 + days)),  # published, not invited yet
            status=MeetingRequest.Status.REQUESTED,
            expires_at=timezone.now() + dt.timedelta(hours=5),
        )
        OutboxMessage.objects.create(task_name=f"t{days}", status=OutboxMessage.Status.FAILED)
        OutgoingEmail.objects.create(
            to=f"x{days}@example.com", subject="s", body_text="b", status="failed"
        )


@pytest.mark.parametrize("items", [1, 3])
def test_workbench_query_count_does_not_grow_with_the_items(items, django_assert_num_queries):
    _fill(items)
    staff = StaffFactory()

    # Two queries a section (its count and its page), six sections.
    with django_assert_num_queries(12):
        sections = workbench(staff)

    assert [section.count for section in sections] == [items] * 6
