"""`manage.py migrate` is core's command, wherever the site migrates from."""

import pytest
from django.core.management import get_commands, load_command_class

from core.management.commands.migrate import Command, adopt_database_made_before_core


def test_migrate_resolves_to_core_command():
    # make run, platform/entrypoint.sh and pytest-django's test databases all call
    # `migrate` by name, so they all get this command.
    command = load_command_class(get_commands()["migrate"], "migrate")

    assert type(command) is Command


@pytest.mark.django_db
def test_migrate_leaves_a_database_made_with_core_alone():
    assert adopt_database_made_before_core() is None
