"""Every list endpoint reads a page in a fixed number of queries, however many items it holds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import NeedFactory, OrganizationFactory, SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(
    ("actor", "queries"),
    [
        # count, page (with organization and industry), capabilities
        ("anonymous", 3),
        # + the caller's memberships, + the history of the records
        ("member_a", 5),
        # + the caller's memberships, the history, the caller's introductions (one query per list)
        ("provider_member", 6),
        ("staff", 4),
    ],
    indirect=["actor"],
)
def test_need_list_query_count(client_for, django_assert_num_queries, actor, queries, n, org_a):
    NeedFactory.create_batch(n, organization=org_a)
    client = client_for(actor)

    with django_assert_num_queries(queries):
        response = client.get(reverse("api:need-list"))

    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(
    ("actor", "queries"),
    [
        # count, page (with organization), capabilities, industries
        ("anonymous", 4),
        # + the caller's memberships, + the history of the records
        ("provider_member", 6),
        ("member_a", 7),
        ("staff", 5),
    ],
    indirect=["actor"],
)
def test_solution_list_query_count(
    client_for, django_assert_num_queries, actor, queries, n, provider_org
):
    SolutionFactory.create_batch(n, organization=provider_org)
    client = client_for(actor)

    with django_assert_num_queries(queries):
        response = client.get(reverse("api:solution-list"))

    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(
    ("actor", "queries"),
    # count, page (with industry); + the caller's memberships for the USCC
    [("anonymous", 2), ("member_a", 3)],
    indirect=["actor"],
)
def test_organization_list_query_count(client_for, django_assert_num_queries, actor, queries, n):
    OrganizationFactory.create_batch(n - 1 if actor else n)
    client = client_for(actor)

    with django_assert_num_queries(queries):
        response = client.get(reverse("api:organization-list"))

    assert len(response.json()["results"]) == n
