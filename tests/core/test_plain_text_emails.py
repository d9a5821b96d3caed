"""Plain-text emails and subjects carry the text as written; only the HTML body escapes it.
Their links point where the site is served (SITE_URL; `make run` sets it from its port)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from core.emails import queue_email
from core.models import OutgoingEmail
from matchmaking.models import Status
from matchmaking.services import catalog as services
from tests.factories import NeedFactory, OrganizationFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
TITLE = "R&D 平台 <试点> “质检”"


def test_subject_and_text_body_are_not_html_escaped(run_on_commit):
    author = member_of(OrganizationFactory())
    need = NeedFactory(
        title=TITLE,
        organization=author.primary_membership.organization,
        created_by=author,
        status=Status.SUBMITTED,
    )
    with run_on_commit():
        services.return_records(by=StaffFactory(), records=[need], reason="请说明 R&D 预算 < 50 万")

    email = OutgoingEmail.objects.get(kind="review_decision")
    assert TITLE in email.subject
    assert TITLE in email.body_text
    assert "请说明 R&D 预算 < 50 万" in email.body_text
    assert "&amp;" not in email.subject + email.body_text
    assert "&lt;" not in email.body_text
    assert "R&amp;D 平台 &lt;试点&gt;" in email.body_html  # the HTML body still escapes


def test_links_use_the_address_the_site_is_served_on(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    author = member_of(OrganizationFactory())
    email = queue_email(
        to=author.email,
        user=author,
        template="review_decision",
        context={
            "record": NeedFactory(),
            "kind": "need",
            "approved": True,
            "link": settings.SITE_URL + "/my/needs/1/",
        },
    )
    assert "http://127.0.0.1:8123/" in email.body_text
    assert ":8000" not in email.body_text + email.body_html


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_on_another_port_links_to_that_port():
    plan = subprocess.run(  # noqa: S603 — a fixed command line
        [shutil.which("make"), "-n", "run", "worker", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://x"},
    ).stdout
    serving = [line for line in plan.splitlines() if "runserver" in line or "celery -A" in line]
    assert serving, plan
    assert all("SITE_URL=http://127.0.0.1:8123 " in line for line in serving), serving
