"""Introductions: double opt-in, contact details only after both said yes, inbox, emails."""

import pytest
from django.core import mail
from django.urls import reverse

from matchmaking.models import Interest, Match
from matchmaking.services import interests as services
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

NEED_PHONE = "13811112222"
SOLUTION_PHONE = "13933334444"


@pytest.fixture
def pair(run_on_commit):
    """A published need and solution that match, with one user on each side."""
    need = NeedFactory(contact_phone=NEED_PHONE, contact_email="need.side@example.com")
    solution = SolutionFactory(
        contact_phone=SOLUTION_PHONE, contact_email="solution.side@example.com"
    )
    enterprise_user = member_of(need.organization, email="ent@example.com")
    provider_user = member_of(solution.organization, email="prov@example.com")
    from matchmaking.services import matching  # noqa: PLC0415

    with run_on_commit():
        matching.start_full_run()
    assert Match.objects.active().filter(need=need, solution=solution).exists()
    return need, solution, enterprise_user, provider_user


def body(client, url) -> str:
    return client.get(url).content.decode()


def test_contacts_hidden_until_both_sides_agree(client, pair, run_on_commit):
    need, solution, enterprise_user, provider_user = pair
    need_url = reverse("need-detail", args=[need.pk])
    solution_url = reverse("solution-detail", args=[solution.pk])

    client.force_login(provider_user)
    assert NEED_PHONE not in body(client, need_url)
    with run_on_commit():
        client.post(
            reverse("match-action"),
            {"need": need.pk, "solution": solution.pk, "action": "interested"},
        )
    assert NEED_PHONE not in body(client, need_url)  # one side is not enough
    assert NEED_PHONE not in body(client, reverse("interests"))

    interest = Interest.objects.get()
    assert (interest.status, interest.initiated_by_side) == ("pending", "provider")
    assert [m.to for m in mail.outbox] == [["ent@example.com"]]

    client.force_login(enterprise_user)
    assert SOLUTION_PHONE not in body(client, solution_url)
    with run_on_commit():
        client.post(reverse("interest-action", args=[interest.pk]), {"action": "accept"})

    assert Interest.objects.get().status == "accepted"
    assert SOLUTION_PHONE in body(client, solution_url)
    assert SOLUTION_PHONE in body(client, reverse("interests"))
    client.force_login(provider_user)
    assert NEED_PHONE in body(client, need_url)
    assert mail.outbox[-1].to == ["prov@example.com"]


def test_withdrawing_hides_contacts_again(client, pair):
    need, solution, enterprise_user, provider_user = pair
    interest = services.express_interest(by=provider_user, need=need, solution=solution)
    services.respond(by=enterprise_user, interest=interest, accept=True)
    client.force_login(provider_user)
    assert NEED_PHONE in body(client, reverse("need-detail", args=[need.pk]))

    client.force_login(enterprise_user)
    client.post(reverse("interest-action", args=[interest.pk]), {"action": "withdraw"})

    client.force_login(provider_user)
    assert NEED_PHONE not in body(client, reverse("need-detail", args=[need.pk]))
    assert Interest.objects.get().status == "withdrawn"


def test_interest_from_both_sides_is_an_acceptance(pair):
    need, solution, enterprise_user, provider_user = pair
    services.express_interest(by=enterprise_user, need=need, solution=solution)
    interest = services.express_interest(by=provider_user, need=need, solution=solution)
    assert interest.status == "accepted"


def test_the_initiator_cannot_accept_their_own_interest(pair):
    need, solution, _enterprise_user, provider_user = pair
    interest = services.express_interest(by=provider_user, need=need, solution=solution)
    with pytest.raises(services.NotAllowedError):
        services.respond(by=provider_user, interest=interest, accept=True)


def test_outsider_cannot_act_on_a_pair(client, pair):
    need, solution, _enterprise_user, _provider_user = pair
    outsider = member_of(ProviderFactory())
    client.force_login(outsider)
    client.post(
        reverse("match-action"), {"need": need.pk, "solution": solution.pk, "action": "interested"}
    )
    assert Interest.objects.count() == 0


def test_outsider_cannot_answer_someone_elses_interest(client, pair):
    need, solution, _enterprise_user, provider_user = pair
    interest = services.express_interest(by=provider_user, need=need, solution=solution)
    client.force_login(member_of(OrganizationFactory()))
    response = client.post(reverse("interest-action", args=[interest.pk]), {"action": "accept"})
    assert response.status_code == 404
    assert Interest.objects.get().status == "pending"


def test_declined_interest_can_be_renewed(pair):
    need, solution, enterprise_user, provider_user = pair
    interest = services.express_interest(by=provider_user, need=need, solution=solution)
    services.respond(by=enterprise_user, interest=interest, accept=False)
    renewed = services.express_interest(by=provider_user, need=need, solution=solution)
    assert (renewed.pk, renewed.status) == (interest.pk, "pending")


def test_provider_matched_needs_page_explains_each_match(client, pair):
    need, _solution, _enterprise_user, provider_user = pair
    client.force_login(provider_user)

    response = client.get(reverse("matched-needs"))

    html = response.content.decode()
    assert [m.need_id for m in response.context["page"].object_list] == [need.pk]
    assert 'data-component="industry"' in html
    assert 'data-component="capabilities"' in html
    assert NEED_PHONE not in html


def test_provider_matched_needs_filters(client, pair):
    need, solution, _enterprise_user, provider_user = pair
    client.force_login(provider_user)

    def ids(**params):
        return [
            m.need_id
            for m in client.get(reverse("matched-needs"), params).context["page"].object_list
        ]

    assert ids(min_score="1") == [need.pk]
    assert ids(min_score="100") == []
    assert ids(industry="manufacturing") == [need.pk]
    assert ids(industry="healthcare") == []
    assert ids(capability="computer_vision") == [need.pk]
    assert ids(solution=str(solution.pk)) == [need.pk]


def test_matched_needs_query_count_does_not_grow(
    client, pair, django_assert_num_queries, run_on_commit
):
    _need, _solution, _enterprise_user, provider_user = pair
    client.force_login(provider_user)
    client.get(reverse("matched-needs"))
    with django_assert_num_queries(10):
        client.get(reverse("matched-needs"))
    NeedFactory.create_batch(2)
    from matchmaking.services import matching  # noqa: PLC0415

    with run_on_commit():
        matching.start_full_run()
    with django_assert_num_queries(10):
        response = client.get(reverse("matched-needs"))
    assert len(response.context["page"].object_list) == 3


def test_enterprise_sees_ranked_solutions_on_its_need(client, pair):
    need, solution, enterprise_user, _provider_user = pair
    client.force_login(enterprise_user)
    response = client.get(reverse("my-need-detail", args=[need.pk]))
    assert [m.solution_id for m in response.context["ranked"]] == [solution.pk]
    assert 'id="ranked-solutions"' in response.content.decode()


def test_enterprise_provider_pages_need_membership(client, pair):
    _need, _solution, enterprise_user, _provider_user = pair
    client.force_login(enterprise_user)
    assert client.get(reverse("matched-needs")).status_code == 404
