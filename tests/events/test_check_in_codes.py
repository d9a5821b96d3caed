"""Check-in codes in participants' hands: each attending organization has a short code
and its QR on the event page, the RSVP page, the printable schedule, the schedule and
reminder emails and the .ics files; the check-in page takes it typed or scanned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from events.models import Event, Registration
from events.models.registrations import CODE_ALPHABET, normalize_check_in_code
from events.services import notifications
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    OrganizationFactory,
    RegistrationFactory,
    StaffFactory,
    member_of,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english", "on_event_day"),
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def meeting():
    """A published meeting at a scheduled event; a member on each side."""
    event = EventFactory(short=True, status=Event.Status.SCHEDULED)
    meeting = MeetingFactory(request=MeetingRequestFactory(event=event), slot=0)
    member_of(meeting.enterprise, email="ent@example.com")
    member_of(meeting.provider, email="prov@example.com")
    return meeting


def registration_of(meeting, organization) -> Registration:
    return meeting.event.registrations.get(organization=organization)


# --- the code --------------------------------------------------------------------------


def test_every_registration_has_its_own_readable_code():
    codes = [RegistrationFactory().check_in_code for _ in range(20)]

    assert len(set(codes)) == 20
    assert all(len(code) == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("K7M4-Q2XP", "K7M4Q2XP"),
        (" k7m4 q2xp\n", "K7M4Q2XP"),
        ("K7M4Q2XI", None),  # I is not in the alphabet: a misread, not a code
        ("K7M4-Q2X", None),
    ],
)
def test_normalize_what_was_typed_or_scanned(typed, code):
    assert normalize_check_in_code(typed) == code


# --- the participant's pages -----------------------------------------------------------


def test_the_event_page_shows_the_code_and_its_qr(client, meeting):
    registration = registration_of(meeting, meeting.enterprise)
    client.force_login(meeting.enterprise.memberships.get().user)

    page = client.get(reverse("event-detail", args=[meeting.event_id])).content.decode()

    assert registration.check_in_code_display in page
    assert '<img src="data:image/svg+xml' in page
    assert 'id="check-in-qr"' in page
    assert reverse("event-schedule-print", args=[registration.rsvp_token]) in page


def test_no_code_for_an_organization_that_is_only_invited(client):
    registration = RegistrationFactory(invited=True, event__status=Event.Status.PUBLISHED)
    client.force_login(member_of(registration.organization))

    page = client.get(reverse("event-detail", args=[registration.event_id])).content.decode()

    assert registration.check_in_code_display not in page


def test_the_rsvp_confirmation_shows_the_code(client):
    registration = RegistrationFactory(invited=True, event__status=Event.Status.PUBLISHED)
    url = reverse("event-rsvp", args=[registration.rsvp_token])

    page = client.post(url, {"answer": "attend", "attendees": "周敏"}, follow=True)

    assert registration.check_in_code_display in page.content.decode()


def test_the_printable_schedule_has_the_code_and_the_meetings(client, meeting):
    registration = registration_of(meeting, meeting.provider)

    page = client.get(reverse("event-schedule-print", args=[registration.rsvp_token]))

    assert registration.check_in_code_display in page.content.decode()
    assert meeting.enterprise.display_name in page.content.decode()


def test_no_printable_schedule_for_a_declined_organization(client):
    registration = RegistrationFactory(status=Registration.Status.DECLINED)

    page = client.get(reverse("event-schedule-print", args=[registration.rsvp_token]))

    assert page.status_code == 404


def test_the_ics_download_carries_the_code(client, meeting):
    registration = registration_of(meeting, meeting.enterprise)
    client.force_login(meeting.enterprise.memberships.get().user)

    content = client.get(reverse("event-schedule-ics", args=[meeting.event_id])).content

    [vevent] = Calendar.from_ical(content).walk("VEVENT")
    assert registration.check_in_code_display in str(vevent["DESCRIPTION"])


# --- the emails ------------------------------------------------------------------------


def _attachments(message) -> dict[str, bytes]:
    """The files a reader sees attached (not the images shown inside the HTML)."""
    parts = message.message().walk()
    return {
        part.get_filename(): part.get_payload(decode=True)
        for part in parts
        if part.get_content_disposition() == "attachment"
    }


def _inline_qr(message) -> bytes:
    """The QR image the HTML body shows by cid:, checked to sit where mail programs look
    for it: in multipart/related beside the HTML, inside multipart/alternative with the
    plain text (which keeps the code as text)."""
    mime = message.message()
    [alternative] = [p for p in mime.walk() if p.get_content_type() == "multipart/alternative"]
    plain, related = alternative.get_payload()
    assert (plain.get_content_type(), related.get_content_type()) == (
        "text/plain",
        "multipart/related",
    )
    html, image = related.get_payload()
    assert 'src="cid:check-in-qr@aiplus"' in html.get_payload(decode=True).decode()
    assert (image["Content-ID"], image.get_content_disposition()) == (
        "<check-in-qr@aiplus>",
        "inline",
    )
    return image.get_payload(decode=True)


def test_the_schedule_email_carries_the_code_its_qr_and_the_ics(meeting, run_on_commit):
    registration = registration_of(meeting, meeting.enterprise)

    with run_on_commit():
        notifications.email_schedules(meeting.event)

    [message] = [m for m in mail.outbox if m.to == ["ent@example.com"]]
    assert registration.check_in_code_display in message.body
    assert "data:" not in message.alternatives[0][0]
    assert _inline_qr(message).startswith(PNG_SIGNATURE)
    files = _attachments(message)
    assert set(files) == {"schedule.ics"}
    [vevent] = Calendar.from_ical(files["schedule.ics"]).walk("VEVENT")
    assert registration.check_in_code_display in str(vevent["DESCRIPTION"])


def test_the_reminder_carries_the_code_and_its_qr(meeting, run_on_commit):
    registration = registration_of(meeting, meeting.provider)
    start = meeting.event.starts_at

    with run_on_commit():
        notifications.send_reminders(now=start - dt.timedelta(hours=20))

    [message] = [m for m in mail.outbox if m.to == ["prov@example.com"]]
    assert registration.check_in_code_display in message.body
    assert _inline_qr(message).startswith(PNG_SIGNATURE)


def test_the_rsvp_confirmation_carries_the_code_and_its_qr_inline(run_on_commit):
    from events.services import registration as registrations  # noqa: PLC0415

    registration = RegistrationFactory(invited=True, event=EventFactory())
    member_of(registration.organization, email="yes@example.com")

    with run_on_commit():
        registrations.respond_rsvp(registration=registration, attending=True)
        registrations.respond_rsvp(registration=registration, attending=True)  # once only

    [message] = [m for m in mail.outbox if m.to == ["yes@example.com"]]
    assert "报名已确认" in message.subject  # in the member's language
    assert registration.check_in_code_display in message.body
    assert _inline_qr(message).startswith(PNG_SIGNATURE)
    assert _attachments(message) == {}


def test_a_place_on_the_waiting_list_is_not_confirmed_until_promoted(run_on_commit):
    from events.services import registration as registrations  # noqa: PLC0415

    event = EventFactory(capacity_per_side=1)
    seated = RegistrationFactory(invited=True, event=event)
    waiting = RegistrationFactory(invited=True, event=event)
    member_of(waiting.organization, email="wait@example.com")
    registrations.respond_rsvp(registration=seated, attending=True)

    with run_on_commit():
        registrations.respond_rsvp(registration=waiting, attending=True)
    assert [m for m in mail.outbox if m.to == ["wait@example.com"]] == []

    with run_on_commit():
        registrations.respond_rsvp(registration=seated, attending=False)
    [promoted] = [m for m in mail.outbox if m.to == ["wait@example.com"]]
    assert waiting.check_in_code_display in promoted.body
    assert _inline_qr(promoted).startswith(PNG_SIGNATURE)


def test_self_registration_is_confirmed_with_the_code(run_on_commit):
    from events.services import registration as registrations  # noqa: PLC0415

    event = EventFactory(status=Event.Status.PUBLISHED)
    member = member_of(OrganizationFactory(kind="enterprise"), email="self@example.com")

    with run_on_commit():
        registration = registrations.register(
            event=event, organization=member.primary_membership.organization, side=None, by=member
        )

    [message] = [m for m in mail.outbox if m.to == ["self@example.com"]]
    assert registration.check_in_code_display in message.body


def test_the_qr_image_of_a_code_is_an_svg(client, meeting):
    registration = registration_of(meeting, meeting.enterprise)

    response = client.get(reverse("event-check-in-qr", args=[registration.check_in_code]))

    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


# --- the door ----------------------------------------------------------------------------


def _scan(client, event: Event, typed: str):
    client.force_login(StaffFactory())
    return client.post(
        reverse("event-check-in", args=[event.pk]),
        {"action": "token", "token": typed},
        follow=True,
    )


def test_the_check_in_page_takes_the_code_as_typed(client, meeting):
    registration = registration_of(meeting, meeting.enterprise)
    code = registration.check_in_code_display.lower().replace("-", " ")

    _scan(client, meeting.event, code)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CHECKED_IN


def test_a_code_of_another_event_names_that_event(client, meeting):
    elsewhere = RegistrationFactory(event=EventFactory(scheduled=True))

    response = _scan(client, meeting.event, elsewhere.check_in_code)

    [message] = [str(m) for m in response.context["messages"]]
    assert "another event" in message
    assert str(elsewhere.event) in message


@pytest.mark.parametrize(
    ("language", "venue", "code_line"),
    [("zh-hans", "场地：", "洽谈日程打印版："), ("en", "Venue: ", "Printable schedule: ")],
)
def test_the_emails_punctuate_labels_in_the_readers_language(language, venue, code_line):
    from core.models import OutgoingEmail  # noqa: PLC0415
    from events.services import registration as registrations  # noqa: PLC0415

    registration = RegistrationFactory(invited=True, event=EventFactory())
    member_of(registration.organization, email="p@example.com", language=language)

    registrations.respond_rsvp(registration=registration, attending=True)

    email = OutgoingEmail.objects.get(kind="event_registration_confirmed")
    assert venue in email.body_text
    assert venue in email.body_html
    assert code_line in email.body_text
    if language == "zh-hans":
        assert ": " not in email.body_text.replace("http://", "").replace("https://", "")
