"""Conversation threads: who reads and writes, attachments, unread marks, the digest."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import DomainError, NotAllowedError
from core.models import AuditEntry
from matchmaking.models import Interest, Thread, ThreadMessage
from matchmaking.services import threads as services
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NEED_PHONE = "13811112222"


@pytest.fixture
def introduction():
    """A pending introduction (the provider asked) and one person on each side."""
    need = NeedFactory(contact_phone=NEED_PHONE, contact_email="need.side@example.com")
    solution = SolutionFactory()
    enterprise_user = member_of(need.organization, email="ent@example.com")
    provider_user = member_of(solution.organization, email="prov@example.com")
    interest = Interest.objects.create(
        need=need, solution=solution, initiated_by_side="provider", created_by=provider_user
    )
    return interest, enterprise_user, provider_user


def test_thread_is_opened_once_per_introduction(introduction):
    interest, _enterprise_user, provider_user = introduction

    first = services.thread_for_interest(interest=interest, by=provider_user)
    second = services.thread_for_interest(interest=interest, by=provider_user)

    assert first.pk == second.pk
    assert (first.enterprise_id, first.provider_id) == (
        interest.need.organization_id,
        interest.solution.organization_id,
    )
    assert AuditEntry.objects.filter(action="thread.opened").count() == 1


def test_both_sides_write_and_an_outsider_cannot(introduction):
    interest, enterprise_user, provider_user = introduction
    thread = services.thread_for_interest(interest=interest)
    outsider = member_of(OrganizationFactory())

    services.post_message(by=provider_user, thread=thread, body="Can you share the data format?")
    services.post_message(by=enterprise_user, thread=thread, body="CSV, about 2 GB a day.")
    with pytest.raises(NotAllowedError):
        services.post_message(by=outsider, thread=thread, body="hello")
    with pytest.raises(NotAllowedError):
        services.post_message(by=StaffFactory(), thread=thread, body="staff only read")

    assert [(m.organization_id, m.body) for m in thread.messages.order_by("pk")] == [
        (interest.solution.organization_id, "Can you share the data format?"),
        (interest.need.organization_id, "CSV, about 2 GB a day."),
    ]
    assert AuditEntry.objects.filter(action="thread.message_posted").count() == 2


def test_thread_page_is_visible_to_the_two_sides_and_staff_only(client, introduction):
    interest, enterprise_user, provider_user = introduction
    thread = services.thread_for_interest(interest=interest)
    services.post_message(by=provider_user, thread=thread, body="Our first question")
    url = reverse("thread-detail", args=[thread.pk])

    seen = {}
    for name, user in {
        "enterprise": enterprise_user,
        "provider": provider_user,
        "staff": StaffFactory(),
        "outsider": member_of(OrganizationFactory()),
    }.items():
        client.force_login(user)
        response = client.get(url)
        seen[name] = (response.status_code, "Our first question" in response.content.decode())

    assert seen == {
        "enterprise": (200, True),
        "provider": (200, True),
        "staff": (200, True),
        "outsider": (404, False),
    }


def test_thread_never_shows_contacts_before_both_agreed(client, introduction):
    interest, enterprise_user, provider_user = introduction
    thread = services.thread_for_interest(interest=interest)
    services.post_message(by=enterprise_user, thread=thread, body="Hello")

    client.force_login(provider_user)
    page = client.get(reverse("thread-detail", args=[thread.pk])).content.decode()

    assert NEED_PHONE not in page
    assert "need.side@example.com" not in page


def test_message_form_posts_with_an_attachment_and_refuses_a_fake_pdf(client, introduction):
    interest, _enterprise_user, provider_user = introduction
    client.force_login(provider_user)
    thread_url = client.post(reverse("interest-thread", args=[interest.pk]))["Location"]

    ok = client.post(
        thread_url,
        {"body": "Our brochure", "file": SimpleUploadedFile("brochure.pdf", PDF)},
    )
    fake = client.post(
        thread_url,
        {"body": "", "file": SimpleUploadedFile("x.pdf", b"<html><script>1</script></html>")},
    )

    assert ok.status_code == 302
    assert fake.status_code == 200
    assert "file" in fake.context["form"].errors
    message = ThreadMessage.objects.get()
    assert (message.original_name, message.content_type) == ("brochure.pdf", "application/pdf")
    download = client.get(reverse("thread-message-file", args=[message.pk]))
    assert b"".join(download.streaming_content) == PDF
    client.force_login(member_of(OrganizationFactory()))
    assert client.get(reverse("thread-message-file", args=[message.pk])).status_code == 404


def test_empty_message_is_a_form_error(client, introduction, english):
    interest, _enterprise_user, provider_user = introduction
    thread = services.thread_for_interest(interest=interest)
    client.force_login(provider_user)

    response = client.post(reverse("thread-detail", args=[thread.pk]), {"body": "  "})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Write a message or attach a file."]


def test_closed_introduction_takes_no_more_messages(introduction):
    interest, _enterprise_user, provider_user = introduction
    thread = services.thread_for_interest(interest=interest)
    Interest.objects.filter(pk=interest.pk).update(status="declined")

    with pytest.raises(DomainError):
        services.post_message(by=provider_user, thread=thread, body="Still there?")


def test_unread_counts_until_the_thread_is_opened(client, introduction):
    interest, enterprise_user, provider_user = introduction
    thread = services.thread_for_interest(interest=interest)
    services.post_message(by=provider_user, thread=thread, body="one")
    services.post_message(by=provider_user, thread=thread, body="two")
    client.force_login(enterprise_user)

    before = client.get(reverse("threads")).context["threads"][0].unread
    client.get(reverse("thread-detail", args=[thread.pk]))
    after = client.get(reverse("threads")).context["threads"][0].unread

    assert (before, after) == (2, 0)


def test_digest_is_one_email_per_person_and_never_repeats(introduction, run_on_commit):
    interest, enterprise_user, provider_user = introduction
    colleague = member_of(interest.need.organization, email="colleague@example.com")
    thread = services.thread_for_interest(interest=interest)
    for text in ("first", "second", "third"):
        services.post_message(by=provider_user, thread=thread, body=text)

    with run_on_commit():
        sent = services.send_digests()
    with run_on_commit():
        again = services.send_digests()

    assert (sent, again) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["colleague@example.com", "ent@example.com"]
    body = mail.outbox[0].body
    assert [text in body for text in ("first", "second", "third")] == [True, True, True]
    assert colleague.pk != enterprise_user.pk


def test_digest_leaves_out_what_was_read_and_sends_only_new_messages(introduction, run_on_commit):
    interest, enterprise_user, provider_user = introduction
    thread = services.thread_for_interest(interest=interest)
    services.post_message(by=provider_user, thread=thread, body="already read")
    services.mark_read(user=enterprise_user, thread=thread)
    with run_on_commit():
        assert services.send_digests() == 0

    services.post_message(by=provider_user, thread=thread, body="new one")
    with run_on_commit():
        assert services.send_digests() == 1
    services.post_message(by=enterprise_user, thread=thread, body="reply")
    with run_on_commit():
        assert services.send_digests() == 1

    assert [m.to for m in mail.outbox] == [["ent@example.com"], ["prov@example.com"]]
    assert "new one" in mail.outbox[0].body
    assert "already read" not in mail.outbox[0].body
    assert "reply" in mail.outbox[1].body


def _queries_of_thread_list(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("threads")).status_code == 200
    return len(captured)


def test_thread_list_has_the_same_number_of_queries_for_1_and_3_threads(client, introduction):
    interest, enterprise_user, provider_user = introduction
    client.force_login(enterprise_user)
    thread = services.thread_for_interest(interest=interest)
    services.post_message(by=provider_user, thread=thread, body="x")
    one = _queries_of_thread_list(client)
    for _ in range(2):
        other = Interest.objects.create(
            need=NeedFactory(organization=interest.need.organization),
            solution=SolutionFactory(),
            initiated_by_side="provider",
        )
        services.thread_for_interest(interest=other)

    three = _queries_of_thread_list(client)

    assert Thread.objects.count() == 3
    assert one == three
