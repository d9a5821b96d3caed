"""Private fields never reach callers who may not see them.

Enterprise A (here also offering a solution) has a known phone number and email on
its need and its solution, in every status. Enterprise B, a provider without an
accepted introduction and anonymous visitors call every endpoint on them: the
contact details appear in no response body.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import Organization
from matchmaking.models import Confidentiality, Status
from tests.factories import NeedFactory, SolutionFactory

pytestmark = pytest.mark.django_db

SECRET_PHONE = "13912345678"
SECRET_EMAIL = "wang.secret@a-precision.example"
SECRET_NAME = "王秘密"


@pytest.fixture
def records_of_a(org_a):
    org_a.kind = Organization.Kind.BOTH
    org_a.save()
    contact = {
        "contact_name": SECRET_NAME,
        "contact_phone": SECRET_PHONE,
        "contact_email": SECRET_EMAIL,
    }
    records = []
    for status in (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.WITHDRAWN):
        records.append(("need", NeedFactory(organization=org_a, status=status, **contact)))
        records.append(("solution", SolutionFactory(organization=org_a, status=status, **contact)))
    return records


def _every_response(client, records, org_a) -> list[str]:
    """Every list (with search, filter and ordering), detail and write on A's records."""
    responses = [
        client.get(reverse(f"api:{kind}-list"), query)
        for kind in ("need", "solution")
        for query in ({}, {"search": "检测"}, {"q": SECRET_PHONE}, {"ordering": "-updated_at"})
    ]
    for kind, record in records:
        detail = reverse(f"api:{kind}-detail", args=[record.pk])
        responses += [
            client.get(detail),
            client.patch(detail, {"title": "改个标题看看"}),
            client.put(detail, {"title": "改个标题看看"}),
            *(
                client.post(reverse(f"api:{kind}-{action}", args=[record.pk]))
                for action in ("submit", "withdraw", "close")
            ),
        ]
    responses += [
        client.get(reverse("api:organization-list")),
        client.get(reverse("api:organization-detail", args=[org_a.pk])),
    ]
    return [response.content.decode() for response in responses]


@pytest.mark.parametrize("actor", ["anonymous", "member_b", "provider_member"], indirect=True)
def test_contact_details_of_a_never_appear_for_outsiders(client_for, actor, records_of_a, org_a):
    bodies = _every_response(client_for(actor), records_of_a, org_a)

    leaks = [body for body in bodies if SECRET_PHONE in body or SECRET_EMAIL in body]
    assert leaks == []
    assert [body for body in bodies if SECRET_NAME in body] == []


def test_contact_details_are_shown_to_the_own_organization(
    client_for, member_a, records_of_a, org_a
):
    need = next(record for kind, record in records_of_a if kind == "need")

    response = client_for(member_a).get(reverse("api:need-detail", args=[need.pk]))

    assert response.json()["contact"] == {
        "name": SECRET_NAME,
        "phone": SECRET_PHONE,
        "email": SECRET_EMAIL,
    }


def test_need_fields_for_anonymous_leave_out_description_contact_and_review(client_for, org_a):
    need = NeedFactory(organization=org_a)

    response = client_for(None).get(reverse("api:need-detail", args=[need.pk]))

    assert sorted(response.json()) == [
        "budget_max",
        "budget_min",
        "capabilities",
        "confidentiality",
        "created_at",
        "data_readiness",
        "deadline",
        "deployment",
        "id",
        "industry",
        "organization",
        "organization_name",
        "published_at",
        "region",
        "requires_filing",
        "share_attachments",
        "status",
        "submitted_at",
        "summary",
        "title",
        "updated_at",
    ]


def test_need_description_is_shown_to_signed_in_outsiders_when_the_need_shares_it(
    client_for, member_b, org_a
):
    need = NeedFactory(organization=org_a, confidentiality=Confidentiality.MEMBERS)

    body = client_for(member_b).get(reverse("api:need-detail", args=[need.pk])).json()

    assert body["description"] == need.description
    assert "contact" not in body
    assert "review_note" not in body
    assert "history" not in body


def test_need_description_is_hidden_from_outsiders_when_the_need_shares_only_its_summary(
    client_for, member_b, org_a
):
    need = NeedFactory(organization=org_a, confidentiality=Confidentiality.SUMMARY)

    body = client_for(member_b).get(reverse("api:need-detail", args=[need.pk])).json()

    assert "description" not in body


def test_need_list_for_outsiders_holds_no_private_fields(client_for, provider_member, org_a):
    NeedFactory(organization=org_a, confidentiality=Confidentiality.SUMMARY)

    results = client_for(provider_member).get(reverse("api:need-list")).json()["results"]

    assert [
        sorted({"description", "contact", "review_note", "history"} & set(r)) for r in results
    ] == [[]]


def test_solution_cases_and_description_are_public_once_published(client_for, provider_org):
    solution = SolutionFactory(organization=provider_org, cases="某汽车零部件厂，漏检率降至 0.3%。")

    body = client_for(None).get(reverse("api:solution-detail", args=[solution.pk])).json()

    assert (body["description"], body["cases"]) == (solution.description, solution.cases)
    assert "contact" not in body


def test_review_note_and_history_are_shown_to_the_own_organization(client_for, member_a, org_a):
    need = NeedFactory(
        organization=org_a, status=Status.REJECTED, published_at=None, review_note="请补充预算"
    )

    body = client_for(member_a).get(reverse("api:need-detail", args=[need.pk])).json()

    assert (body["review_note"], body["history"]) == ("请补充预算", [])


@pytest.mark.parametrize("actor", ["anonymous", "member_b"], indirect=True)
def test_organization_uscc_is_hidden_from_outsiders(client_for, actor, org_a):
    body = client_for(actor).get(reverse("api:organization-detail", args=[org_a.pk])).json()

    assert "uscc" not in body
    assert org_a.uscc not in str(body)


@pytest.mark.parametrize("actor", ["member_a", "staff"], indirect=True)
def test_organization_uscc_is_shown_to_members_and_staff(client_for, actor, org_a):
    body = client_for(actor).get(reverse("api:organization-detail", args=[org_a.pk])).json()

    assert body["uscc"] == org_a.uscc
