"""Attachments: checked by content and size, stored outside static, served only to those allowed."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.validators import sanitize_filename
from matchmaking.models import Attachment
from tests.factories import NeedFactory, OrganizationFactory, ProviderFactory, member_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def owner_and_need(client):
    need = NeedFactory(status="draft", share_attachments=True)
    owner = member_of(need.organization)
    client.force_login(owner)
    return owner, need


def post_files(client, need, *files):
    data = {
        "title": need.title,
        "summary": need.summary,
        "description": need.description,
        "action": "draft",
        "confidentiality": "members",
        "new_attachments": list(files),
    }
    return client.post(reverse("my-need-edit", args=[need.pk]), data)


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("方案说明.pdf", PDF, "application/pdf"),
        ("现场照片.png", PNG, "image/png"),
        (
            "需求书.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_files_are_stored_with_their_real_type(client, owner_and_need, name, content, mime):
    _, need = owner_and_need

    response = post_files(client, need, upload(name, content))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (name, mime)
    assert Path(attachment.file.path).is_relative_to(settings.MEDIA_ROOT)
    assert not Path(attachment.file.path).is_relative_to(settings.STATIC_ROOT)


def test_html_behind_a_pdf_extension_is_refused(client, owner_and_need):
    _, need = owner_and_need
    response = post_files(
        client, need, upload("report.pdf", b"<html><script>alert(1)</script></html>")
    )
    assert "new_attachments" in response.context["form"].errors
    assert "PDF" in response.context["form"].errors["new_attachments"][0]
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"MZ\x90\x00\x03\x00\x00\x00",
    ],
)
def test_svg_html_and_executables_are_refused(client, owner_and_need, content):
    _, need = owner_and_need
    response = post_files(client, need, upload("picture.png", content))
    assert "new_attachments" in response.context["form"].errors
    assert Attachment.objects.count() == 0


def test_oversize_file_is_refused_with_the_limit_in_the_message(client, owner_and_need, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    _, need = owner_and_need
    big = PDF + b"0" * (1024 * 1024)

    response = post_files(client, need, upload("big.pdf", big))

    error = response.context["form"].errors["new_attachments"][0]
    assert "1 MB" in error
    assert Attachment.objects.count() == 0


def test_path_traversal_in_the_name_is_neutralised(client, owner_and_need):
    _, need = owner_and_need

    post_files(client, need, upload("../../../etc/passwd.pdf", PDF))

    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    assert ".." not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("page.html", PDF, ".pdf"),
        ("run.exe", PNG, ".png"),
        ("readme", PDF, ".pdf"),
        ("图.PHP", PNG, ".png"),
    ],
)
def test_the_file_on_disk_has_the_extension_of_its_detected_type(
    client, owner_and_need, name, content, extension
):
    _, need = owner_and_need

    post_files(client, need, upload(name, content))

    attachment = Attachment.objects.get()
    assert Path(attachment.file.name).suffix == extension
    assert Path(attachment.original_name).suffix == extension


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("a<b>c|d.pdf", "a_b_c_d.pdf"),
        ("   .pdf", "pdf"),
        ("合同 (草稿).docx", "合同 (草稿).docx"),
    ],
)
def test_sanitize_filename(raw, clean):
    assert sanitize_filename(raw) == clean


def release(response) -> None:
    """Read a download to the end: the test client then closes its file and ends the
    request without closing the test's database connection."""
    if response.streaming:
        b"".join(response.streaming_content)


def test_attachment_download_rules(client, owner_and_need):
    _, need = owner_and_need
    post_files(client, need, upload("说明.pdf", PDF))
    attachment = Attachment.objects.get()
    url = reverse("attachment-download", args=[attachment.pk])

    def status() -> int:
        response = client.get(url)
        release(response)
        return response.status_code

    assert status() == 200  # owner, draft

    client.force_login(member_of(ProviderFactory()))
    assert status() == 404  # outsider, draft

    need.status = "approved"
    need.save()
    response = client.get(url)
    assert response.status_code == 200  # published and shared
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF

    need.share_attachments = False
    need.save()
    assert status() == 404  # published but not shared

    client.logout()
    assert status() == 302  # anonymous → sign in


def test_attachments_not_shown_to_others_unless_shared(client, owner_and_need):
    _, need = owner_and_need
    post_files(client, need, upload("内部资料.pdf", PDF))
    need.status = "approved"
    need.share_attachments = False
    need.save()
    client.force_login(member_of(OrganizationFactory()))

    body = client.get(reverse("need-detail", args=[need.pk])).content.decode()

    assert "内部资料.pdf" not in body
