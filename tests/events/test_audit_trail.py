"""Every admin action of the events app and every service that changes a status leaves
an audit entry, written by the service in the same transaction as the change.

Two kinds of check: each admin action is run from its list page as staff run it, and
the list of actions tested must be the list the admin offers (a new action without a
test here fails); and the services are read as source, so that a new public service
that changes a status without calling `core.audit.record` fails too.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse

import events.services
from core.models import AuditEntry
from events.models import (
    CalendarDay,
    Event,
    Meeting,
    MeetingRequest,
    Outcome,
    Registration,
    Season,
    Venue,
)
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    OutcomeFactory,
    RegistrationFactory,
    SeasonFactory,
    StaffFactory,
    VenueFactory,
    holiday,
    in_days,
    member_of,
)

pytestmark = pytest.mark.django_db

Status = Event.Status


def _built(**fields) -> Event:
    return EventFactory(schedule_status=Event.ScheduleStatus.BUILT, **fields)


def _invited_event() -> Event:
    event = EventFactory()
    member_of(RegistrationFactory(event=event, invited=True).organization)
    return event


def _season_with(status: str) -> Season:
    season = SeasonFactory()
    EventFactory(season=season, status=status, date=in_days(20))
    return season


# (model, action) → (what to act on, the audit action expected)
ACTIONS: dict[tuple[type, str], tuple[Callable[[], object], str]] = {
    (Event, "publish_selected"): (lambda: EventFactory(status=Status.DRAFT), "event.published"),
    (Event, "send_invitations"): (_invited_event, "event.invitations_sent"),
    (Event, "build_schedule"): (EventFactory, "event.schedule_requested"),
    (Event, "send_schedules"): (_built, "event.schedule_sent"),
    (Event, "start_selected"): (lambda: EventFactory(scheduled=True), "event.running"),
    (Event, "finish_selected"): (lambda: EventFactory(status=Status.RUNNING), "event.finished"),
    (Event, "mark_no_shows"): (
        lambda: RegistrationFactory(event__status=Status.RUNNING).event,
        "event.no_shows_marked",
    ),
    (Event, "export_attendees_xlsx"): (EventFactory, "event.exported"),
    (Event, "export_attendees_csv"): (EventFactory, "event.exported"),
    (Event, "export_schedule_xlsx"): (EventFactory, "event.exported"),
    (Event, "export_schedule_csv"): (EventFactory, "event.exported"),
    (Event, "delete_selected"): (EventFactory, "admin.delete"),
    (Registration, "check_in_selected"): (
        lambda: RegistrationFactory(event__status=Status.SCHEDULED),
        "registration.checked_in",
    ),
    (Registration, "mark_no_show_selected"): (
        lambda: RegistrationFactory(event__status=Status.RUNNING),
        "registration.no_show",
    ),
    (Registration, "delete_selected"): (RegistrationFactory, "admin.delete"),
    (MeetingRequest, "set_must_meet"): (MeetingRequestFactory, "meeting_request.must_meet"),
    (MeetingRequest, "clear_must_meet"): (
        lambda: MeetingRequestFactory(must_meet=True),
        "meeting_request.may_meet",
    ),
    (MeetingRequest, "delete_selected"): (MeetingRequestFactory, "admin.delete"),
    (Season, "plan_selected"): (SeasonFactory, "season.planning_requested"),
    (Season, "publish_drafts"): (lambda: _season_with(Status.DRAFT), "event.published"),
    (Season, "send_invitations"): (
        lambda: _season_with(Status.PUBLISHED),
        "event.invitations_sent",
    ),
    (Season, "delete_selected"): (SeasonFactory, "admin.delete"),
    (CalendarDay, "confirm_selected"): (
        lambda: holiday(in_days(400), provisional=True),
        "calendar_day.confirmed",
    ),
    (CalendarDay, "delete_selected"): (lambda: holiday(in_days(400)), "admin.delete"),
    (Meeting, "delete_selected"): (MeetingFactory, "admin.delete"),
    (Outcome, "delete_selected"): (OutcomeFactory, "admin.delete"),
    (Venue, "delete_selected"): (VenueFactory, "admin.delete"),
}


def _offered_actions() -> set[tuple[type, str]]:
    request = RequestFactory().get("/")
    request.user = StaffFactory()
    return {
        (model, name)
        for model, model_admin in admin.site._registry.items()  # noqa: SLF001 — the registry
        if model._meta.app_label == "events"
        for name in model_admin.get_actions(request)
    }


def test_every_events_admin_action_is_covered_here():
    assert _offered_actions() == set(ACTIONS)


@pytest.mark.parametrize(
    ("model", "action"), sorted(ACTIONS, key=lambda key: (key[0].__name__, key[1]))
)
def test_events_admin_action_writes_an_audit_entry(client, model, action):
    make, expected = ACTIONS[(model, action)]
    target = make()
    staff = StaffFactory()
    client.force_login(staff)
    url = reverse(f"admin:events_{model._meta.model_name}_changelist")

    client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [target.pk], "post": "yes"})

    assert list(
        AuditEntry.objects.filter(action=expected).values_list("actor", flat=True).distinct()
    ) == [staff.pk]


# --- services ------------------------------------------------------------------------

SERVICES = Path(events.services.__file__).parent
STATUS_FIELDS = {"status", "schedule_status", "plan_status"}


def _changes_status(node: ast.AST) -> bool:
    """A call to `move_to`, an `.update(status=...)`, or an assignment to a status."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "move_to":
            return True
        if node.func.attr == "update" and {k.arg for k in node.keywords} & STATUS_FIELDS:
            return True
    if isinstance(node, ast.Assign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Attribute) and t.attr in STATUS_FIELDS for t in targets)
    return False


def _calls(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == name)
        or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
    )


def _unaudited_status_changes(path: Path) -> list[str]:
    """Public functions that (themselves or through a helper of the module) change a
    status but neither they nor their helpers write an audit entry."""
    functions = {
        node.name: node
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef)
    }

    def closure(name: str, seen: set[str]) -> list[ast.AST]:
        if name in seen or name not in functions:
            return []
        seen.add(name)
        nodes = list(ast.walk(functions[name]))
        for node in nodes[:]:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                nodes += closure(node.func.id, seen)
        return nodes

    found = []
    for name in functions:
        if name.startswith("_"):
            continue
        nodes = closure(name, set())
        if any(_changes_status(n) for n in nodes) and not any(_calls(n, "record") for n in nodes):
            found.append(f"{path.name}:{name}")
    return found


def test_the_source_reading_finds_an_unaudited_status_change(tmp_path):
    module = tmp_path / "example.py"
    module.write_text(
        "def _helper(event):\n    event.move_to('running')\n\n"
        "def start(event):\n    _helper(event)\n\n"
        "def audited(event):\n    _helper(event)\n    record(None, 'x', event)\n"
    )
    assert _unaudited_status_changes(module) == ["example.py:start"]


def test_every_status_changing_service_of_events_writes_an_audit_entry():
    found = [f for path in sorted(SERVICES.glob("*.py")) for f in _unaudited_status_changes(path)]
    assert found == []
