"""platform/backup.sh and platform/restore.sh: a backup restores to the same data.

The demo programme (organizations, people, needs, solutions, matches, emails, outbox
…) on the private cluster is backed up, restored into a scratch database, and every
table is compared: same tables, same row counts, same contents. Media files come
back byte for byte.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from psycopg import sql

from loadtest.harness import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

BACKUP = ROOT / "platform" / "backup.sh"
RESTORE = ROOT / "platform" / "restore.sh"


def run(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own scripts
        [str(script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def table_fingerprints(cluster, database: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema → (row count, md5 of its sorted rows)."""
    with cluster.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        fingerprints = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            count, digest = connection.execute(query).fetchone()
            fingerprints[table] = (count, digest)
    return fingerprints


def files_under(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def media(tmp_path) -> Path:
    """Uploaded attachments as the site stores them, with a Chinese file name."""
    root = tmp_path / "media"
    (root / "attachments" / "2026" / "11").mkdir(parents=True)
    (root / "attachments" / "2026" / "11" / "质检需求说明.pdf").write_bytes(
        b"%PDF-1.7\n" + os.urandom(4096)
    )
    (root / "attachments" / "2026" / "11" / "line-photo.png").write_bytes(os.urandom(2048))
    return root


def backup(cluster, database: str, media: Path, output: Path) -> Path:
    result = run(
        BACKUP,
        str(output),
        DATABASE_URL=cluster.url(database),
        MEDIA_ROOT=str(media),
        PG_BINDIR=str(cluster.bindir),
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def restore(cluster, dump: Path, database: str, media: Path) -> subprocess.CompletedProcess:
    return run(
        RESTORE,
        "--database-url",
        cluster.url(database),
        "--media-root",
        str(media),
        "--yes",
        str(dump),
        PG_BINDIR=str(cluster.bindir),
    )


def test_backup_restores_every_table_and_media_file(pg_cluster, demo_database, media, tmp_path):
    source = table_fingerprints(pg_cluster, demo_database)
    dump = backup(pg_cluster, demo_database, media, tmp_path / "backups")
    pg_cluster.create_database("aiplus_restored")
    restored_media = tmp_path / "restored-media"

    try:
        result = restore(pg_cluster, dump, "aiplus_restored", restored_media)
        restored = table_fingerprints(pg_cluster, "aiplus_restored")
    finally:
        pg_cluster.drop_database("aiplus_restored")

    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in dump.parent.iterdir()) == sorted(
        [dump.name, f"{dump.stem}-media.tar.gz", f"{dump.stem}.sha256"]
    )
    assert source["matchmaking_need"][0] > 0
    assert source["matchmaking_match"][0] > 0
    assert {table: count for table, (count, _) in restored.items()} == {
        table: count for table, (count, _) in source.items()
    }
    assert restored == source
    assert files_under(restored_media) == files_under(media)


def test_restore_over_a_changed_database_brings_back_the_backup(
    pg_cluster, demo_database, media, tmp_path
):
    before = table_fingerprints(pg_cluster, demo_database)
    dump = backup(pg_cluster, demo_database, media, tmp_path / "backups")
    with pg_cluster.connect(demo_database) as connection:
        connection.execute("DELETE FROM matchmaking_match")
        connection.execute("UPDATE matchmaking_need SET title = 'changed after the backup'")

    result = restore(pg_cluster, dump, demo_database, tmp_path / "restored-media")

    assert result.returncode == 0, result.stderr
    assert table_fingerprints(pg_cluster, demo_database) == before


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    pg_cluster, demo_database, media, tmp_path
):
    dump = backup(pg_cluster, demo_database, media, tmp_path / "backups")
    with dump.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\0" * 16)
    before = table_fingerprints(pg_cluster, demo_database)

    result = restore(pg_cluster, dump, demo_database, tmp_path / "restored-media")

    assert result.returncode == 1
    assert "the backup is damaged" in result.stderr
    assert table_fingerprints(pg_cluster, demo_database) == before


def test_restore_without_yes_and_without_a_terminal_refuses(
    pg_cluster, demo_database, media, tmp_path
):
    dump = backup(pg_cluster, demo_database, media, tmp_path / "backups")

    result = subprocess.run(  # noqa: S603
        [str(RESTORE), "--database-url", pg_cluster.url(demo_database), str(dump)],
        env={**os.environ, "PG_BINDIR": str(pg_cluster.bindir)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "without --yes" in result.stderr


def test_backup_refuses_a_database_url_that_is_not_postgresql(tmp_path):
    result = run(BACKUP, str(tmp_path), DATABASE_URL="sqlite:///var/db.sqlite3")

    assert result.returncode == 1
    assert "not a PostgreSQL URL" in result.stderr
    assert list(tmp_path.iterdir()) == []
