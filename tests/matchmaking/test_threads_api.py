"""The threads API: the two organizations read and write, attachments are checked."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from matchmaking.models import Interest
from matchmaking.services import threads as services
from tests.factories import NeedFactory, OrganizationFactory, SolutionFactory, member_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def sides():
    need, solution = NeedFactory(), SolutionFactory()
    interest = Interest.objects.create(need=need, solution=solution, initiated_by_side="provider")
    return interest, member_of(need.organization), member_of(solution.organization)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_both_sides_exchange_messages_through_the_api(sides):
    interest, enterprise_user, provider_user = sides

    opened = api_as(provider_user).post("/api/v1/threads/", {"interest": interest.pk})
    thread_id = opened.json()["id"]
    url = f"/api/v1/threads/{thread_id}/messages/"
    sent = api_as(provider_user).post(
        url,
        {"body": "Here is our deck", "file": SimpleUploadedFile("deck.pdf", PDF)},
        format="multipart",
    )
    reply = api_as(enterprise_user).post(url, {"body": "Thanks"}, format="json")
    unread = api_as(provider_user).get("/api/v1/threads/").json()["results"][0]["unread"]
    listed = api_as(provider_user).get(url).json()

    assert (opened.status_code, sent.status_code, reply.status_code) == (200, 201, 201)
    assert [m["body"] for m in listed] == ["Here is our deck", "Thanks"]
    assert listed[0]["file"]["name"] == "deck.pdf"
    assert unread == 1
    assert api_as(provider_user).get("/api/v1/threads/").json()["results"][0]["unread"] == 0


def test_bad_messages_answer_400_and_outsiders_404(sides):
    interest, _enterprise_user, provider_user = sides
    thread = services.thread_for_interest(interest=interest)
    url = f"/api/v1/threads/{thread.pk}/messages/"

    empty = api_as(provider_user).post(url, {"body": " "}, format="json")
    fake = api_as(provider_user).post(
        url, {"file": SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>")}, format="multipart"
    )
    outsider = api_as(member_of(OrganizationFactory())).post(url, {"body": "hi"}, format="json")

    assert (empty.status_code, fake.status_code, outsider.status_code) == (400, 400, 404)
    assert "non_field_errors" in empty.json()
    assert list(fake.json()) == ["file"]
