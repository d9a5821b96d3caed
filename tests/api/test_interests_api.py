"""/api/v1/interests/: introductions with double opt-in, contacts only once both said yes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import User
from matchmaking.models import Interest, Match
from matchmaking.services import interests, matching
from tests.factories import NeedFactory, ProviderFactory, SolutionFactory, member_of

pytestmark = pytest.mark.django_db

LIST = reverse("api:interest-list")
NEED_CONTACT = {"name": "王工", "phone": "13811112222", "email": "need.side@example.com"}
SOLUTION_CONTACT = {"name": "陈博士", "phone": "13933334444", "email": "solution.side@example.com"}


def url(interest: Interest, action: str | None = None) -> str:
    if action is None:
        return reverse("api:interest-detail", args=[interest.pk])
    return reverse(f"api:interest-{action}", args=[interest.pk])


def fresh(user: User) -> User:
    """The user as a new request loads it (the selectors cache per user object)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def need(org_a):
    return NeedFactory(
        organization=org_a,
        contact_name=NEED_CONTACT["name"],
        contact_phone=NEED_CONTACT["phone"],
        contact_email=NEED_CONTACT["email"],
    )


@pytest.fixture
def solution(provider_org):
    return SolutionFactory(
        organization=provider_org,
        contact_name=SOLUTION_CONTACT["name"],
        contact_phone=SOLUTION_CONTACT["phone"],
        contact_email=SOLUTION_CONTACT["email"],
    )


@pytest.fixture
def pair(need, solution, member_a, provider_member, run_on_commit):
    """A matched need and solution; member_a acts for the need, provider_member for the solution."""
    with run_on_commit():
        matching.start_full_run()
    assert Match.objects.active().filter(need=need, solution=solution).exists()
    return need, solution


@pytest.fixture
def pending(pair, provider_member):
    need, solution = pair
    return interests.express_interest(by=provider_member, need=need, solution=solution)


# --- create --------------------------------------------------------------------------


def test_interest_create_by_the_provider_asks_the_enterprise(
    client_for, provider_member, pair, org_a, provider_org, run_on_commit
):
    need, solution = pair
    score = Match.objects.active().get(need=need, solution=solution).score

    with run_on_commit():
        response = client_for(provider_member).post(
            LIST, {"need": need.pk, "solution": solution.pk, "message": "  可以安排现场演示  "}
        )

    assert response.status_code == 201
    interest = Interest.objects.get()
    assert response.json() == {
        "id": interest.pk,
        "need": {"id": need.pk, "title": need.title, "organization_name": org_a.name},
        "solution": {
            "id": solution.pk,
            "title": solution.title,
            "organization_name": provider_org.name,
        },
        "status": "pending",
        "initiated_by_side": "provider",
        "my_side": "provider",
        "message": "可以安排现场演示",
        "score": round(score * 100, 1),  # the site's one scale, 0–100
        "created_at": timezone.localtime(interest.created_at).isoformat(),
        "responded_at": None,
    }
    assert interest.created_by == provider_member
    assert [m.to for m in mail.outbox] == [["a@example.com"]]  # the enterprise's owner


def test_interest_create_when_the_other_side_asked_first_accepts(
    client_for, member_a, provider_member, pending
):
    response = client_for(member_a).post(
        LIST, {"need": pending.need_id, "solution": pending.solution_id}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["my_side"]) == (pending.pk, "accepted", "enterprise")
    assert body["contact"] == SOLUTION_CONTACT


def test_interest_create_twice_by_the_same_side_keeps_one_introduction(
    client_for, provider_member, pending
):
    response = client_for(provider_member).post(
        LIST, {"need": pending.need_id, "solution": pending.solution_id}
    )

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (pending.pk, "pending")
    assert Interest.objects.count() == 1


def test_interest_create_by_an_outsider_is_403(client_for, member_b, pair):
    need, solution = pair

    response = client_for(member_b).post(LIST, {"need": need.pk, "solution": solution.pk})

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not a member of either side of this match."}
    assert Interest.objects.count() == 0


def test_interest_create_for_an_unpublished_need_is_400(client_for, provider_member, org_a, pair):
    _need, solution = pair
    draft = NeedFactory(organization=org_a, status="draft")

    response = client_for(provider_member).post(LIST, {"need": draft.pk, "solution": solution.pk})

    assert response.status_code == 400
    assert response.json() == {"need": [f'Invalid pk "{draft.pk}" - object does not exist.']}


def test_interest_create_without_a_pair_is_400(client_for, provider_member, pair):
    response = client_for(provider_member).post(LIST, {})

    assert response.status_code == 400
    assert response.json() == {
        "need": ["This field is required."],
        "solution": ["This field is required."],
    }


def test_interest_create_with_a_too_long_message_is_400(client_for, provider_member, pair):
    need, solution = pair

    response = client_for(provider_member).post(
        LIST, {"need": need.pk, "solution": solution.pk, "message": "长" * 1001}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["message"]


def test_interest_create_by_an_anonymous_caller_is_refused(client_for, pair):
    need, solution = pair

    response = client_for(None).post(LIST, {"need": need.pk, "solution": solution.pk})

    assert response.status_code == 403
    assert Interest.objects.count() == 0


# --- answers -------------------------------------------------------------------------


def test_interest_accept_shows_each_side_the_others_contact(
    client_for, member_a, provider_member, pending
):
    accepted = client_for(member_a).post(url(pending, "accept"))
    provider_view = client_for(fresh(provider_member)).get(url(pending))

    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["contact"]) == (
        "accepted",
        SOLUTION_CONTACT,
    )
    assert provider_view.json()["contact"] == NEED_CONTACT
    assert Interest.objects.get().responded_by == member_a


def test_interest_pending_shows_no_contact_to_either_side(
    client_for, member_a, provider_member, pending
):
    enterprise_view = client_for(member_a).get(url(pending))
    provider_view = client_for(provider_member).get(url(pending))

    assert "contact" not in enterprise_view.json()
    assert "contact" not in provider_view.json()


def test_interest_decline_keeps_contacts_hidden(client_for, member_a, pending):
    response = client_for(member_a).post(url(pending, "decline"))

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert "contact" not in response.json()


def test_interest_accept_by_the_side_that_asked_is_403(client_for, provider_member, pending):
    response = client_for(provider_member).post(url(pending, "accept"))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the other side can answer this introduction."}
    assert Interest.objects.get().status == "pending"


def test_interest_accept_of_an_accepted_introduction_is_400(client_for, member_a, pending):
    interests.respond(by=member_a, interest=pending, accept=True)

    response = client_for(member_a).post(url(pending, "accept"))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This introduction is “Accepted” and cannot change that way."
    }


def test_interest_withdraw_hides_contacts_again(client_for, member_a, provider_member, pending):
    interests.respond(by=member_a, interest=pending, accept=True)

    response = client_for(provider_member).post(url(pending, "withdraw"))
    enterprise_view = client_for(fresh(member_a)).get(url(pending))

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert "contact" not in response.json()
    assert "contact" not in enterprise_view.json()


def test_interest_withdraw_of_a_withdrawn_introduction_is_400(client_for, provider_member, pending):
    interests.withdraw(by=provider_member, interest=pending)

    response = client_for(provider_member).post(url(pending, "withdraw"))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This introduction is “Withdrawn” and cannot change that way."
    }


@pytest.mark.parametrize("action", [None, "accept", "decline", "withdraw"])
def test_interest_of_other_organizations_is_404(client_for, member_b, pending, action):
    client = client_for(member_b)

    response = client.get(url(pending)) if action is None else client.post(url(pending, action))

    assert response.status_code == 404
    assert Interest.objects.get().status == "pending"


def test_interest_answer_by_staff_outside_both_sides_is_403(client_for, staff, pending):
    response = client_for(staff).post(url(pending, "accept"))

    assert response.status_code == 403
    assert Interest.objects.get().status == "pending"


# --- list ----------------------------------------------------------------------------


@pytest.fixture
def two_introductions(pending, member_b, provider_member, org_b, solution, run_on_commit):
    """The provider asked org_a (pending) and org_b (accepted)."""
    other_need = NeedFactory(organization=org_b)
    with run_on_commit():
        matching.start_full_run()
    accepted = interests.express_interest(by=provider_member, need=other_need, solution=solution)
    interests.respond(by=member_b, interest=accepted, accept=True)
    return pending, accepted


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [i["id"] for i in response.json()["results"]]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("member_a", ["first"]), ("member_b", ["second"]), ("provider_member", ["second", "first"])],
    indirect=["actor"],
)
def test_interest_list_holds_the_callers_introductions_newest_first(
    client_for, two_introductions, actor, expected
):
    first, second = two_introductions
    named = {"first": first.pk, "second": second.pk}

    response = client_for(actor).get(LIST)

    assert ids(response) == [named[name] for name in expected]


def test_interest_list_for_staff_holds_all(client_for, staff, two_introductions):
    first, second = two_introductions

    response = client_for(staff).get(LIST)

    assert ids(response) == [second.pk, first.pk]
    assert [i["my_side"] for i in response.json()["results"]] == [None, None]
    assert ["contact" in i for i in response.json()["results"]] == [False, False]


def test_interest_list_for_a_member_of_an_unrelated_organization_is_empty(
    client_for, two_introductions
):
    response = client_for(member_of(ProviderFactory())).get(LIST)

    assert ids(response) == []


def test_interest_list_filter_by_status(client_for, provider_member, two_introductions):
    _first, second = two_introductions

    response = client_for(provider_member).get(LIST, {"status": "accepted"})

    assert ids(response) == [second.pk]


def test_interest_list_filter_by_need(client_for, provider_member, two_introductions):
    first, _second = two_introductions

    response = client_for(provider_member).get(LIST, {"need": first.need_id})

    assert ids(response) == [first.pk]


def test_interest_list_shows_contacts_of_accepted_introductions_only(
    client_for, provider_member, two_introductions
):
    response = client_for(provider_member).get(LIST)

    assert [("contact" in i, i["status"]) for i in response.json()["results"]] == [
        (True, "accepted"),
        (False, "pending"),
    ]


# --- query counts --------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(
    ("actor", "queries"),
    [
        # count, page (both records and organizations), the caller's memberships,
        # the caller's introductions (the contact rule)
        ("member_a", 4),
        ("provider_member", 4),
        # staff belong to neither side: no contact rule to check
        ("staff", 3),
    ],
    indirect=["actor"],
)
def test_interest_list_query_count(
    client_for,
    django_assert_num_queries,
    actor,
    queries,
    n,
    org_a,
    provider_org,
    member_a,
    provider_member,
):
    solution = SolutionFactory(organization=provider_org)
    for need in NeedFactory.create_batch(n, organization=org_a):
        interest = interests.express_interest(by=provider_member, need=need, solution=solution)
        interests.respond(by=member_a, interest=interest, accept=True)
    client = client_for(fresh(actor))

    with django_assert_num_queries(queries):
        response = client.get(LIST)

    assert len(response.json()["results"]) == n


# --- schema --------------------------------------------------------------------------


def test_interest_and_match_endpoints_are_documented(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    paths = sorted(
        p for p in schema["paths"] if p.startswith(("/api/v1/interests", "/api/v1/matches"))
    )
    interest = schema["components"]["schemas"]["Interest"]
    assert paths == [
        "/api/v1/interests/",
        "/api/v1/interests/{id}/",
        "/api/v1/interests/{id}/accept/",
        "/api/v1/interests/{id}/decline/",
        "/api/v1/interests/{id}/withdraw/",
        "/api/v1/matches/",
        "/api/v1/matches/{id}/",
    ]
    assert sorted(set(interest["properties"]) - set(interest["required"])) == ["contact"]
    assert schema["paths"]["/api/v1/interests/"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/InterestCreateRequest"}
