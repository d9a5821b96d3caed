"""Organizations: public details for all, edits by owners, creation by staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import Membership, Organization
from tests.factories import MembershipFactory, make_uscc

pytestmark = pytest.mark.django_db


def test_organization_list_shows_public_details(client_for, org_a):
    response = client_for(None).get(reverse("api:organization-list"))

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert {key: value for key, value in item.items() if not key.endswith("_at")} == {
        "id": org_a.pk,
        "name": "上海甲精密制造有限公司",
        "name_en": "",
        "kind": "enterprise",
        "industry": None,
        "district": "徐汇区",
        "website": "",
        "description": "",
        "verified": False,
    }


def test_organization_list_filters_by_kind(client_for, org_a, provider_org):
    response = client_for(None).get(reverse("api:organization-list"), {"kind": "provider"})

    assert [item["id"] for item in response.json()["results"]] == [provider_org.pk]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 403), ("member_b", 403), ("member_a", 200), ("staff", 200)],
    indirect=["actor"],
)
def test_organization_update_status_code(client_for, actor, org_a, expected):
    url = reverse("api:organization-detail", args=[org_a.pk])

    response = client_for(actor).patch(url, {"website": "https://jia.example.com"})

    assert response.status_code == expected


def test_organization_update_by_owner_saves_the_details(client_for, member_a, org_a):
    url = reverse("api:organization-detail", args=[org_a.pk])

    response = client_for(member_a).patch(
        url, {"industry": "manufacturing", "description": "汽车冲压件"}
    )

    assert response.status_code == 200
    org_a.refresh_from_db()
    assert (org_a.industry.code, org_a.description) == ("manufacturing", "汽车冲压件")


def test_organization_update_by_plain_member_is_forbidden(client_for, org_a):
    colleague = MembershipFactory(organization=org_a, role=Membership.Role.MEMBER).user

    response = client_for(colleague).patch(
        reverse("api:organization-detail", args=[org_a.pk]), {"district": "闵行区"}
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only an owner of the organization can change its details."
    }


def test_organization_update_of_uscc_or_verified_by_owner_is_400(client_for, member_a, org_a):
    response = client_for(member_a).patch(
        reverse("api:organization-detail", args=[org_a.pk]),
        {"uscc": make_uscc(99), "verified": True},
    )

    assert response.status_code == 400
    assert response.json() == {
        "uscc": ["Only the programme office can change this."],
        "verified": ["Only the programme office can change this."],
    }


def test_organization_put_by_owner_with_unchanged_uscc(client_for, member_a, org_a):
    response = client_for(member_a).put(
        reverse("api:organization-detail", args=[org_a.pk]),
        {"name": org_a.name, "kind": "both", "uscc": org_a.uscc, "verified": False},
    )

    assert response.status_code == 200
    org_a.refresh_from_db()
    assert org_a.kind == "both"


def test_organization_create_by_staff(client_for, staff):
    payload = {"name": "上海丁数据科技有限公司", "kind": "provider", "uscc": make_uscc(7).lower()}

    response = client_for(staff).post(reverse("api:organization-list"), payload)

    assert response.status_code == 201
    assert Organization.objects.get().uscc == make_uscc(7)


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 403), ("member_a", 403)], indirect=["actor"]
)
def test_organization_create_by_others_is_forbidden(client_for, actor, expected):
    payload = {"name": "上海丁数据科技有限公司", "kind": "provider", "uscc": make_uscc(7)}

    response = client_for(actor).post(reverse("api:organization-list"), payload)

    assert response.status_code == expected


def test_organization_create_with_bad_uscc_checksum_is_400(client_for, staff):
    good = make_uscc(7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")

    response = client_for(staff).post(
        reverse("api:organization-list"), {"name": "上海戊", "kind": "enterprise", "uscc": bad}
    )

    assert response.status_code == 400
    assert response.json() == {
        "uscc": [
            "The check character of this unified social credit code is wrong; please check the code."
        ]
    }


def test_organization_create_with_taken_uscc_is_400(client_for, staff, org_a):
    response = client_for(staff).post(
        reverse("api:organization-list"),
        {"name": "上海戊", "kind": "enterprise", "uscc": org_a.uscc},
    )

    assert response.status_code == 400
    assert response.json() == {
        "uscc": ["An organization with this unified social credit code is already registered."]
    }


def test_organization_create_without_uscc_is_400(client_for, staff):
    response = client_for(staff).post(
        reverse("api:organization-list"), {"name": "上海戊", "kind": "enterprise"}
    )

    assert response.status_code == 400
    assert response.json() == {"uscc": ["A new organization needs its unified social credit code."]}
