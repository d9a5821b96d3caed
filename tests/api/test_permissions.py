"""Who may do what with needs and solutions: the permission matrix.

A record the caller may not see, or may not change, answers 404 — as if it did not
exist; anonymous writes are refused before anything is looked up.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from matchmaking.models import Status
from tests.factories import NeedFactory, SolutionFactory

pytestmark = pytest.mark.django_db

NEW_NEED = {"title": "仓储机器人调度优化", "capabilities": ["embodied"]}
NEW_SOLUTION = {"title": "仓储调度智能体", "deployment_modes": ["cloud"]}


@pytest.fixture
def needs_of_a(org_a):
    return {
        "draft": NeedFactory(organization=org_a, status=Status.DRAFT, published_at=None),
        "submitted": NeedFactory(organization=org_a, status=Status.SUBMITTED, published_at=None),
        "approved": NeedFactory(organization=org_a, status=Status.APPROVED),
    }


@pytest.fixture
def solutions_of_provider(provider_org):
    return {
        "draft": SolutionFactory(organization=provider_org, status=Status.DRAFT, published_at=None),
        "submitted": SolutionFactory(
            organization=provider_org, status=Status.SUBMITTED, published_at=None
        ),
        "approved": SolutionFactory(organization=provider_org, status=Status.APPROVED),
    }


# --- needs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", ["approved"]),
        ("member_a", ["approved", "draft", "submitted"]),
        ("member_b", ["approved"]),
        ("provider_member", ["approved"]),
        ("staff", ["approved", "draft", "submitted"]),
    ],
    indirect=["actor"],
)
def test_need_list_holds_what_the_caller_may_see(client_for, actor, needs_of_a, expected):
    response = client_for(actor).get(reverse("api:need-list"))

    assert response.status_code == 200
    by_id = {need.pk: status for status, need in needs_of_a.items()}
    assert sorted(by_id[item["id"]] for item in response.json()["results"]) == expected


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        ("anonymous", "draft", 404),
        ("anonymous", "submitted", 404),
        ("anonymous", "approved", 200),
        ("member_a", "draft", 200),
        ("member_a", "submitted", 200),
        ("member_a", "approved", 200),
        ("member_b", "draft", 404),
        ("member_b", "submitted", 404),
        ("member_b", "approved", 200),
        ("provider_member", "draft", 404),
        ("provider_member", "submitted", 404),
        ("provider_member", "approved", 200),
        ("staff", "draft", 200),
        ("staff", "submitted", 200),
        ("staff", "approved", 200),
    ],
    indirect=["actor"],
)
def test_need_retrieve_status_code(client_for, actor, needs_of_a, status, expected):
    url = reverse("api:need-detail", args=[needs_of_a[status].pk])

    response = client_for(actor).get(url)

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", 403),
        ("member_a", 201),
        ("member_b", 201),
        ("provider_member", 403),
        # Staff belong to no enterprise: they must name one (test_needs covers that).
        ("staff", 400),
    ],
    indirect=["actor"],
)
def test_need_create_status_code(client_for, actor, expected):
    response = client_for(actor).post(reverse("api:need-list"), NEW_NEED)

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        ("anonymous", "draft", 403),
        ("anonymous", "approved", 403),
        ("member_a", "draft", 200),
        ("member_a", "submitted", 400),
        ("member_a", "approved", 200),
        ("member_b", "draft", 404),
        ("member_b", "submitted", 404),
        ("member_b", "approved", 404),
        ("provider_member", "draft", 404),
        ("provider_member", "approved", 404),
        ("staff", "draft", 200),
        ("staff", "submitted", 400),
        ("staff", "approved", 200),
    ],
    indirect=["actor"],
)
def test_need_update_status_code(client_for, actor, needs_of_a, status, expected):
    url = reverse("api:need-detail", args=[needs_of_a[status].pk])

    response = client_for(actor).patch(url, {"title": "冲压件表面缺陷在线检测"})

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        ("anonymous", "draft", 403),
        ("anonymous", "approved", 403),
        ("member_a", "draft", 200),
        ("member_a", "submitted", 200),
        ("member_a", "approved", 200),
        ("member_b", "draft", 404),
        ("member_b", "approved", 404),
        ("provider_member", "draft", 404),
        ("provider_member", "approved", 404),
        ("staff", "draft", 200),
        ("staff", "approved", 200),
    ],
    indirect=["actor"],
)
def test_need_withdraw_status_code(client_for, actor, needs_of_a, status, expected):
    url = reverse("api:need-withdraw", args=[needs_of_a[status].pk])

    response = client_for(actor).post(url)

    assert response.status_code == expected


@pytest.mark.parametrize("actor", ["member_b", "provider_member"], indirect=True)
def test_need_withdraw_by_outsider_leaves_the_need_alone(client_for, actor, needs_of_a):
    need = needs_of_a["approved"]

    client_for(actor).post(reverse("api:need-withdraw", args=[need.pk]))

    need.refresh_from_db()
    assert need.status == Status.APPROVED


# --- solutions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", ["approved"]),
        ("member_a", ["approved"]),
        ("provider_member", ["approved", "draft", "submitted"]),
        ("staff", ["approved", "draft", "submitted"]),
    ],
    indirect=["actor"],
)
def test_solution_list_holds_what_the_caller_may_see(
    client_for, actor, solutions_of_provider, expected
):
    response = client_for(actor).get(reverse("api:solution-list"))

    assert response.status_code == 200
    by_id = {solution.pk: status for status, solution in solutions_of_provider.items()}
    assert sorted(by_id[item["id"]] for item in response.json()["results"]) == expected


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        ("anonymous", "draft", 404),
        ("anonymous", "approved", 200),
        ("member_a", "draft", 404),
        ("member_a", "submitted", 404),
        ("member_a", "approved", 200),
        ("provider_member", "draft", 200),
        ("provider_member", "submitted", 200),
        ("staff", "draft", 200),
    ],
    indirect=["actor"],
)
def test_solution_retrieve_status_code(client_for, actor, solutions_of_provider, status, expected):
    url = reverse("api:solution-detail", args=[solutions_of_provider[status].pk])

    response = client_for(actor).get(url)

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 403), ("member_a", 403), ("provider_member", 201), ("staff", 400)],
    indirect=["actor"],
)
def test_solution_create_status_code(client_for, actor, expected):
    response = client_for(actor).post(reverse("api:solution-list"), NEW_SOLUTION)

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        ("anonymous", "draft", 403),
        ("member_a", "draft", 404),
        ("member_a", "approved", 404),
        ("provider_member", "draft", 200),
        ("provider_member", "approved", 200),
        ("staff", "draft", 200),
    ],
    indirect=["actor"],
)
def test_solution_update_status_code(client_for, actor, solutions_of_provider, status, expected):
    url = reverse("api:solution-detail", args=[solutions_of_provider[status].pk])

    response = client_for(actor).patch(url, {"base_model": "Qwen2.5-VL"})

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 403), ("member_a", 404), ("provider_member", 200), ("staff", 200)],
    indirect=["actor"],
)
def test_solution_withdraw_status_code(client_for, actor, solutions_of_provider, expected):
    url = reverse("api:solution-withdraw", args=[solutions_of_provider["approved"].pk])

    response = client_for(actor).post(url)

    assert response.status_code == expected
