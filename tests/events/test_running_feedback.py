"""The participants' feedback form (成果反馈): after the event and at the 90-day follow-up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.enums import Side
from core.errors import DomainError
from events.models import Event, Meeting, Outcome, Registration
from events.services import running
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    OutcomeFactory,
    StaffFactory,
    attended_meeting,
    member_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_event_day")]


def url(event: Event, stage: str | None = None) -> str:
    path = reverse("event-feedback", kwargs={"pk": event.pk})
    return f"{path}?stage={stage}" if stage else path


def answer(meeting: Meeting, **values) -> dict[str, object]:
    return {f"m{meeting.pk}-{key}": value for key, value in values.items()}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def finished():
    return EventFactory(scheduled=True, status=Event.Status.FINISHED)


def test_feedback_form_lists_my_meetings_with_the_counterpart(client, finished):
    first = attended_meeting(finished, slot=1, table=0)
    second = attended_meeting(finished, slot=0, table=1)
    Registration.objects.filter(organization=second.enterprise).delete()
    second.enterprise = first.enterprise
    second.save()
    attended_meeting(finished)  # someone else's
    client.force_login(member_of(first.enterprise))

    response = client.get(url(finished))

    rows = response.context["rows"]
    assert [(row["meeting"], row["side"], row["counterpart"]) for row in rows] == [
        (second, Side.ENTERPRISE, second.provider),
        (first, Side.ENTERPRISE, first.provider),
    ]
    assert first.provider.name in response.content.decode()


def test_feedback_submit_records_outcomes_and_skips_empty_meetings(client, finished):
    meeting = attended_meeting(finished)
    skipped = attended_meeting(finished)
    Registration.objects.filter(organization=skipped.provider).delete()
    skipped.provider = meeting.provider
    skipped.save()
    user = member_of(meeting.provider)
    client.force_login(user)

    response = client.post(
        url(finished),
        answer(meeting, rating=5, next_step="pilot", deal_value="80", note="两周内进场"),
        follow=True,
    )

    outcome = Outcome.objects.get()
    assert (outcome.meeting, outcome.side, outcome.stage, outcome.rating) == (
        meeting,
        Side.PROVIDER,
        Outcome.Stage.EVENT,
        5,
    )
    assert (outcome.next_step, outcome.deal_value, outcome.note, outcome.submitted_by) == (
        Outcome.NextStep.PILOT,
        80,
        "两周内进场",
        user,
    )
    assert messages_of(response) == [
        "Thank you: your feedback on 1 meeting is saved. You can change it here."
    ]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_feedback_form_shows_and_edits_the_earlier_answer(client, finished):
    outcome = OutcomeFactory(meeting=attended_meeting(finished), rating=2, next_step="none")
    client.force_login(member_of(outcome.meeting.enterprise))

    form = client.get(url(finished)).context["rows"][0]["form"]
    client.post(url(finished), answer(outcome.meeting, rating=4, next_step="nda"))

    assert (form["rating"].value(), form["next_step"].value()) == (2, "none")
    outcome.refresh_from_db()
    assert (outcome.rating, outcome.next_step) == (4, Outcome.NextStep.NDA)
    assert Outcome.objects.count() == 1


def test_feedback_half_filled_meeting_is_an_error(client, finished):
    meeting = attended_meeting(finished)
    client.force_login(member_of(meeting.enterprise))

    response = client.post(url(finished), answer(meeting, note="只写了备注"))

    assert response.status_code == 200
    form = response.context["rows"][0]["form"]
    assert set(form.errors) == {"rating", "next_step"}
    assert Outcome.objects.count() == 0


def test_feedback_nothing_filled_warns(client, finished):
    meeting = attended_meeting(finished)
    client.force_login(member_of(meeting.enterprise))

    response = client.post(url(finished), {}, follow=True)

    assert messages_of(response) == ["Nothing to save: rate at least one meeting."]


def test_feedback_follow_up_stage_is_a_separate_outcome(client, finished):
    outcome = OutcomeFactory(meeting=attended_meeting(finished), next_step="follow_up")
    client.force_login(member_of(outcome.meeting.enterprise))

    client.post(
        url(finished, "followup"),
        answer(outcome.meeting, rating=5, next_step="contract", deal_value=300),
    )

    assert sorted(Outcome.objects.values_list("stage", "next_step", "deal_value")) == [
        ("event", "follow_up", None),
        ("followup", "contract", 300),
    ]


def test_feedback_follow_up_not_open_before_the_event_finished(client):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    meeting = attended_meeting(event)
    client.force_login(member_of(meeting.enterprise))

    response = client.get(url(event, "followup"))

    assert (response.context["is_open"], response.context["rows"]) == (False, [])


def test_feedback_not_open_before_the_event(client):
    event = EventFactory(scheduled=True, status=Event.Status.SCHEDULED)
    meeting = attended_meeting(event)
    client.force_login(member_of(meeting.enterprise))

    response = client.post(url(event), answer(meeting, rating=5, next_step="none"))

    assert response.status_code == 200
    assert response.context["is_open"] is False
    assert Outcome.objects.count() == 0


def test_feedback_no_show_meeting_has_no_form(client, finished):
    meeting = attended_meeting(finished, status=Meeting.Status.NO_SHOW)
    client.force_login(member_of(meeting.enterprise))

    response = client.get(url(finished))

    assert response.context["rows"][0]["form"] is None
    # The participant is told what to do, and the way back to reporting the outcome.
    assert "schedule email" in response.content.decode()


def test_a_participants_no_show_refusal_says_what_to_do(finished):
    meeting = attended_meeting(finished, status=Meeting.Status.NO_SHOW)

    with pytest.raises(DomainError) as refused:
        running.check_outcome_allowed(
            meeting=meeting, side="enterprise", stage="event", by=member_of(meeting.enterprise)
        )

    assert "reply to your schedule email" in str(refused.value.message)


def test_each_meeting_on_the_event_page_links_to_its_outcome(client, finished):
    meeting = attended_meeting(finished)
    client.force_login(member_of(meeting.provider))

    page = client.get(reverse("event-detail", args=[finished.pk])).content.decode()

    assert f"{url(finished)}#meeting-{meeting.pk}" in page


def test_feedback_outsider_sees_an_explanation_and_cannot_post(client, finished):
    meeting = attended_meeting(finished)
    client.force_login(member_of(OrganizationFactory()))

    response = client.post(url(finished), answer(meeting, rating=1, next_step="none"))

    assert response.status_code == 200
    assert response.context["registration"] is None
    assert Outcome.objects.count() == 0


def test_feedback_requires_sign_in(client, finished):
    response = client.get(url(finished))

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_feedback_draft_event_is_404(client):
    event = EventFactory(scheduled=True, status=Event.Status.DRAFT)
    client.force_login(StaffFactory())

    assert client.get(url(event)).status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_feedback_page_query_count(client, django_assert_num_queries, finished, n):
    first = attended_meeting(finished)
    for _ in range(n - 1):
        other = attended_meeting(finished)
        Registration.objects.filter(organization=other.enterprise).delete()
        other.enterprise = first.enterprise
        other.save()
    client.force_login(member_of(first.enterprise))

    # session, user, event, my registration, meetings, outcomes, the site's membership
    with django_assert_num_queries(7):
        response = client.get(url(finished))

    assert len(response.context["rows"]) == n


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
