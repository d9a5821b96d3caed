"""Attendee lists and schedules as Excel and CSV, read back as staff would open them."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from events import resources
from events.models import Meeting, Registration
from tests.factories import (
    EventFactory,
    MeetingFactory,
    OrganizationFactory,
    ProviderFactory,
    RegistrationFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

ATTENDEE_HEADERS = [
    "Event",
    "Date",
    "Organization",
    "Side",
    "Status",
    "Attendees",
    "Checked in at",
    "Invited by",
]
SCHEDULE_HEADERS = ["Event", "Date", "Time", "Table", "Enterprise", "Provider", "Status"]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def event():
    event = EventFactory(
        scheduled=True, title_zh="大模型+医疗 对接会", title_en="AI+ Healthcare docking"
    )
    checked_in = RegistrationFactory(
        event=event,
        organization=OrganizationFactory(name="上海甲医院"),
        attendees="王主任, 李工",
        status=Registration.Status.CHECKED_IN,
        checked_in_at=timezone.make_aware(timezone.datetime(2027, 3, 10, 13, 5)),
    )
    RegistrationFactory(
        provider=True,
        event=event,
        organization=ProviderFactory(name="上海乙智能"),
        attendees="陈博士",
    )
    MeetingFactory(
        event=event,
        enterprise=checked_in.organization,
        provider=ProviderFactory(name="丙科技"),
        slot=1,
        table=2,
    )
    MeetingFactory(
        event=event,
        enterprise=checked_in.organization,
        provider=ProviderFactory(name="丁科技"),
        slot=0,
        table=0,
    )
    MeetingFactory(event=event, slot=3, table=0, status=Meeting.Status.CANCELLED)
    return event


def read_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 with the BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_attendees_xlsx(event):
    rows = read_xlsx(resources.export("attendees", [event], "xlsx"))

    assert rows == [
        ATTENDEE_HEADERS,
        [
            "AI+ Healthcare docking",
            "2027-03-10",
            "上海甲医院",
            "Enterprise",
            "Checked in",
            "王主任, 李工",
            "2027-03-10 13:05",
            "Programme office",
        ],
        [
            "AI+ Healthcare docking",
            "2027-03-10",
            "上海乙智能",
            "Provider",
            "Registered",
            "陈博士",
            None,
            "Programme office",
        ],
    ]


def test_schedule_csv_in_slot_order_without_cancelled(event):
    rows = read_csv(resources.export("schedule", [event], "csv"))

    assert rows == [
        SCHEDULE_HEADERS,
        [
            "AI+ Healthcare docking",
            "2027-03-10",
            "13:30–13:50",
            "1",
            "上海甲医院",
            "丁科技",
            "Scheduled",
        ],
        [
            "AI+ Healthcare docking",
            "2027-03-10",
            "13:50–14:10",
            "3",
            "上海甲医院",
            "丙科技",
            "Scheduled",
        ],
    ]


def test_export_reads_in_a_constant_number_of_queries(event, django_assert_num_queries):
    with django_assert_num_queries(1):
        resources.export("schedule", [event], "csv")
    with django_assert_num_queries(1):
        resources.export("attendees", [event], "xlsx")


def test_admin_export_link_downloads_xlsx(staff_client, event):
    response = staff_client.get(
        reverse("admin:events_event_export", args=[event.pk, "schedule", "xlsx"])
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert (
        response["Content-Disposition"] == f'attachment; filename="event-{event.pk}-schedule.xlsx"'
    )
    assert read_xlsx(response.content)[0] == SCHEDULE_HEADERS
    assert len(read_xlsx(response.content)) == 3


def test_admin_export_link_unknown_kind_is_404(staff_client, event):
    response = staff_client.get(
        reverse("admin:events_event_export", args=[event.pk, "everything", "csv"])
    )

    assert response.status_code == 404


def test_admin_export_action_attendees_csv_of_several_events(staff_client, event):
    other = EventFactory(scheduled=True)
    RegistrationFactory(event=other, organization=OrganizationFactory(name="上海戊制造"))

    response = staff_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "export_attendees_csv", ACTION_CHECKBOX_NAME: [event.pk, other.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="events-attendees.csv"'
    organizations = [row[2] for row in read_csv(response.content)[1:]]
    assert sorted(organizations) == ["上海乙智能", "上海戊制造", "上海甲医院"]


def test_admin_export_action_schedule_xlsx(staff_client, event):
    response = staff_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "export_schedule_xlsx", ACTION_CHECKBOX_NAME: [event.pk]},
    )

    assert [row[3] for row in read_xlsx(response.content)[1:]] == [1, 3]


def test_admin_export_needs_staff(client, event):
    client.force_login(member_of(OrganizationFactory()))

    response = client.get(reverse("admin:events_event_export", args=[event.pk, "attendees", "csv"]))

    assert response.status_code == 302
