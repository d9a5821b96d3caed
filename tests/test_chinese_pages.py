"""The Chinese admin pages an office works in carry no English sentence.

Renders, in Chinese, the pages of a planned season, of submissions under review and of
an event (admin and public), and fails on text that stayed English: a msgid without a
Chinese translation, a field without a translatable name, a planner note written in
English, the admin's JavaScript words. User data in these pages is Chinese, so any run
of English words is a missing translation — except the few names kept as they are.
"""

from __future__ import annotations

import html
import io
import json
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from events import resources
from events.services import season as season_services
from matchmaking.models import Attachment, Status
from tests.factories import (
    EventFactory,
    NeedFactory,
    OrganizationFactory,
    SeasonFactory,
    SolutionFactory,
    StaffFactory,
    add_match,
    attended_meeting,
    member_of,
)

pytestmark = pytest.mark.django_db

# Names kept in Latin letters in Chinese text: product and format names, units, codes.
KEPT = {
    "Control",
    "Ctrl",
    "Command",
    "Mac",
    "AI",
    "AI+",
    "Excel",
    "CSV",
    "XLSX",
    "PDF",
    "ID",
    "URL",
    "API",
    "QR",
    "CNY",
    "ISO",
    "YYYY",
    "MM",
    "DD",
}
# Two or more English words in a row (a sentence, a label) or one word of 4+ letters.
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,:;.]+[A-Za-z][A-Za-z'’-]*)*")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    page = re.sub(r"\S+@\S+", " ", html.unescape(page))  # addresses are data
    return re.sub(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", " ", page)  # and check-in codes


def english_in(page: str) -> list[str]:
    """Runs of English words in a page's visible text, beyond the names kept."""
    found = []
    for run in ENGLISH.findall(visible_text(page)):
        words = [w for w in re.split(r"[ ,:;.]+", run) if w]
        if not words or all(w in KEPT for w in words):
            continue
        if len(words) == 1 and (len(words[0]) < 4 or words[0] in KEPT):
            continue
        found.append(run)
    return found


@pytest.fixture
def office(client):
    client.force_login(StaffFactory())
    client.cookies["aiplus_language"] = "zh-hans"
    return client


def planned_season():
    solutions = [SolutionFactory() for _ in range(5)]
    for _ in range(4):
        organization = OrganizationFactory()
        member_of(organization)
        for _ in range(3):
            need = NeedFactory(organization=organization)
            for rank, solution in enumerate(solutions, start=1):
                add_match(need, solution, rank=rank, score=0.9 - 0.05 * rank)
    season = SeasonFactory(target_events=50, blackout_dates=[])
    season_services.run_planner(season.pk)
    season.refresh_from_db()
    return season


def under_review():
    author = member_of(OrganizationFactory())
    need = NeedFactory(
        organization=author.primary_membership.organization,
        created_by=author,
        status=Status.SUBMITTED,
    )
    Attachment.objects.create(
        need=need,
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
        original_name="需求说明.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=author,
    )
    solution = SolutionFactory(status=Status.SUBMITTED)
    return need, solution


def scheduled_event():
    event = EventFactory(scheduled=True)
    attended_meeting(event)
    event.schedule_report = {
        "scheduled": 1,
        "requests": 2,
        "upper_bound": 2,
        "optimal": False,
        "method": "kempe",
        "unscheduled": [],
    }
    event.save()
    return event


def test_planned_season_pages_are_chinese(office):
    season = planned_season()
    assert season.plan_notes  # the planner wrote notes (fewer events than the target …)
    for url in (
        reverse("admin:events_season_changelist"),
        reverse("admin:events_season_change", args=[season.pk]),
        reverse("admin:events_event_changelist") + f"?season__id__exact={season.pk}",
    ):
        page = office.get(url).content.decode()
        assert english_in(page) == [], url
        assert ">[]<" not in page.replace("\n", ""), url  # empty blackout dates: no raw list


def test_review_pages_are_chinese(office):
    need, solution = under_review()
    for url in (
        reverse("admin:index"),
        reverse("admin:matchmaking_need_changelist") + "?status__exact=submitted",
        reverse("admin:matchmaking_need_change", args=[need.pk]),
        reverse("admin:matchmaking_solution_change", args=[solution.pk]),
        reverse("admin:matchmaking_returnreason_changelist"),
        reverse("admin:matchmaking_returnreason_add"),
    ):
        page = office.get(url).content.decode()
        assert english_in(page) == [], url


def test_event_pages_are_chinese(office):
    event = scheduled_event()
    for url in (
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}",
        reverse("admin:events_meeting_changelist") + f"?event__id__exact={event.pk}",
    ):
        page = office.get(url).content.decode()
        assert english_in(page) == [], url


def test_organization_directory_pages_are_chinese(office):
    organization = OrganizationFactory(verified=True, description="汽车零部件制造。")
    NeedFactory(organization=organization, title="冲压件缺陷检测")
    SolutionFactory(organization=OrganizationFactory(verified=True, kind="provider"))
    anonymous = Client()
    anonymous.cookies["aiplus_language"] = "zh-hans"
    for visitor in (anonymous, office):
        for url in (
            reverse("organization-list"),
            reverse("organization-list") + "?q=缺陷检测",
            reverse("organization-list") + "?q=量子退火",  # no result: the suggestions
            reverse("organization-detail", args=[organization.pk]),
        ):
            page = visitor.get(url).content.decode()
            assert english_in(page) == [], url


def _participant_pages(client, event, meeting, *, checked_in: bool):
    """The pages a participant of `event` reads: public and their own, RSVP and schedule."""
    registration = event.registrations.get(organization=meeting.enterprise)
    if not checked_in:
        event.registrations.update(status="registered")
    anonymous = [
        reverse("event-list"),
        reverse("event-detail", args=[event.pk]),
        reverse("event-rsvp", args=[registration.rsvp_token]),
        reverse("event-schedule-print", args=[registration.rsvp_token]),
    ]
    for url in anonymous:
        yield url, client.get(url)
    client.force_login(member_of(meeting.enterprise))
    for url in (reverse("event-detail", args=[event.pk]), reverse("my-events")):
        yield url, client.get(url)


@pytest.mark.parametrize("checked_in", [False, True])
def test_public_and_participant_event_pages_are_chinese(client, checked_in):
    """The event page as the public sees it and as a participant sees it (code, QR,
    schedule, meeting requests), the RSVP page and the printable schedule."""
    client.cookies["aiplus_language"] = "zh-hans"
    event = scheduled_event()
    meeting = event.meetings.get()
    for url, response in _participant_pages(client, event, meeting, checked_in=checked_in):
        assert response.status_code == 200, url
        assert english_in(response.content.decode()) == [], url


def test_the_door_and_feedback_pages_are_chinese(office):
    event = scheduled_event()
    event.status = "finished"
    event.save()
    page = office.get(reverse("event-check-in", args=[event.pk]))
    assert english_in(page.content.decode()) == []
    office.force_login(member_of(event.meetings.get().enterprise))
    feedback = office.get(reverse("event-feedback", args=[event.pk]))
    assert feedback.status_code == 200
    assert english_in(feedback.content.decode()) == []


def test_the_admin_javascript_words_are_chinese(office):
    """The two-box selector of filter_horizontal fields reads its words from here."""
    page = office.get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", page, re.S).group(1))
    for msgid in (
        'Choose %s by selecting them and then select the "Choose" arrow button.',
        "Choose all %s",
        "Remove all %s",
    ):
        assert re.search(r"[\u4e00-\u9fff]", catalog.get(msgid, "")), msgid


def test_spreadsheets_have_named_sheets_in_chinese():
    event = scheduled_event()
    for kind in resources.EXPORTS:
        with translation.override("zh-hans"):
            workbook = openpyxl.load_workbook(io.BytesIO(resources.export(kind, [event], "xlsx")))
        (title,) = workbook.sheetnames
        assert re.search(r"[\u4e00-\u9fff]", title), title


def test_the_detector_finds_english():
    assert english_in("<p>计划 Planned 7 events instead of the target</p>")
    assert english_in("<th>UPLOADED BY</th>")
    assert english_in("<p>方法：kempe</p>")
    assert not english_in("<p>AI+ 对接会（Excel）</p><script>var x = 'Choose all';</script>")
    assert not english_in("<p>签到码 FTCP-7K3M</p>")


def test_the_periodic_jobs_page_names_jobs_and_schedules_in_chinese(office):
    from config.periodic import sync_periodic_tasks  # noqa: PLC0415

    sync_periodic_tasks()
    page = visible_text(
        office.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    )
    assert "活动提醒（提前 24 小时和 1 小时）" in page
    assert "每 5 分钟" in page
    assert "每天 02:30（北京时间）" in page
    for english in ("Task Name", "SCHEDULER", "Scheduler", "Event reminders", "m/h/dM"):
        assert english not in page, english
