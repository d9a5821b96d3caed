"""`manage.py migrate`, also for databases made before the core app existed.

Django's own command refuses such a database before doing anything: admin, authtoken
and every other app that points at the user model now depend on core's first
migration (AUTH_USER_MODEL is core.User), and in that database they are applied
while core 0001 is not (InconsistentMigrationHistory). core 0001 only records, in
Django's model state, that the shared models (and their unchanged tables) belong to
core; it has no database operations. So once matchmaking 0011, the last migration
before the move, is applied, recording core 0001 as applied is exactly what applying
it would do. This command does that first, says so, and then migrates as usual.

Every way the site migrates goes through it: `make run`, the container's entrypoint
(docker-compose) and pytest-django's test databases all call `migrate`, and this
app's command takes the place of Django's (tests/core/test_migrate_command.py).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

CORE_INITIAL = ("core", "0001_initial")
# The last migration before the move: the shared models' tables are complete.
BEFORE_MOVE = ("matchmaking", "0011_labels_2")
# The last commit of main before the core app.
LAST_RELEASE_BEFORE_CORE = "836e97f"


def adopt_database_made_before_core(database: str = DEFAULT_DB_ALIAS) -> str | None:
    """Record core 0001 as applied in a database made before the move; say what was done.

    Returns None when there is nothing to do: a new database (Django migrates it in
    order), or one that already has core 0001. A database that stopped before
    matchmaking 0011 cannot be adopted: the error says how to bring it there.
    """
    connection = connections[database]
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return None
    applied = recorder.applied_migrations()
    if CORE_INITIAL in applied or not any(app == "matchmaking" for app, _name in applied):
        return None
    if BEFORE_MOVE not in applied:
        last = max(name for app, name in applied if app == "matchmaking")
        raise CommandError(
            f"This database was made before the core app existed and its matchmaking "
            f"migrations stop at {last}. Migrate it with the release before the core app "
            f"first (commit {LAST_RELEASE_BEFORE_CORE}: `git checkout "
            f"{LAST_RELEASE_BEFORE_CORE} && python manage.py migrate`), then run this "
            f"release's `manage.py migrate` again."
        )
    recorder.record_applied(*CORE_INITIAL)
    return (
        "This database was made before the core app existed: recorded core.0001_initial "
        "as applied (it gives the shared models' state to core and changes no table)."
    )


class Command(DjangoMigrateCommand):
    help = (
        DjangoMigrateCommand.help
        + " In a database made before the core app existed, core's state-only first "
        "migration is recorded as applied first."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        message = adopt_database_made_before_core(options["database"])
        if message and options["verbosity"] >= 1:
            self.stdout.write(self.style.WARNING(message))
        super().handle(*args, **options)
