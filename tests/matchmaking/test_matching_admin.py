"""Matching in the admin: runs with their progress, a re-match button, matches and why."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Industry
from matchmaking.engine.version import ALGORITHM_VERSION
from matchmaking.models import Interest, Match, MatchFeedback, MatchRun
from matchmaking.services import interests, matching
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    StaffFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:matchmaking_matchrun_changelist")
START = reverse("admin:matchmaking_matchrun_start")
MATCHES = reverse("admin:matchmaking_match_changelist")
INTERESTS = reverse("admin:matchmaking_interest_changelist")
FEEDBACK = reverse("admin:matchmaking_matchfeedback_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def rematch(run_on_commit):
    def run() -> MatchRun:
        with run_on_commit():
            run = matching.start_full_run()
        run.refresh_from_db()
        return run

    return run


@pytest.fixture
def matched(rematch):
    """Two needs (manufacturing, energy) and a solution for each; one full run."""
    factory_need = NeedFactory(title="冲压件表面缺陷视觉检测")
    grid_need = NeedFactory(
        title="变电站巡检图像缺陷识别",
        industry=Industry.objects.get(code="energy"),
        organization__name="上海电力公司",
    )
    vision = SolutionFactory(title="工业视觉质检大模型")
    grid = SolutionFactory(title="电力巡检视觉大模型", industries=["energy"])
    run = rematch()
    assert run.status == MatchRun.Status.SUCCEEDED
    return factory_need, grid_need, vision, grid


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(html: str) -> str:
    """What a reader sees of a page: the markup taken out."""
    return re.sub(r"<[^>]+>", "", html)


def listed(response) -> list[int]:
    """The object ids of a changelist page, in order."""
    return [obj.pk for obj in response.context["cl"].result_list]


# --- runs ----------------------------------------------------------------------------


def test_run_changelist_shows_progress_counts_and_timings(staff_client, matched):
    run = MatchRun.objects.get()

    html = body(staff_client.get(RUNS))

    assert 'class="matchrun-progress" title="100%"' in html
    assert (run.chunks_done, run.chunks_total) == (1, 1)
    assert "1 / 1" in html
    assert f"needs 2 · solutions 2 · pairs stored {run.counts['pairs']}" in text(html)
    assert re.search(r"load \d+\.\d\d s · fit \d+\.\d\d s · chunks \(sum\) \d+\.\d\d s", text(html))
    assert "Succeeded" in html


def test_run_change_view_lists_counts_and_phase_timings(staff_client, matched):
    run = MatchRun.objects.get()

    html = body(staff_client.get(reverse("admin:matchmaking_matchrun_change", args=[run.pk])))

    assert f"<tr><th scope='row'>pairs stored</th><td>{run.counts['pairs']}</td></tr>" in html
    assert re.search(r"<tr><th scope='row'>total</th><td>\d+\.\d{3} s</td></tr>", html)
    assert "rows persisted per second" in html


def test_run_changelist_reloads_while_a_run_is_computing(staff_client, matched):
    MatchRun.objects.create(kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING, progress=40)

    html = body(staff_client.get(RUNS))

    assert '<meta http-equiv="refresh" content="5">' in html
    assert 'title="40%"' in html


def test_run_changelist_does_not_reload_when_every_run_is_finished(staff_client, matched):
    html = body(staff_client.get(RUNS))

    assert 'http-equiv="refresh"' not in html


def test_run_changelist_marks_the_active_generation(staff_client, matched, rematch):
    second = rematch()

    response = staff_client.get(RUNS)

    rows = {run.pk: run.active for run in response.context["cl"].result_list}
    assert rows == {second.pk: True, MatchRun.objects.exclude(pk=second.pk).get().pk: False}


def test_run_a_full_rematch_from_the_changelist(matched, run_on_commit):
    # Through the page's own form, with CSRF checks on, as a browser would.
    staff = StaffFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = body(client.get(RUNS))
    form = re.search(r'<form method="post" action="([^"]+)" id="start-full-run">', page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)

    with run_on_commit():
        response = client.post(form.group(1), {"csrfmiddlewaretoken": token.group(1)})

    assert form.group(1) == START
    assert (response.status_code, response.url) == (302, RUNS)
    latest = MatchRun.objects.latest("pk")
    assert (latest.status, latest.requested_by) == (MatchRun.Status.SUCCEEDED, staff)
    assert MatchRun.objects.filter(kind="full").count() == 2
    shown = [str(m) for m in client.get(RUNS).context["messages"]]
    assert shown == [
        (
            f"Full re-match #{latest.pk} queued. The workers compute it; "
            "this page shows its progress and reloads until it is done."
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_run_a_full_rematch_without_a_broker_finishes_within_the_request(staff_client):
    # No broker (eager mode): the job runs right after the request's commit.
    NeedFactory()
    SolutionFactory()

    response = staff_client.post(START, follow=True)

    run = MatchRun.objects.get()
    assert run.status == MatchRun.Status.SUCCEEDED
    assert [str(m) for m in response.context["messages"]] == [
        f"Full re-match #{run.pk} finished: 1 pair stored."
    ]


def test_run_a_full_rematch_without_the_csrf_token_is_refused(matched):
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory())

    response = client.post(START)

    assert response.status_code == 403
    assert MatchRun.objects.count() == 1


def test_run_a_full_rematch_while_one_is_queued_does_not_start_another(staff_client):
    queued = matching.start_full_run()  # not committed: no worker has picked it up

    response = staff_client.post(START, follow=True)

    assert MatchRun.objects.get() == queued
    assert [str(m) for m in response.context["messages"]] == [
        f"A full re-match is already under way (run #{queued.pk}); it was not started twice."
    ]


def test_run_a_full_rematch_by_get_is_not_allowed(staff_client):
    response = staff_client.get(START)

    assert response.status_code == 405
    assert MatchRun.objects.count() == 0


def test_run_a_full_rematch_needs_the_permission(client, matched):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_matchrun"))
    client.force_login(viewer)

    page = body(client.get(RUNS))
    response = client.post(START)

    assert 'id="start-full-run"' not in page
    assert response.status_code == 403
    assert MatchRun.objects.count() == 1


def test_run_admin_is_read_only(staff_client, matched):
    run = MatchRun.objects.get()

    responses = [
        staff_client.get(reverse("admin:matchmaking_matchrun_add")).status_code,
        staff_client.post(
            reverse("admin:matchmaking_matchrun_change", args=[run.pk]), {"status": "failed"}
        ).status_code,
        staff_client.post(
            reverse("admin:matchmaking_matchrun_delete", args=[run.pk]), {"post": "yes"}
        ).status_code,
    ]

    assert responses == [403, 403, 403]
    assert MatchRun.objects.get().status == MatchRun.Status.SUCCEEDED


# --- matches -------------------------------------------------------------------------


def test_match_changelist_shows_the_active_generation_by_default(staff_client, matched):
    factory_need, _grid_need, vision, _grid = matched
    computing = MatchRun.objects.create(kind=MatchRun.Kind.FULL, status=MatchRun.Status.RUNNING)
    unflipped = Match.objects.create(
        run=computing,
        need=factory_need,
        solution=vision,
        score=0.5,
        rank_for_need=1,
        algorithm_version="next",
        computed_at=timezone.now(),
    )
    active = sorted(Match.objects.active().values_list("pk", flat=True))

    default = staff_client.get(MATCHES)
    everything = staff_client.get(MATCHES, {"generation": "all"})

    assert sorted(listed(default)) == active
    assert sorted(listed(everything)) == sorted([*active, unflipped.pk])


def test_match_changelist_shows_score_ranks_and_components(staff_client, matched):
    factory_need, _grid_need, vision, _grid = matched
    match = Match.objects.active().get(need=factory_need, solution=vision)

    html = body(staff_client.get(MATCHES, {"q": factory_need.title}))

    assert f"{match.score * 100:.1f}" in html
    assert f"Industry {round(match.components['industry'] * 100)} · Capabilities" in text(html)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "变电站"}, "grid pairs"),
        ({"need__industry__id__exact": "energy"}, "grid pairs"),
        ({"solution__organization__id__exact": "grid provider"}, "grid solution pairs"),
        ({"algorithm_version": ALGORITHM_VERSION}, "all"),
        ({"algorithm_version": "other"}, "none"),
        ({"ranked": "both"}, "both ranks"),
        ({"ranked": "need_only"}, "need rank only"),
    ],
)
def test_match_changelist_filters(staff_client, matched, params, expected):
    _factory_need, grid_need, _vision, grid = matched
    active = Match.objects.active()
    params = {
        key: {
            "energy": str(grid_need.industry_id),
            "grid provider": str(grid.organization_id),
        }.get(value, value)
        for key, value in params.items()
    }
    wanted = {
        "grid pairs": active.filter(need=grid_need),
        "grid solution pairs": active.filter(solution=grid),
        "all": active,
        "none": active.none(),
        "both ranks": active.filter(rank_for_need__isnull=False, rank_for_solution__isnull=False),
        "need rank only": active.filter(rank_for_need__isnull=False, rank_for_solution=None),
    }[expected]

    response = staff_client.get(MATCHES, params)

    assert sorted(listed(response)) == sorted(wanted.values_list("pk", flat=True))


def test_match_change_view_explains_the_score(staff_client, matched):
    factory_need, _grid_need, vision, _grid = matched
    match = Match.objects.active().get(need=factory_need, solution=vision)

    html = body(staff_client.get(reverse("admin:matchmaking_match_change", args=[match.pk])))

    assert "<table id='match-explanation'>" in html
    industry = f"<tr><th scope='row'>Industry</th><td>{match.components['industry']:.4f}</td>"
    assert industry in html
    assert "<th scope='row'>Text similarity</th>" in html
    assert "".join(f"<mark>{term}</mark> " for term in match.terms).strip() in html
    assert match.terms != []


def test_match_admin_is_read_only(staff_client, matched):
    match = Match.objects.active().first()

    responses = [
        staff_client.get(reverse("admin:matchmaking_match_add")).status_code,
        staff_client.post(
            reverse("admin:matchmaking_match_delete", args=[match.pk]), {"post": "yes"}
        ).status_code,
    ]

    assert responses == [403, 403]


# --- introductions and feedback ------------------------------------------------------


@pytest.fixture
def introductions(matched):
    factory_need, grid_need, vision, grid = matched
    provider = member_of(vision.organization)
    enterprise = member_of(grid_need.organization)
    pending = interests.express_interest(by=provider, need=factory_need, solution=vision)
    accepted = interests.express_interest(by=enterprise, need=grid_need, solution=grid)
    interests.respond(by=member_of(grid.organization), interest=accepted, accept=True)
    return pending, accepted


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["accepted", "pending"]),
        ({"status__exact": "pending"}, ["pending"]),
        ({"initiated_by_side__exact": "enterprise"}, ["accepted"]),
        ({"q": "上海电力"}, ["accepted"]),
    ],
)
def test_interest_changelist_filters_and_search(staff_client, introductions, params, expected):
    pending, accepted = introductions
    named = {"pending": pending.pk, "accepted": accepted.pk}

    response = staff_client.get(INTERESTS, params)

    assert listed(response) == [named[name] for name in expected]


def test_interest_admin_is_read_only(staff_client, introductions):
    pending, _accepted = introductions

    response = staff_client.post(
        reverse("admin:matchmaking_interest_change", args=[pending.pk]), {"status": "accepted"}
    )

    assert response.status_code == 403
    assert Interest.objects.get(pk=pending.pk).status == "pending"


def test_feedback_changelist_filters_by_side(staff_client, matched, run_on_commit):
    factory_need, _grid_need, vision, _grid = matched
    with run_on_commit():
        interests.mark_not_interested(
            by=member_of(vision.organization), need=factory_need, solution=vision, reason="预算不符"
        )
    feedback = MatchFeedback.objects.get()

    provider_side = staff_client.get(FEEDBACK, {"side__exact": "provider"})
    enterprise_side = staff_client.get(FEEDBACK, {"side__exact": "enterprise"})

    assert listed(provider_side) == [feedback.pk]
    assert listed(enterprise_side) == []
    assert "预算不符" in body(provider_side)


# --- query counts --------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_rows(rematch) -> None:
    """Two more needs, solutions, runs, introductions and feedback rows."""
    for n in range(2):
        need = NeedFactory(organization=OrganizationFactory())
        solution = SolutionFactory(organization=ProviderFactory())
        rematch()
        interests.express_interest(
            by=member_of(solution.organization), need=need, solution=solution
        )
        MatchFeedback.objects.create(need=need, solution=solution, side="enterprise", reason=f"{n}")


@pytest.mark.parametrize("url", [RUNS, MATCHES, INTERESTS, FEEDBACK])
def test_changelist_query_count_does_not_grow_with_rows(staff_client, rematch, url):
    need, solution = NeedFactory(), SolutionFactory()
    rematch()
    interests.express_interest(by=member_of(solution.organization), need=need, solution=solution)
    MatchFeedback.objects.create(need=need, solution=solution, side="enterprise")
    staff_client.get(url)  # warm the session and content types
    with_one = _queries(staff_client, url)

    _add_rows(rematch)
    with_three = _queries(staff_client, url)

    assert with_three == with_one
