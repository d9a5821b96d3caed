"""Who may answer and withdraw meeting requests and report outcomes (events/rules.py)."""

from __future__ import annotations

import pytest
import rules

from core.enums import Side
from tests.factories import (
    MeetingRequestFactory,
    OrganizationFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked():
    """A request the enterprise sent to the provider, and a member of each side."""
    request = MeetingRequestFactory(requested_by_side=Side.ENTERPRISE)
    return request, member_of(request.enterprise), member_of(request.provider)


def test_a_request_is_answered_by_the_asked_side_or_staff(asked):
    request, asking, answering = asked
    outsider = member_of(OrganizationFactory())

    allowed = {
        name: rules.has_perm("events.answer_meeting_request", user, request)
        for name, user in [
            ("asking", asking),
            ("answering", answering),
            ("outsider", outsider),
            ("staff", StaffFactory()),
        ]
    }

    assert allowed == {"asking": False, "answering": True, "outsider": False, "staff": True}


def test_a_request_is_withdrawn_by_either_side_or_staff(asked):
    request, asking, answering = asked
    outsider = member_of(OrganizationFactory())

    allowed = {
        name: rules.has_perm("events.withdraw_meeting_request", user, request)
        for name, user in [
            ("asking", asking),
            ("answering", answering),
            ("outsider", outsider),
            ("staff", StaffFactory()),
        ]
    }

    assert allowed == {"asking": True, "answering": True, "outsider": False, "staff": True}


def test_a_sides_outcome_is_reported_by_its_members_or_staff(asked):
    request, enterprise_member, provider_member = asked

    allowed = {
        name: rules.has_perm("events.report_outcome_for", user, request.enterprise)
        for name, user in [
            ("its member", enterprise_member),
            ("the other side", provider_member),
            ("staff", StaffFactory()),
        ]
    }

    assert allowed == {"its member": True, "the other side": False, "staff": True}


def test_only_staff_may_act_before_the_events_day(asked):
    request, enterprise_member, _provider_member = asked

    allowed = {
        name: rules.has_perm("events.override_event_day", user, request.event)
        for name, user in [("a participant", enterprise_member), ("staff", StaffFactory())]
    }

    assert allowed == {"a participant": False, "staff": True}
