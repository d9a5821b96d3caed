"""Meeting requests: ask, answer, limits, expiry, introductions, suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.enums import Side
from core.errors import DomainError, InvalidTransitionError, NotAllowedError
from events.models import Event, Meeting, MeetingRequest, Registration
from events.selectors import participants as selectors
from events.services import requests as services
from matchmaking.models import Interest
from matchmaking.services import interests
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    NeedFactory,
    RegistrationFactory,
    SolutionFactory,
    add_match,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(short=True)


@pytest.fixture
def enterprise(event):
    return RegistrationFactory(event=event).organization


@pytest.fixture
def provider(event):
    return RegistrationFactory(provider=True, event=event).organization


@pytest.fixture
def enterprise_user(enterprise):
    return member_of(enterprise, email="ent@example.com")


@pytest.fixture
def provider_user(provider):
    return member_of(provider, email="prov@example.com")


def ask(event, enterprise, provider, by, **kwargs) -> MeetingRequest:
    return services.request_meeting(
        event=event, from_org=enterprise, to_org=provider, by=by, **kwargs
    )


def test_request_meeting_waits_for_an_answer_and_emails_the_other_side(
    event, enterprise, provider, enterprise_user, provider_user, run_on_commit
):
    with run_on_commit():
        request = ask(event, enterprise, provider, enterprise_user, message="想了解私有化部署")

    assert (request.status, request.requested_by_side, request.source) == (
        "requested",
        "enterprise",
        "participant",
    )
    assert abs(request.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert [m.to for m in mail.outbox] == [["prov@example.com"]]
    assert "想了解私有化部署" in mail.outbox[0].body


def test_request_meeting_takes_the_best_match_as_topic_and_priority(
    event, enterprise, provider, enterprise_user
):
    need = NeedFactory(organization=enterprise)
    weak, strong = SolutionFactory(organization=provider), SolutionFactory(organization=provider)
    add_match(need, weak, 0.41)
    add_match(need, strong, 0.83)

    request = ask(event, enterprise, provider, enterprise_user)

    assert (request.need, request.solution, request.priority) == (need, strong, 0.83)


def test_request_meeting_refuses_an_organization_that_is_not_registered(
    event, enterprise, enterprise_user
):
    outsider = RegistrationFactory(provider=True, event=event, status=Registration.Status.DECLINED)

    with pytest.raises(DomainError):
        ask(event, enterprise, outsider.organization, enterprise_user)
    assert MeetingRequest.objects.count() == 0


def test_request_meeting_refuses_two_organizations_of_the_same_side(
    event, enterprise, enterprise_user
):
    other = RegistrationFactory(event=event).organization

    with pytest.raises(DomainError):
        ask(event, enterprise, other, enterprise_user)


def test_request_meeting_refuses_a_user_of_another_organization(event, enterprise, provider):
    with pytest.raises(NotAllowedError):
        ask(event, enterprise, provider, member_of(provider))


def test_request_meeting_is_closed_once_registration_closes(
    event, enterprise, provider, enterprise_user
):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.REGISTRATION_CLOSED)
    event.refresh_from_db()

    with pytest.raises(DomainError):
        ask(event, enterprise, provider, enterprise_user)


def test_asking_twice_keeps_one_request(event, enterprise, provider, enterprise_user):
    first = ask(event, enterprise, provider, enterprise_user)
    second = ask(event, enterprise, provider, enterprise_user)

    assert (second.pk, MeetingRequest.objects.count()) == (first.pk, 1)


def test_asking_back_accepts_the_other_sides_request(
    event, enterprise, provider, enterprise_user, provider_user
):
    ask(event, enterprise, provider, enterprise_user)

    request = services.request_meeting(
        event=event, from_org=provider, to_org=enterprise, by=provider_user
    )

    assert (request.status, MeetingRequest.objects.count()) == ("accepted", 1)


def test_answer_request_accept_tells_the_requester(
    event, enterprise, provider, enterprise_user, provider_user, run_on_commit
):
    request = ask(event, enterprise, provider, enterprise_user)
    with run_on_commit():
        services.answer_request(request=request, accept=True, by=provider_user)

    request.refresh_from_db()
    assert request.status == "accepted"
    assert request.responded_at is not None
    assert mail.outbox[-1].to == ["ent@example.com"]


def test_answer_request_decline(event, enterprise, provider, enterprise_user, provider_user):
    request = ask(event, enterprise, provider, enterprise_user)

    services.answer_request(request=request, accept=False, by=provider_user)

    assert MeetingRequest.objects.get().status == "declined"


def test_only_the_asked_side_answers(event, enterprise, provider, enterprise_user):
    request = ask(event, enterprise, provider, enterprise_user)

    with pytest.raises(NotAllowedError):
        services.answer_request(request=request, accept=True, by=enterprise_user)


def test_an_answered_request_cannot_be_answered_again(
    event, enterprise, provider, enterprise_user, provider_user
):
    request = ask(event, enterprise, provider, enterprise_user)
    services.answer_request(request=request, accept=False, by=provider_user)

    with pytest.raises(InvalidTransitionError):
        services.answer_request(request=request, accept=True, by=provider_user)


def test_accepting_beyond_the_registration_limit_is_refused_with_a_clear_message(
    event, enterprise, provider, enterprise_user, provider_user
):
    Registration.objects.filter(organization=provider).update(meeting_limit=1)
    MeetingRequestFactory(event=event, provider=provider)
    request = ask(event, enterprise, provider, enterprise_user)

    with pytest.raises(DomainError) as error:
        services.answer_request(request=request, accept=True, by=provider_user)

    assert "1" in str(error.value.message)
    assert provider.name in str(error.value.message)
    assert MeetingRequest.objects.get(pk=request.pk).status == "requested"


def test_accepting_beyond_the_event_limit_is_refused(
    event, enterprise, provider, enterprise_user, provider_user
):
    Event.objects.filter(pk=event.pk).update(meeting_limit=2)
    MeetingRequestFactory(event=event, enterprise=enterprise)
    MeetingRequestFactory(event=event, enterprise=enterprise)
    request = MeetingRequestFactory(
        event=event,
        enterprise=enterprise,
        provider=provider,
        status=MeetingRequest.Status.REQUESTED,
        requested_by_side=Side.PROVIDER,
    )

    with pytest.raises(DomainError):
        services.answer_request(request=request, accept=True, by=enterprise_user)


def test_expire_requests_after_seven_days_and_when_registration_closes(
    event, enterprise, provider, enterprise_user
):
    old = ask(event, enterprise, provider, enterprise_user)
    MeetingRequest.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    fresh = MeetingRequestFactory(event=event, status=MeetingRequest.Status.REQUESTED)
    closed = EventFactory(short=True, status=Event.Status.REGISTRATION_CLOSED)
    late = MeetingRequestFactory(event=closed, status=MeetingRequest.Status.REQUESTED)
    accepted = MeetingRequestFactory(event=closed)

    assert services.expire_requests() == 2

    statuses = dict(MeetingRequest.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in (old, fresh, late, accepted)] == [
        "expired",
        "requested",
        "expired",
        "accepted",
    ]


def test_requests_from_introductions_turns_accepted_introductions_into_requests(
    event, enterprise, provider
):
    need = NeedFactory(organization=enterprise)
    solution = SolutionFactory(organization=provider)
    Interest.objects.create(
        need=need,
        solution=solution,
        initiated_by_side="provider",
        status=Interest.Status.ACCEPTED,
        score=0.77,
    )

    assert services.requests_from_introductions(event) == 1
    assert services.requests_from_introductions(event) == 0

    request = MeetingRequest.objects.get()
    assert (request.status, request.source, request.priority, request.need, request.solution) == (
        "accepted",
        "introduction",
        0.77,
        need,
        solution,
    )


def test_requests_from_introductions_respects_a_decline_at_the_event(event, enterprise, provider):
    MeetingRequestFactory(event=event, enterprise=enterprise, provider=provider, status="declined")
    Interest.objects.create(
        need=NeedFactory(organization=enterprise),
        solution=SolutionFactory(organization=provider),
        initiated_by_side="provider",
        status=Interest.Status.ACCEPTED,
    )

    assert services.requests_from_introductions(event) == 0
    assert MeetingRequest.objects.get().status == "declined"


def test_accepting_an_introduction_makes_an_accepted_request_at_a_shared_event(
    event, enterprise, provider, enterprise_user, provider_user
):
    need = NeedFactory(organization=enterprise)
    solution = SolutionFactory(organization=provider)
    interest = interests.express_interest(by=provider_user, need=need, solution=solution)

    interests.respond(by=enterprise_user, interest=interest, accept=True)

    request = MeetingRequest.objects.get()
    assert (request.event, request.status, request.source) == (event, "accepted", "introduction")


def test_withdrawing_an_introduction_cancels_its_request_and_meeting(
    event, enterprise, provider, enterprise_user, provider_user
):
    need = NeedFactory(organization=enterprise)
    solution = SolutionFactory(organization=provider)
    interest = interests.express_interest(by=provider_user, need=need, solution=solution)
    interests.respond(by=enterprise_user, interest=interest, accept=True)
    meeting = MeetingFactory(request=MeetingRequest.objects.get())

    interests.withdraw(by=provider_user, interest=interest)

    meeting.refresh_from_db()
    assert (MeetingRequest.objects.get().status, meeting.status) == ("cancelled", "cancelled")


def test_cancel_an_accepted_request_cancels_its_meeting_and_tells_the_other_side(
    event, enterprise, provider, enterprise_user, provider_user, run_on_commit
):
    request = MeetingRequestFactory(event=event, enterprise=enterprise, provider=provider)
    meeting = MeetingFactory(request=request)

    with run_on_commit():
        services.cancel_request(request=request, by=enterprise_user)

    meeting.refresh_from_db()
    assert (MeetingRequest.objects.get().status, meeting.status) == ("cancelled", "cancelled")
    assert [m.to for m in mail.outbox] == [["prov@example.com"]]


def test_a_cancelled_request_can_be_asked_again(event, enterprise, provider, enterprise_user):
    request = ask(event, enterprise, provider, enterprise_user)
    services.cancel_request(request=request, by=enterprise_user)

    again = ask(event, enterprise, provider, enterprise_user)

    assert (again.pk, again.status) == (request.pk, "requested")


def test_suggested_counterparts_rank_registered_providers_by_their_best_match(
    event, enterprise, django_assert_num_queries
):
    need = NeedFactory(organization=enterprise)
    strong = RegistrationFactory(provider=True, event=event).organization
    weak = RegistrationFactory(provider=True, event=event).organization
    unmatched = RegistrationFactory(provider=True, event=event).organization
    RegistrationFactory(provider=True, event=event, status=Registration.Status.DECLINED)
    RegistrationFactory(event=event)  # same side: never suggested
    add_match(need, SolutionFactory(organization=weak), 0.4)
    best = SolutionFactory(organization=strong)
    add_match(need, best, 0.9)
    add_match(need, SolutionFactory(organization=strong), 0.5)
    MeetingRequestFactory(event=event, enterprise=enterprise, provider=weak)

    with django_assert_num_queries(4):
        suggestions = selectors.suggested_counterparts(event, enterprise)

    assert [(s.organization, s.score) for s in suggestions] == [
        (strong, 0.9),
        (weak, 0.4),
        (unmatched, None),
    ]
    assert (suggestions[0].need, suggestions[0].solution) == (need, best)
    assert [s.can_request for s in suggestions] == [True, False, True]


def test_suggested_counterparts_for_a_provider_are_enterprises(event, provider):
    enterprise = RegistrationFactory(event=event).organization
    add_match(NeedFactory(organization=enterprise), SolutionFactory(organization=provider), 0.6)

    suggestions = selectors.suggested_counterparts(event, provider)

    assert [(s.organization, s.score) for s in suggestions] == [(enterprise, 0.6)]


def test_no_suggestions_for_an_organization_not_attending(event):
    invited = RegistrationFactory(event=event, status=Registration.Status.INVITED)
    RegistrationFactory(provider=True, event=event)

    assert selectors.suggested_counterparts(event, invited.organization) == []


def test_a_meeting_of_a_cancelled_request_is_no_longer_live(event, enterprise, enterprise_user):
    request = MeetingRequestFactory(event=event, enterprise=enterprise)
    MeetingFactory(request=request, published=False)

    services.cancel_request(request=request, by=enterprise_user)

    assert list(Meeting.objects.values_list("status", flat=True)) == ["cancelled"]
