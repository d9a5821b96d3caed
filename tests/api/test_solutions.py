"""Posting and changing solutions through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matchmaking.models import Solution, Status
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db

COMPLETE_SOLUTION = {
    "title": "工业视觉质检大模型",
    "summary": "小样本训练的表面缺陷检测。",
    "description": "已在 60 余家制造企业落地。",
    "industries": ["manufacturing", "automotive"],
    "capabilities": ["computer_vision", "multimodal"],
    "deployment_modes": ["on_premise", "edge"],
    "base_model": "InternLM-XComposer",
    "filing_number": "Shanghai-XXX-2024",
    "maturity": "product",
    "price_min": 30,
    "price_max": 150,
    "cases": "某汽车零部件厂。",
    "contact": {"name": "陈博士", "phone": "021-64871234", "email": "chen@example.com"},
}


def test_solution_create_saves_a_draft_for_the_callers_provider(
    client_for, provider_member, provider_org
):
    response = client_for(provider_member).post(reverse("api:solution-list"), COMPLETE_SOLUTION)

    assert response.status_code == 201
    solution = Solution.objects.get()
    assert (solution.organization, solution.status) == (provider_org, Status.DRAFT)
    assert (solution.deploy_on_premise, solution.deploy_edge, solution.deploy_cloud) == (
        True,
        True,
        False,
    )
    body = response.json()
    assert body["deployment_modes"] == ["on_premise", "edge"]
    assert body["industries"] == ["manufacturing", "automotive"]
    assert body["contact"] == COMPLETE_SOLUTION["contact"]


def test_solution_submit_complete_draft(client_for, provider_member):
    client = client_for(provider_member)
    created = client.post(reverse("api:solution-list"), COMPLETE_SOLUTION).json()

    response = client.post(reverse("api:solution-submit", args=[created["id"]]))

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"


def test_solution_submit_without_deployment_modes_is_400(client_for, provider_member):
    client = client_for(provider_member)
    payload = {**COMPLETE_SOLUTION, "deployment_modes": []}
    created = client.post(reverse("api:solution-list"), payload).json()

    response = client.post(reverse("api:solution-submit", args=[created["id"]]))

    assert response.status_code == 400
    assert response.json() == {"deployment_modes": ["Choose at least one deployment mode."]}


def test_solution_submit_without_capabilities_is_400(client_for, provider_member, provider_org):
    solution = SolutionFactory(
        organization=provider_org, status=Status.DRAFT, published_at=None, capabilities=[]
    )

    response = client_for(provider_member).post(reverse("api:solution-submit", args=[solution.pk]))

    assert response.status_code == 400
    assert response.json() == {"capabilities": ["Choose at least one AI capability."]}


def test_solution_create_with_price_min_above_max_is_400(client_for, provider_member):
    payload = {**COMPLETE_SOLUTION, "price_min": 200, "price_max": 100}

    response = client_for(provider_member).post(reverse("api:solution-list"), payload)

    assert response.status_code == 400
    assert response.json() == {
        "price_max": ["The upper amount (100) must not be below the lower amount (200)."]
    }


def test_solution_create_with_unknown_deployment_mode_is_400(client_for, provider_member):
    payload = {**COMPLETE_SOLUTION, "deployment_modes": ["on_premise", "mainframe"]}

    response = client_for(provider_member).post(reverse("api:solution-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"deployment_modes": {"1": ['"mainframe" is not a valid choice.']}}


def test_solution_create_with_bad_phone_is_400(client_for, provider_member):
    payload = {**COMPLETE_SOLUTION, "contact": {"phone": "021-123"}}

    response = client_for(provider_member).post(reverse("api:solution-list"), payload)

    assert response.status_code == 400
    assert list(response.json()) == ["contact"]
    assert list(response.json()["contact"]) == ["phone"]


def test_solution_update_changes_deployment_modes(client_for, provider_member, provider_org):
    solution = SolutionFactory(organization=provider_org, status=Status.DRAFT, published_at=None)

    response = client_for(provider_member).patch(
        reverse("api:solution-detail", args=[solution.pk]), {"deployment_modes": ["cloud"]}
    )

    assert response.status_code == 200
    assert response.json()["deployment_modes"] == ["cloud"]
    solution.refresh_from_db()
    assert solution.deployment_modes == ["cloud"]


def test_solution_update_normalizes_filing_number_spaces(client_for, provider_member, provider_org):
    solution = SolutionFactory(organization=provider_org, status=Status.DRAFT, published_at=None)

    client_for(provider_member).patch(
        reverse("api:solution-detail", args=[solution.pk]),
        {"filing_number": "  Shanghai-ABC   2025 "},
    )

    solution.refresh_from_db()
    assert solution.filing_number == "Shanghai-ABC 2025"


def test_solution_list_filters_like_the_catalog_page(client_for, provider_org):
    wanted = SolutionFactory(
        organization=provider_org, deploy_on_premise=True, filing_number="Shanghai-1"
    )
    SolutionFactory(organization=provider_org, deploy_on_premise=False, filing_number="")
    SolutionFactory(organization=provider_org, deploy_on_premise=True, filing_number="")

    response = client_for(None).get(
        reverse("api:solution-list"), {"deployment": "on_premise", "filed": "true"}
    )

    assert [item["id"] for item in response.json()["results"]] == [wanted.pk]


def test_solution_list_orders_by_price(client_for, provider_org):
    dear = SolutionFactory(organization=provider_org, price_min=100, price_max=500)
    cheap = SolutionFactory(organization=provider_org, price_min=5, price_max=50)

    response = client_for(None).get(reverse("api:solution-list"), {"ordering": "price_min"})

    assert [item["id"] for item in response.json()["results"]] == [cheap.pk, dear.pk]
