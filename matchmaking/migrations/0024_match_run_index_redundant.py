"""Lighter writes of a full run.

* Match.run loses its own index: the two rank indexes and the unique constraint all
  start with the run, and each row written (COPY) or ranked (UPDATE) paid for it.
* On PostgreSQL the fitted model's blobs (tens of megabytes) are compressed with lz4
  where the server offers it: pglz took about three times as long for the same size.
"""

import django.db.models.deletion
from django.db import migrations, models

BLOBS = (
    ("matchmaking_fittedvocabulary", "data"),
    ("matchmaking_matchingstate", "model_blob"),
)


def _lz4_offered(cursor) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)"
    )
    return cursor.fetchone() is not None


def compress_blobs_with(method: str):
    def apply(apps, schema_editor) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if method == "lz4" and not _lz4_offered(cursor):
                return
            for table, column in BLOBS:
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0023_search_updated_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="match",
            name="run",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="matches",
                to="matchmaking.matchrun",
            ),
        ),
        migrations.RunPython(compress_blobs_with("lz4"), compress_blobs_with("pglz")),
    ]
