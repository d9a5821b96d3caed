"""Importing in the background, with progress: the admin upload, the job, the terminal bar."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse

from matchmaking.admin.catalog_import import BACKGROUND_BYTES
from matchmaking.catalog_io import import_catalog
from matchmaking.management.commands.import_catalog import ProgressBar
from matchmaking.models import CatalogImport, MatchRun, Need, Status
from matchmaking.services import catalog_imports
from tests.factories import StaffFactory
from tests.matchmaking.test_catalog_io import IMPORT_URL, catalog, upload

pytestmark = pytest.mark.django_db

RECORDS = 5  # catalog(): two organizations, two needs, one solution


def test_import_reports_every_record_checked_written_and_published():
    heard: list[tuple[str, int, int]] = []

    import_catalog(catalog(), status=Status.APPROVED, progress=lambda *a: heard.append(a))

    by_stage = {stage: [done for s, done, _t in heard if s == stage] for stage, *_ in heard}
    assert by_stage == {
        "checked": [1, 2, 3, 4, 5],
        "written": [1, 2, 3, 4, 5],
        "published": [1, 2, 3],
    }
    assert {total for *_s, total in heard} == {RECORDS}


def test_admin_upload_in_the_background_imports_publishes_and_matches(client, run_on_commit):
    staff = StaffFactory()
    client.force_login(staff)

    with run_on_commit():
        response = client.post(
            IMPORT_URL, {"file": upload(catalog()), "status": "approved", "background": "on"}
        )

    job = CatalogImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:matchmaking_catalogimport_change", args=[job.pk])
    assert (job.state, job.total, job.checked, job.written, job.published) == (
        CatalogImport.State.IMPORTED,
        RECORDS,
        RECORDS,
        RECORDS,
        3,
    )
    assert job.created_by == staff
    assert job.counts["needs"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert job.match_run is not None
    assert job.match_run.status == MatchRun.Status.SUCCEEDED
    assert Need.objects.published().count() == 2

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "5 of 5 records checked, 5 written, 3 published" in text
    assert f"#{job.match_run.pk}" in text
    assert "100%" in text


def test_a_large_file_is_imported_in_the_background_without_asking(
    client, run_on_commit, monkeypatch
):
    monkeypatch.setattr("matchmaking.admin.catalog_import.BACKGROUND_BYTES", 10)
    client.force_login(StaffFactory())

    with run_on_commit():
        response = client.post(IMPORT_URL, {"file": upload(catalog()), "status": "draft"})

    assert response.status_code == 302
    assert CatalogImport.objects.get().state == CatalogImport.State.IMPORTED
    assert BACKGROUND_BYTES == 1024 * 1024


def test_a_background_import_with_problems_records_them_and_writes_nothing(client, run_on_commit):
    document = catalog()
    document["needs"][0]["budget_max"] = 20
    client.force_login(StaffFactory())

    with run_on_commit():
        client.post(IMPORT_URL, {"file": upload(document), "status": "draft", "background": "on"})

    job = CatalogImport.objects.get()
    assert job.state == CatalogImport.State.FAILED
    assert any("budget" in problem for problem in job.errors)
    assert Need.objects.count() == 0
    assert job.match_run is None


def test_live_progress_is_read_while_the_import_runs(monkeypatch):
    monkeypatch.setattr(catalog_imports, "PROGRESS_INTERVAL", 0)
    job = CatalogImport.objects.create(file_name="round.json", record_status="draft")
    job.state = CatalogImport.State.RUNNING
    job.save()
    live = catalog_imports.LiveCounts(job.pk)

    live("checked", 5, 5)
    live("written", 2, 5)

    now = catalog_imports.progress_of(job)
    assert (now["total"], now["checked"], now["written"], now["published"]) == (5, 5, 2, 0)


def test_the_terminal_bar_shows_stage_and_records():
    screen = io.StringIO()
    bar = ProgressBar(screen, "round.json")

    bar("checked", 5, 10)
    bar("written", 10, 10)
    bar.close()

    lines = screen.getvalue().split("\r")
    assert lines[1].startswith("round.json: [###############...............] checking 5/10")
    assert lines[2] == "round.json: [" + "#" * 30 + "] writing 10/10\n"


def test_the_command_draws_no_bar_when_not_on_a_terminal(tmp_path, capsys):
    from django.core.management import call_command  # noqa: PLC0415

    path = tmp_path / "round.json"
    path.write_bytes(upload(catalog()).read())

    call_command("import_catalog", str(path), "--status", "approved")

    out, err = capsys.readouterr()
    assert "\r" not in err
    assert "3 published" in out
    assert "full re-match run #" in out
