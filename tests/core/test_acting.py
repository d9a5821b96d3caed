"""Acting as an organization: a person in two organizations sees the same on pages and API.

Ms Zhou belongs to an enterprise (her first membership) and to a provider. She acts
for the enterprise until she chooses the provider with the header's switcher (pages,
and the API on the same session) or names it in the `X-Organization` header (API).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Membership
from matchmaking.models import Interest, Need, Solution
from tests.factories import (
    MembershipFactory,
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INTERESTS = reverse("api:interest-list")


@pytest.fixture
def world():
    enterprise = OrganizationFactory(name="上海甲制造有限公司")
    provider = ProviderFactory(name="上海乙智能科技有限公司")
    zhou = UserFactory(email="zhou@example.com")
    first = MembershipFactory(user=zhou, organization=enterprise)
    Membership.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    MembershipFactory(user=zhou, organization=provider)
    # One introduction for each of her organizations, with strangers' records.
    her_need, her_solution = (
        NeedFactory(organization=enterprise),
        SolutionFactory(organization=provider),
    )
    for_enterprise = Interest.objects.create(
        need=her_need, solution=SolutionFactory(), initiated_by_side="provider"
    )
    for_provider = Interest.objects.create(
        need=NeedFactory(), solution=her_solution, initiated_by_side="enterprise"
    )
    return {
        "zhou": zhou,
        "enterprise": enterprise,
        "provider": provider,
        "enterprise_interest": for_enterprise,
        "provider_interest": for_provider,
    }


def page_inbox_ids(client) -> set[int]:
    context = client.get(reverse("interests")).context
    return {i.pk for key in ("incoming", "outgoing", "accepted", "closed") for i in context[key]}


def api_interest_ids(client, **headers) -> set[int]:
    response = client.get(INTERESTS, headers=headers)
    assert response.status_code == 200
    return {item["id"] for item in response.json()["results"]}


def test_pages_and_api_act_for_the_oldest_membership_by_default(client, world):
    client.force_login(world["zhou"])
    api = APIClient()
    api.force_authenticate(world["zhou"])

    assert page_inbox_ids(client) == {world["enterprise_interest"].pk}
    assert api_interest_ids(api) == {world["enterprise_interest"].pk}


def test_before_a_choice_each_kind_of_page_acts_for_the_organization_of_its_kind(client, world):
    """Her needs are the enterprise's, her solutions and matched needs the provider's."""
    client.force_login(world["zhou"])

    needs = client.get(reverse("my-need-list")).context["page"].object_list
    solutions = client.get(reverse("my-solution-list")).context["page"].object_list
    menus = client.get(reverse("workspace")).context

    assert {n.organization for n in needs} == {world["enterprise"]}
    assert {s.organization for s in solutions} == {world["provider"]}
    assert client.get(reverse("matched-needs")).status_code == 200
    assert (menus["is_enterprise"], menus["is_provider"]) == (True, True)


def test_switching_on_the_pages_changes_what_pages_and_api_show(client, world):
    client.force_login(world["zhou"])

    response = client.post(
        reverse("organization-switch"),
        {"organization": str(world["provider"].pk), "next": "/interests/"},
    )

    assert (response.status_code, response.url) == (302, "/interests/")
    assert page_inbox_ids(client) == {world["provider_interest"].pk}
    # The same session on the API: the same choice.
    assert api_interest_ids(client) == {world["provider_interest"].pk}
    assert client.get(reverse("my-solution-list")).status_code == 200
    assert client.get(reverse("matched-needs")).status_code == 200
    assert client.get(reverse("my-need-list")).status_code == 404


def test_the_header_shows_the_switcher_with_the_acting_organization_selected(client, world):
    client.force_login(world["zhou"])
    client.post(reverse("organization-switch"), {"organization": str(world["provider"].pk)})

    context = client.get(reverse("workspace")).context

    assert context["current_organization"] == world["provider"]
    assert [m.organization for m in context["switchable_memberships"]] == [
        world["enterprise"],
        world["provider"],
    ]


def test_the_api_header_chooses_the_organization(world):
    api = APIClient()
    api.force_authenticate(world["zhou"])

    assert api_interest_ids(api, X_ORGANIZATION=str(world["provider"].pk)) == {
        world["provider_interest"].pk
    }


def test_the_api_header_refuses_an_organization_one_does_not_belong_to(world):
    api = APIClient()
    api.force_authenticate(world["zhou"])

    response = api.get(INTERESTS, headers={"X-Organization": str(OrganizationFactory().pk)})

    assert response.status_code == 403


def test_switching_to_an_organization_one_does_not_belong_to_is_refused(client, world):
    client.force_login(world["zhou"])

    response = client.post(
        reverse("organization-switch"), {"organization": str(OrganizationFactory().pk)}
    )

    assert response.status_code == 403
    assert page_inbox_ids(client) == {world["enterprise_interest"].pk}


def test_a_choice_whose_membership_ended_falls_back_to_the_oldest(client, world):
    client.force_login(world["zhou"])
    client.post(reverse("organization-switch"), {"organization": str(world["provider"].pk)})
    Membership.objects.filter(user=world["zhou"], organization=world["provider"]).delete()

    assert page_inbox_ids(client) == {world["enterprise_interest"].pk}


def test_the_api_posts_for_the_acting_organization_of_the_right_kind(world):
    api = APIClient()
    api.force_authenticate(world["zhou"])

    need = api.post(reverse("api:need-list"), {"title": "仓储机器人调度优化"}, format="json")
    solution = api.post(reverse("api:solution-list"), {"title": "仓储调度智能体"}, format="json")
    refused = api.post(
        reverse("api:solution-list"),
        {"title": "仓储调度智能体"},
        format="json",
        headers={"X-Organization": str(world["enterprise"].pk)},
    )

    assert need.status_code == 201
    assert Need.objects.get(pk=need.json()["id"]).organization == world["enterprise"]
    assert solution.status_code == 201
    assert Solution.objects.get(pk=solution.json()["id"]).organization == world["provider"]
    assert (refused.status_code, refused.json()) == (
        400,
        {"organization": ["请指定以哪家机构名义发布。"]},
    )
