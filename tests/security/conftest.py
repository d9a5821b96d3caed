"""The security tests' world, built once per module, and clients acting as each role."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """Every kind of object, own and foreign (tests/security/world.py).

    Built once per module inside a transaction that is rolled back at the end of the
    module; each test runs in a savepoint inside it, so what a test changes is undone
    before the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def in_world(world, db) -> World:
    """The world, with the attachments' files in this test's MEDIA_ROOT."""
    world.write_attachment_files()
    return world


def client_as(world: World, role: str, **client_kwargs) -> Client:
    """A test client signed in as the role's user (none for the anonymous visitor)."""
    client = Client(**client_kwargs)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def body_of(response) -> bytes:
    """The whole body, also of a streamed download (read to the end, which closes it)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
