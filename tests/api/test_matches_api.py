"""/api/v1/matches/: each side sees the pairs in its own lists of the active generation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.models import Match, MatchRun
from matchmaking.services import interests, matching
from tests.factories import NeedFactory, ProviderFactory, SolutionFactory, member_of

pytestmark = pytest.mark.django_db

LIST = reverse("api:match-list")


def detail(match: Match) -> str:
    return reverse("api:match-detail", args=[match.pk])


def pairs(response) -> list[tuple[int, int]]:
    assert response.status_code == 200, response.content
    return [(m["need"]["id"], m["solution"]["id"]) for m in response.json()["results"]]


@pytest.fixture
def rematch(run_on_commit):
    """Run a full recompute as the site does (outbox, then the eager task after commit)."""

    def run() -> MatchRun:
        with run_on_commit():
            run = matching.start_full_run()
        run.refresh_from_db()
        assert run.status == MatchRun.Status.SUCCEEDED
        return run

    return run


@pytest.fixture
def need_a(org_a):
    return NeedFactory(organization=org_a, title="冲压件表面缺陷视觉检测")


@pytest.fixture
def need_b(org_b):
    return NeedFactory(organization=org_b, title="注塑件外观瑕疵视觉检测")


@pytest.fixture
def solution(provider_org):
    return SolutionFactory(organization=provider_org, title="工业视觉质检大模型")


@pytest.fixture
def matched(need_a, need_b, solution, rematch):
    """Two enterprises' needs, one provider's solution: two pairs, in every list."""
    rematch()
    return need_a, need_b, solution


def test_match_list_for_an_enterprise_holds_the_pairs_of_its_needs(client_for, member_a, matched):
    need_a, _need_b, solution = matched

    response = client_for(member_a).get(LIST)

    assert pairs(response) == [(need_a.pk, solution.pk)]


def test_match_list_for_a_provider_holds_the_pairs_of_its_solutions_best_first(
    client_for, provider_member, matched
):
    need_a, need_b, solution = matched
    by_score = (
        Match.objects.active().filter(solution=solution).order_by("-score", "pk")
    ).values_list("need_id", "solution_id")

    response = client_for(provider_member).get(LIST)

    assert pairs(response) == list(by_score)
    assert sorted(pairs(response)) == sorted([(need_a.pk, solution.pk), (need_b.pk, solution.pk)])


def test_match_list_for_staff_holds_every_pair_of_the_active_generation(client_for, staff, matched):
    response = client_for(staff).get(LIST)

    assert sorted(pairs(response)) == sorted(
        Match.objects.active().values_list("need_id", "solution_id")
    )
    assert response.json()["count"] == 2


def test_match_list_for_an_anonymous_caller_is_refused(client_for, matched):
    response = client_for(None).get(LIST)

    assert response.status_code == 403


def test_match_list_for_a_member_of_an_unrelated_organization_is_empty(client_for, matched):
    outsider = member_of(ProviderFactory())

    response = client_for(outsider).get(LIST)

    assert pairs(response) == []


def test_match_shows_the_pair_its_score_and_why(client_for, member_a, org_a, provider_org, matched):
    need_a, _need_b, solution = matched
    match = Match.objects.active().get(need=need_a, solution=solution)

    response = client_for(member_a).get(detail(match))

    assert response.status_code == 200
    assert response.json() == {
        "id": match.pk,
        "need": {"id": need_a.pk, "title": need_a.title, "organization_name": org_a.name},
        "solution": {
            "id": solution.pk,
            "title": solution.title,
            "organization_name": provider_org.name,
        },
        "score": round(match.score * 100, 1),  # the site's one scale, 0–100
        "components": {name: round(value * 100, 1) for name, value in match.components.items()},
        "terms": match.terms,
        "rank_for_need": 1,
        "rank_for_solution": match.rank_for_solution,
        "algorithm_version": match.algorithm_version,
        "computed_at": timezone.localtime(match.computed_at).isoformat(),
        "interest": None,
    }
    assert sorted(match.components) == [
        "budget",
        "capabilities",
        "capabilities_inferred",
        "capabilities_offer",
        "deployment",
        "industry",
        "maturity",
        "need_side",
        "solution_side",
        "text",
    ]


def test_match_shows_the_introduction_and_who_started_it(
    client_for, member_a, provider_member, matched
):
    need_a, _need_b, solution = matched
    interest = interests.express_interest(by=provider_member, need=need_a, solution=solution)
    match = Match.objects.active().get(need=need_a, solution=solution)

    response = client_for(member_a).get(detail(match))

    assert response.json()["interest"] == {
        "id": interest.pk,
        "status": "pending",
        "initiated_by_side": "provider",
    }


def test_match_of_another_organization_is_404(client_for, member_b, matched):
    need_a, _need_b, solution = matched
    match = Match.objects.active().get(need=need_a, solution=solution)

    response = client_for(member_b).get(detail(match))

    assert response.status_code == 404


def test_match_marked_not_interested_is_hidden_from_that_side_only(
    client_for, member_a, provider_member, matched, run_on_commit
):
    need_a, _need_b, solution = matched
    with run_on_commit():
        interests.mark_not_interested(by=member_a, need=need_a, solution=solution)

    enterprise_view = client_for(member_a).get(LIST)
    provider_view = client_for(provider_member).get(LIST)

    assert pairs(enterprise_view) == []
    assert (need_a.pk, solution.pk) in pairs(provider_view)


def test_match_list_holds_only_the_callers_own_lists(
    settings, client_for, member_a, org_a, need_a, rematch
):
    # With lists of one, the need keeps only the better solution; the weaker one still
    # keeps the need in its own list. The enterprise sees its list, each provider theirs.
    settings.MATCHING_TOP_K = 1
    strong = SolutionFactory(title="冲压件表面缺陷视觉检测大模型")
    weak = SolutionFactory(title="零售门店客流视觉分析", industries=["retail"], maturity="poc")
    rematch()
    weak_pair = Match.objects.active().get(need=need_a, solution=weak)
    assert (weak_pair.rank_for_need, weak_pair.rank_for_solution) == (None, 1)

    enterprise_view = client_for(member_a).get(LIST)
    weak_provider_view = client_for(member_of(weak.organization)).get(LIST)

    assert pairs(enterprise_view) == [(need_a.pk, strong.pk)]
    assert pairs(weak_provider_view) == [(need_a.pk, weak.pk)]
    assert client_for(member_a).get(detail(weak_pair)).status_code == 404


def test_match_of_a_generation_not_yet_active_is_not_listed(client_for, staff, matched):
    need_a, _need_b, solution = matched
    computing = MatchRun.objects.create(kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING)
    unflipped = Match.objects.create(
        run=computing,
        need=need_a,
        solution=solution,
        score=0.99,
        rank_for_need=1,
        rank_for_solution=1,
        algorithm_version="next",
        computed_at=timezone.now(),
    )

    response = client_for(staff).get(LIST)

    assert unflipped.pk not in [m["id"] for m in response.json()["results"]]
    assert client_for(staff).get(detail(unflipped)).status_code == 404


def test_match_list_is_empty_before_the_first_run(client_for, staff, need_a, solution):
    response = client_for(staff).get(LIST)

    assert pairs(response) == []


# --- filters and ordering ------------------------------------------------------------


@pytest.fixture
def provider_view(client_for, provider_member, matched):
    client = client_for(provider_member)
    return lambda **params: pairs(client.get(LIST, params))


def test_match_filter_by_need(provider_view, matched):
    need_a, _need_b, solution = matched

    assert provider_view(need=need_a.pk) == [(need_a.pk, solution.pk)]


def test_match_filter_by_solution(provider_view, matched):
    _need_a, _need_b, solution = matched

    assert len(provider_view(solution=solution.pk)) == 2
    assert provider_view(solution=solution.pk + 1000) == []


def test_match_filter_by_minimum_score(provider_view, matched):
    _need_a, _need_b, solution = matched
    scores = dict(Match.objects.active().values_list("need_id", "score"))
    best = max(scores, key=scores.get)
    assert scores[best] < 1

    # 0–100, as the pages and the `score` field; the filter keeps a pair of 74.5 at 74.5.
    assert provider_view(min_score=scores[best] * 100) == [(best, solution.pk)]
    assert len(provider_view(min_score=0)) == 2
    assert len(provider_view(min_score=1)) == 2  # one point, not “only perfect pairs”
    assert provider_view(min_score=100) == []


def test_match_filter_refuses_the_old_0_to_1_scale_and_says_which_scale(
    client_for, provider_member, matched
):
    response = client_for(provider_member).get(LIST, {"min_score": "0.6"})

    assert response.status_code == 400
    (message,) = response.json()["min_score"]
    assert "0–100" in message
    assert "60" in message


def test_the_schema_documents_min_score_on_the_0_to_100_scale(client, english):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    (parameter,) = [
        p
        for p in schema["paths"]["/api/v1/matches/"]["get"]["parameters"]
        if p["name"] == "min_score"
    ]
    assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (0, 100)
    assert "0 to 100" in parameter["description"]
    score = schema["components"]["schemas"]["Match"]["properties"]["score"]
    assert "0 to 100" in score["description"]


def test_match_filter_by_industry_of_the_need(provider_view, matched):
    need_a, need_b, solution = matched
    need_b.industry_id = None
    need_b.save(update_fields=["industry"])

    assert provider_view(industry="manufacturing") == [(need_a.pk, solution.pk)]
    assert provider_view(industry="healthcare") == []


def test_match_filter_by_capability_of_the_need(provider_view):
    assert len(provider_view(capability="computer_vision")) == 2
    assert provider_view(capability="speech") == []


def test_match_ordering_by_score(client_for, provider_member, matched):
    client = client_for(provider_member)

    def scores(ordering: str) -> list[float]:
        return [m["score"] for m in client.get(LIST, {"ordering": ordering}).json()["results"]]

    assert scores("score") == sorted(scores("score"))
    assert scores("-score") == sorted(scores("score"), reverse=True)
    assert len(scores("score")) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [({"min_score": "101"}, "min_score"), ({"min_score": "high"}, "min_score")],
)
def test_match_filter_with_a_bad_value_is_400(client_for, provider_member, matched, params, field):
    response = client_for(provider_member).get(LIST, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_match_filter_by_an_unknown_industry_code_is_400(client_for, provider_member, matched):
    response = client_for(provider_member).get(LIST, {"industry": "astrology"})

    assert response.status_code == 400
    assert list(response.json()) == ["industry"]


# --- query counts --------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(
    ("actor", "queries"),
    # count, page (with both records, their organizations and the introduction); members
    # also read their memberships (the organization they act for, core/acting.py)
    [("member_a", 3), ("provider_member", 3), ("staff", 2)],
    indirect=["actor"],
)
def test_match_list_query_count(
    client_for, django_assert_num_queries, actor, queries, n, org_a, provider_org, rematch
):
    needs = NeedFactory.create_batch(n, organization=org_a)
    solution = SolutionFactory(organization=provider_org)
    interests.express_interest(by=member_of(provider_org), need=needs[0], solution=solution)
    rematch()
    client = client_for(actor)

    with django_assert_num_queries(queries):
        response = client.get(LIST)

    assert len(response.json()["results"]) == n
