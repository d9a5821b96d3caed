"""Posting and changing needs through the API: the same rules as the forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matchmaking.models import Need, Status, StatusChange
from tests.factories import MembershipFactory, NeedFactory, OrganizationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

COMPLETE_NEED = {
    "title": "产线外观缺陷视觉检测",
    "summary": "冲压件表面划痕、凹坑的自动检测。",
    "description": "现有 6 条产线，人工目检漏检率约 3%。",
    "industry": "manufacturing",
    "capabilities": ["computer_vision", "multimodal"],
    "deployment": "on_premise",
    "data_readiness": "ready",
    "budget_min": 50,
    "budget_max": 200,
    "deadline": "2027-06-30",
    "contact": {"name": "王工", "phone": "13800138000", "email": "wang@example.com"},
}


def test_need_create_saves_a_draft_for_the_callers_enterprise(client_for, member_a, org_a):
    response = client_for(member_a).post(reverse("api:need-list"), COMPLETE_NEED)

    assert response.status_code == 201
    need = Need.objects.get()
    assert (need.organization, need.status, need.created_by) == (org_a, Status.DRAFT, member_a)
    body = response.json()
    assert (body["id"], body["status"], body["organization"]) == (need.pk, "draft", org_a.pk)
    assert body["industry"] == "manufacturing"
    assert body["capabilities"] == ["computer_vision", "multimodal"]
    assert body["contact"] == COMPLETE_NEED["contact"]
    assert (body["budget_min"], body["budget_max"], body["deadline"]) == (50, 200, "2027-06-30")


def test_need_create_normalizes_the_phone_number(client_for, member_a):
    payload = {"title": "设备预测性维护", "contact": {"phone": "+86 138 0013 8000"}}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 201
    assert Need.objects.get().contact_phone == "13800138000"


def test_need_create_by_staff_for_a_named_enterprise(client_for, staff, org_a):
    payload = {**COMPLETE_NEED, "organization": org_a.pk}

    response = client_for(staff).post(reverse("api:need-list"), payload)

    assert response.status_code == 201
    assert Need.objects.get().organization == org_a


def test_need_create_by_staff_without_an_organization_is_refused(client_for, staff):
    response = client_for(staff).post(reverse("api:need-list"), COMPLETE_NEED)

    assert response.status_code == 400
    assert response.json() == {"organization": ["Name the organization to post for."]}


def test_need_create_for_another_enterprise_is_refused(client_for, member_a, org_b):
    payload = {**COMPLETE_NEED, "organization": org_b.pk}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"organization": ["You can only post for your own organization."]}
    assert Need.objects.count() == 0


def test_need_create_by_staff_for_a_provider_is_refused(client_for, staff, provider_org):
    payload = {**COMPLETE_NEED, "organization": provider_org.pk}

    response = client_for(staff).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"organization": ["Scenario needs are posted by enterprises."]}


def test_need_create_by_provider_is_forbidden_with_a_reason(client_for, provider_member):
    response = client_for(provider_member).post(reverse("api:need-list"), COMPLETE_NEED)

    assert response.status_code == 403
    assert response.json() == {"detail": "Only members of an enterprise can post scenario needs."}


def test_need_create_by_member_of_provider_and_enterprise_uses_the_enterprise(client_for):
    provider = ProviderFactory()
    enterprise = OrganizationFactory()
    user = MembershipFactory(organization=provider).user
    MembershipFactory(organization=enterprise, user=user)

    response = client_for(user).post(reverse("api:need-list"), COMPLETE_NEED)

    assert response.status_code == 201
    assert Need.objects.get().organization == enterprise


# --- field errors ----------------------------------------------------------------------


def test_need_create_with_budget_min_above_max_is_400(client_for, member_a):
    payload = {**COMPLETE_NEED, "budget_min": 300, "budget_max": 100}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {
        "budget_max": ["The upper amount (100) must not be below the lower amount (300)."]
    }


def test_need_update_budget_max_below_the_stored_min_is_400(client_for, member_a, org_a):
    need = NeedFactory(organization=org_a, status=Status.DRAFT, budget_min=50, budget_max=200)

    response = client_for(member_a).patch(
        reverse("api:need-detail", args=[need.pk]), {"budget_max": 20}
    )

    assert response.status_code == 400
    assert response.json() == {
        "budget_max": ["The upper amount (20) must not be below the lower amount (50)."]
    }


def test_need_create_with_bad_phone_is_400(client_for, member_a):
    payload = {**COMPLETE_NEED, "contact": {"name": "王工", "phone": "12345"}}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {
        "contact": {
            "phone": [
                (
                    "Enter a valid phone number: a mobile number (e.g. 13800138000) or a "
                    "landline with its area code (e.g. 021-64871234)."
                )
            ]
        }
    }


def test_need_create_with_unknown_industry_code_is_400(client_for, member_a):
    payload = {**COMPLETE_NEED, "industry": "space_mining"}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"industry": ["Object with code=space_mining does not exist."]}


def test_need_create_with_unknown_capability_code_is_400(client_for, member_a):
    payload = {**COMPLETE_NEED, "capabilities": ["computer_vision", "telepathy"]}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"capabilities": ["Object with code=telepathy does not exist."]}


def test_need_create_with_unknown_deployment_is_400(client_for, member_a):
    payload = {**COMPLETE_NEED, "deployment": "mainframe"}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"deployment": ['"mainframe" is not a valid choice.']}


def test_need_create_with_too_long_title_is_400(client_for, member_a):
    payload = {**COMPLETE_NEED, "title": "检" * 121}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"title": ["Ensure this field has no more than 120 characters."]}


def test_need_create_without_title_is_400(client_for, member_a):
    payload = {key: value for key, value in COMPLETE_NEED.items() if key != "title"}

    response = client_for(member_a).post(reverse("api:need-list"), payload)

    assert response.status_code == 400
    assert response.json() == {"title": ["This field is required."]}


def test_need_without_capabilities_is_submitted_as_not_sure(client_for, member_a, org_a):
    need = NeedFactory(
        organization=org_a,
        status=Status.DRAFT,
        published_at=None,
        capabilities=[],
        title="产品表面划痕全靠老师傅肉眼看",
    )
    client = client_for(member_a)

    changed = client.patch(
        reverse("api:need-detail", args=[need.pk]), {"capabilities_unsure": True}, format="json"
    )
    response = client.post(reverse("api:need-submit", args=[need.pk]))

    assert changed.status_code == 200
    assert changed.json()["capabilities_unsure"] is True
    assert changed.json()["suggested_capabilities"][0]["code"] == "computer_vision"
    assert "划痕" in changed.json()["suggested_capabilities"][0]["words"]
    assert response.status_code == 200
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED


def test_need_submit_incomplete_draft_lists_every_missing_field(client_for, member_a):
    client = client_for(member_a)
    created = client.post(reverse("api:need-list"), {"title": "质检"}).json()

    response = client.post(reverse("api:need-submit", args=[created["id"]]))

    assert response.status_code == 400
    body = response.json()
    # Capabilities may stay open ("not sure"): not a missing field for a need.
    assert sorted(body) == ["contact", "description", "industry", "summary", "title"]
    assert sorted(body["contact"]) == ["name", "phone"]
    assert body["title"] == ["Give a title of at least 4 characters."]


def test_need_update_of_a_submitted_need_is_400_with_detail(client_for, member_a, org_a):
    need = NeedFactory(organization=org_a, status=Status.SUBMITTED, published_at=None)

    response = client_for(member_a).patch(
        reverse("api:need-detail", args=[need.pk]), {"title": "新的标题内容"}
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "This record can no longer be edited."}


def test_need_withdraw_twice_is_400_with_detail(client_for, member_a, org_a):
    need = NeedFactory(organization=org_a, status=Status.DRAFT, published_at=None)
    client = client_for(member_a)
    client.post(reverse("api:need-withdraw", args=[need.pk]))

    response = client.post(reverse("api:need-withdraw", args=[need.pk]))

    assert response.status_code == 400
    assert response.json() == {"detail": "A record that is “Withdrawn” cannot become “Withdrawn”."}


def test_need_cannot_move_to_another_organization(client_for, member_a, org_a, org_b):
    need = NeedFactory(organization=org_a, status=Status.DRAFT, published_at=None)

    response = client_for(member_a).patch(
        reverse("api:need-detail", args=[need.pk]), {"organization": org_b.pk}
    )

    assert response.status_code == 400
    assert response.json() == {"organization": ["A record cannot move to another organization."]}


# --- workflow --------------------------------------------------------------------------


def test_need_submit_complete_draft_sends_it_to_review(client_for, member_a):
    client = client_for(member_a)
    created = client.post(reverse("api:need-list"), COMPLETE_NEED).json()

    response = client.post(reverse("api:need-submit", args=[created["id"]]))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted"
    assert [(h["status"], h["by"]) for h in body["history"]] == [("submitted", member_a.full_name)]


def test_need_update_of_a_published_need_sends_it_back_to_review(client_for, member_a, org_a):
    need = NeedFactory(organization=org_a, status=Status.APPROVED)

    response = client_for(member_a).patch(
        reverse("api:need-detail", args=[need.pk]), {"summary": "新增冲压件种类。"}
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["summary"]) == (
        "submitted",
        "新增冲压件种类。",
    )
    assert list(StatusChange.objects.values_list("from_status", "to_status")) == [
        ("approved", "submitted")
    ]


def test_need_put_replaces_the_fields_it_is_given(client_for, member_a, org_a):
    need = NeedFactory(organization=org_a, status=Status.DRAFT, published_at=None)

    response = client_for(member_a).put(
        reverse("api:need-detail", args=[need.pk]),
        {"title": "焊缝质量检测", "capabilities": ["computer_vision", "data_analytics"]},
    )

    assert response.status_code == 200
    need.refresh_from_db()
    assert need.title == "焊缝质量检测"
    assert sorted(need.capabilities.values_list("code", flat=True)) == [
        "computer_vision",
        "data_analytics",
    ]


def test_need_close_of_a_published_need(client_for, member_a, org_a):
    need = NeedFactory(organization=org_a, status=Status.APPROVED)

    response = client_for(member_a).post(reverse("api:need-close", args=[need.pk]))

    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_need_close_of_a_draft_is_400(client_for, member_a, org_a):
    need = NeedFactory(organization=org_a, status=Status.DRAFT, published_at=None)

    response = client_for(member_a).post(reverse("api:need-close", args=[need.pk]))

    assert response.status_code == 400
    assert response.json() == {"detail": "A record that is “Draft” cannot become “Closed”."}


# --- filters, search, ordering, pagination --------------------------------------------


def test_need_list_filters_like_the_catalog_page(client_for, org_a):
    wanted = NeedFactory(organization=org_a, capabilities=["computer_vision"])
    NeedFactory(organization=org_a, capabilities=["speech"])
    NeedFactory(organization=org_a, industry=None, capabilities=["computer_vision"])

    response = client_for(None).get(
        reverse("api:need-list"), {"industry": "manufacturing", "capability": "computer_vision"}
    )

    assert [item["id"] for item in response.json()["results"]] == [wanted.pk]


def test_need_list_filter_with_unknown_code_is_400(client_for):
    response = client_for(None).get(reverse("api:need-list"), {"industry": "space_mining"})

    assert response.status_code == 400


def test_need_list_search_matches_title_and_summary(client_for, org_a):
    wanted = NeedFactory(organization=org_a, title="智能客服知识库问答")
    NeedFactory(organization=org_a)

    response = client_for(None).get(reverse("api:need-list"), {"search": "客服"})

    assert [item["id"] for item in response.json()["results"]] == [wanted.pk]


def test_need_list_search_does_not_look_into_private_text(client_for, org_a):
    NeedFactory(organization=org_a, description="机密：与某车企的合作细节", contact_name="李机密")

    response = client_for(None).get(reverse("api:need-list"), {"search": "机密"})

    assert response.json()["count"] == 0


def test_need_list_orders_by_the_requested_field(client_for, org_a):
    small = NeedFactory(organization=org_a, budget_min=10, budget_max=20)
    large = NeedFactory(organization=org_a, budget_min=10, budget_max=900)
    middle = NeedFactory(organization=org_a, budget_min=10, budget_max=100)

    response = client_for(None).get(reverse("api:need-list"), {"ordering": "-budget_max"})

    assert [item["id"] for item in response.json()["results"]] == [large.pk, middle.pk, small.pk]


def test_need_list_is_paginated_by_twenty(client_for, org_a):
    NeedFactory.create_batch(21, organization=org_a)

    body = client_for(None).get(reverse("api:need-list")).json()

    assert (body["count"], len(body["results"]), body["previous"]) == (21, 20, None)
    assert body["next"] == "http://testserver/api/v1/needs/?page=2"
