"""A chosen attachment is kept when another field has an error (pending_uploads)."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from matchmaking.models import Attachment, Need
from matchmaking.services import pending_uploads
from tests.factories import OrganizationFactory, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TOKEN = re.compile(r'name="keep_attachment" value="([^"]+)" checked')


@pytest.fixture
def member(client):
    user = member_of(OrganizationFactory(kind="enterprise"))
    client.force_login(user)
    return user


def need_data(**changes) -> dict:
    return {
        "title": "质检视觉方案征集",
        "summary": "产线外观缺陷检测",
        "description": "需要识别划痕与污渍。",
        "confidentiality": "members",
        "action": "draft",
        **changes,
    }


def pdf(name: str = "需求说明书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def pending_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT) / pending_uploads.PENDING_DIR
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def post_with_an_error(client, **files):
    # The budget range is upside down: the form comes back with an error there.
    return client.post(
        reverse("my-need-new"), need_data(budget_min=50, budget_max=10, **files), follow=True
    )


def test_the_chosen_file_is_shown_as_kept_and_attached_when_the_form_is_corrected(
    client, member, run_on_commit
):
    page = post_with_an_error(client, new_attachments=[pdf()])

    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Keep: 需求说明书.pdf" in text
    (token,) = TOKEN.findall(page.content.decode())
    assert not Need.objects.exists()
    assert not Attachment.objects.exists()
    assert len(pending_files()) == 1

    with run_on_commit():
        done = client.post(
            reverse("my-need-new"),
            need_data(budget_min=10, budget_max=50, keep_attachment=[html.unescape(token)]),
        )

    assert done.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.need, attachment.original_name) == (Need.objects.get(), "需求说明书.pdf")
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert pending_files() == []  # the kept copy is gone once attached


def test_a_second_error_keeps_the_first_file_and_adds_the_new_one(client, member):
    first = post_with_an_error(client, new_attachments=[pdf("a.pdf")])
    (token,) = TOKEN.findall(first.content.decode())

    second = post_with_an_error(
        client, new_attachments=[pdf("b.pdf")], keep_attachment=[html.unescape(token)]
    )

    tokens = [html.unescape(t) for t in TOKEN.findall(second.content.decode())]
    assert len(tokens) == 2
    client.post(reverse("my-need-new"), need_data(keep_attachment=tokens))
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["a.pdf", "b.pdf"]


def test_an_unticked_file_is_not_attached(client, member):
    post_with_an_error(client, new_attachments=[pdf()])

    client.post(reverse("my-need-new"), need_data())

    assert Need.objects.exists()
    assert not Attachment.objects.exists()


def test_a_token_of_someone_else_or_tampered_with_brings_nothing(client, member):
    page = post_with_an_error(client, new_attachments=[pdf()])
    (token,) = [html.unescape(t) for t in TOKEN.findall(page.content.decode())]

    other = member_of(OrganizationFactory(kind="enterprise"))
    client.force_login(other)
    client.post(reverse("my-need-new"), need_data(keep_attachment=[token, token[:-2] + "xx"]))

    assert Need.objects.filter(organization=other.primary_membership.organization).exists()
    assert not Attachment.objects.exists()


def test_kept_files_count_towards_the_files_per_save(client, member, settings):
    settings.ATTACHMENTS_PER_SAVE = 2
    page = post_with_an_error(client, new_attachments=[pdf("a.pdf"), pdf("b.pdf")])
    tokens = [html.unescape(t) for t in TOKEN.findall(page.content.decode())]

    refused = client.post(
        reverse("my-need-new"), need_data(keep_attachment=tokens, new_attachments=[pdf("c.pdf")])
    )

    assert refused.status_code == 200
    assert "at most 2 files" in refused.content.decode()
    assert not Attachment.objects.exists()


def test_files_nobody_came_back_for_are_purged_after_a_day(member):
    old = pending_uploads.stash(by=member, upload=pdf("old.pdf"))
    fresh = pending_uploads.stash(by=member, upload=pdf("fresh.pdf"))
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old.path), (two_days_ago, two_days_ago))

    assert pending_uploads.purge_stale() == 1

    assert not default_storage.exists(old.path)
    assert pending_uploads.claim(by=member, token=fresh.token) == fresh
    assert pending_uploads.claim(by=member, token=old.token) is None
