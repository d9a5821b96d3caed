"""Actors and clients for the REST API tests.

Enterprise A and enterprise B post needs, the provider posts solutions, staff run the
programme. Each actor is the owner of their organization.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.models import Organization, User
from tests.factories import OrganizationFactory, ProviderFactory, StaffFactory, member_of

ACTORS = ("anonymous", "member_a", "member_b", "provider_member", "staff")


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    # Throttling counts writes in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org_a() -> Organization:
    return OrganizationFactory(name="上海甲精密制造有限公司")


@pytest.fixture
def org_b() -> Organization:
    return OrganizationFactory(name="上海乙医疗器械有限公司")


@pytest.fixture
def provider_org() -> Organization:
    return ProviderFactory(name="上海丙智能科技有限公司")


@pytest.fixture
def member_a(org_a) -> User:
    return member_of(org_a, email="a@example.com")


@pytest.fixture
def member_b(org_b) -> User:
    return member_of(org_b, email="b@example.com")


@pytest.fixture
def provider_member(provider_org) -> User:
    return member_of(provider_org, email="provider@example.com")


@pytest.fixture
def staff() -> User:
    return StaffFactory(email="office@example.com")


@pytest.fixture
def client_for():
    """An API client acting as `user` (None: anonymous), asking for English messages."""

    def make(user: User | None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def actor(request):
    """The user named by the test's indirect `actor` parameter (None for anonymous)."""
    name = request.param
    return None if name == "anonymous" else request.getfixturevalue(name)
