"""The "verified" badge vouches for what the office checked: a new name or kind loses it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEntry, Organization
from core.services import organizations
from tests.factories import OrganizationFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified():
    return OrganizationFactory(name="上海漕河泾精密制造有限公司", verified=True)


def _form(organization: Organization, **changes) -> dict:
    data = {
        "name": organization.name,
        "name_en": organization.name_en,
        "kind": organization.kind,
        "industry": "",
        "district": organization.district,
        "website": organization.website,
        "description": organization.description,
    }
    return data | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "上海市人民政府办公厅"},
        {"name_en": "Shanghai Municipal Government"},
        {"kind": Organization.Kind.PROVIDER},
    ],
    ids=["name", "name_en", "kind"],
)
def test_an_owner_changing_what_was_verified_loses_the_badge(client, verified, changes):
    owner = member_of(verified)
    client.force_login(owner)

    response = client.post(reverse("organization"), _form(verified, **changes), follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]
    verified.refresh_from_db()
    assert verified.verified is False
    entry = AuditEntry.objects.get(action="organization.unverified")
    assert entry.actor == owner
    assert entry.object_id == str(verified.pk)


def test_an_owner_changing_other_details_keeps_the_badge(client, verified):
    client.force_login(member_of(verified))

    client.post(reverse("organization"), _form(verified, district="闵行区", description="新简介"))

    verified.refresh_from_db()
    assert (verified.district, verified.verified) == ("闵行区", True)
    assert not AuditEntry.objects.filter(action="organization.unverified").exists()


def test_the_api_withdraws_the_badge_too(client, verified):
    client.force_login(member_of(verified))

    response = client.patch(
        reverse("api:organization-detail", args=[verified.pk]),
        {"name": "国家某部委"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["verified"] is False
    verified.refresh_from_db()
    assert verified.verified is False


def test_the_office_renaming_keeps_the_badge(verified):
    staff = StaffFactory()

    organizations.update_organization(
        by=staff, organization=verified, fields={"name": "更正后名称"}
    )

    verified.refresh_from_db()
    assert (verified.name, verified.verified) == ("更正后名称", True)


def test_the_office_verifies_again_after_a_withdrawal(verified):
    owner = member_of(verified)
    organizations.update_organization(by=owner, organization=verified, fields={"name": "新名称"})

    result = organizations.verify_organizations(by=StaffFactory(), organizations=[verified])

    verified.refresh_from_db()
    assert (result.done, verified.verified) == (1, True)
