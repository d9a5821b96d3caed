"""Learned weights on the database: outcomes in, a weight set per domain out, rollback.

The history is synthetic: matched pairs of the active generation whose outcome (an
accepted introduction, an open interest, or "not interested") follows the maturity
component in manufacturing and nothing at all in healthcare.
"""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.enums import Side
from core.models import AuditEntry, Industry
from events.models import Meeting, Outcome
from matchmaking.engine.config import DEFAULT_NEED_WEIGHTS
from matchmaking.models import (
    Interest,
    Match,
    MatchFeedback,
    MatchingState,
    MatchRun,
    WeightSet,
)
from matchmaking.services import matching, weights
from tests.factories import (
    MeetingFactory,
    MeetingRequestFactory,
    NeedFactory,
    OutcomeFactory,
    SolutionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

KEYS = (
    "text",
    "industry",
    "capabilities",
    "capabilities_offer",
    "deployment",
    "budget",
    "maturity",
)


def synthetic_history(needs_per_domain: int = 60, solutions: int = 10, seed: int = 5) -> None:
    rng = random.Random(seed)
    run = MatchRun.objects.create(kind="full", status="succeeded")
    MatchingState.objects.update_or_create(pk=1, defaults={"active_run": run})
    offers = SolutionFactory.create_batch(solutions)
    matches, interests, feedback = [], [], []
    for code in ("manufacturing", "healthcare"):
        for need in NeedFactory.create_batch(
            needs_per_domain, industry=Industry.objects.get(code=code)
        ):
            for rank, solution in enumerate(offers, 1):
                components = {key: rng.random() for key in KEYS}
                components["text"] *= 0.5
                matches.append(
                    Match(need=need, solution=solution, run=run, score=0.5, rank_for_need=rank,
                          components=components, algorithm_version="test", computed_at=timezone.now())
                )  # fmt: skip
                value = components["maturity"] if code == "manufacturing" else rng.random()
                if value > 0.66:
                    interests.append(Interest(need=need, solution=solution, initiated_by_side=Side.PROVIDER, status=Interest.Status.ACCEPTED))  # fmt: skip
                elif value > 0.33:
                    interests.append(Interest(need=need, solution=solution, initiated_by_side=Side.PROVIDER))  # fmt: skip
                else:
                    feedback.append(MatchFeedback(need=need, solution=solution, side=Side.ENTERPRISE))  # fmt: skip
    Match.objects.bulk_create(matches)
    Interest.objects.bulk_create(interests)
    MatchFeedback.objects.bulk_create(feedback)


def test_fit_adopts_weights_where_a_component_predicts_outcomes_and_rejects_noise(
    run_on_commit,
):
    synthetic_history()

    with run_on_commit():
        results = {w.domain.code: w for w in weights.fit_weights()}

    manufacturing, healthcare = results["manufacturing"], results["healthcare"]
    figures = manufacturing.evaluation
    assert (manufacturing.adopted, manufacturing.active) == (True, True)
    assert figures["ndcg_at_10_fitted"] >= figures["ndcg_at_10_current"] + 0.02
    assert manufacturing.need_weights["maturity"] > DEFAULT_NEED_WEIGHTS["maturity"]
    assert (healthcare.adopted, healthcare.active) == (False, False)
    # The engine now scores manufacturing needs with the learned weights, and re-matches.
    config = matching.engine_config()
    assert set(config.domain_weights) == {"manufacturing"}
    assert config.domain_weights["manufacturing"]["need"] == manufacturing.need_weights
    assert MatchRun.objects.filter(kind="full").count() == 2  # the history's, and the re-match


def test_rollback_restores_the_previous_weights_and_is_audited(run_on_commit):
    staff = StaffFactory()
    domain = Industry.objects.get(code="manufacturing")
    older = WeightSet.objects.create(
        domain=domain, need_weights=DEFAULT_NEED_WEIGHTS, solution_weights=DEFAULT_NEED_WEIGHTS,
        adopted=True, active=False,
    )  # fmt: skip
    newer = WeightSet.objects.create(
        domain=domain, need_weights={**DEFAULT_NEED_WEIGHTS, "maturity": 0.9},
        solution_weights=DEFAULT_NEED_WEIGHTS, adopted=True, active=True, previous=older,
    )  # fmt: skip

    with run_on_commit():
        restored = weights.roll_back_weights(by=staff, weight_set=newer)

    assert restored == older
    assert list(WeightSet.objects.filter(active=True)) == [older]
    assert AuditEntry.objects.get(action="weights.rolled_back").actor == staff


def test_meeting_outcomes_reach_the_grades_through_the_events_signal():
    request = MeetingRequestFactory(need=NeedFactory(), solution=SolutionFactory())
    meeting = MeetingFactory(request=request, status=Meeting.Status.HELD)
    OutcomeFactory(meeting=meeting, next_step=Outcome.NextStep.PILOT, rating=5)
    run = MatchRun.objects.create(kind="full", status="succeeded")
    MatchingState.objects.update_or_create(pk=1, defaults={"active_run": run})
    Match.objects.create(
        need=request.need, solution=request.solution, run=run, score=0.4, rank_for_need=1,
        components=dict.fromkeys(KEYS, 0.5), algorithm_version="test", computed_at=timezone.now(),
    )  # fmt: skip

    pairs = weights.training_pairs(request.need.industry)

    assert [(p.need_id, p.solution_id, p.relevance) for p in pairs] == [
        (request.need_id, request.solution_id, 4)
    ]


def test_fit_weights_command_writes_the_figures():
    synthetic_history(needs_per_domain=40)
    out = StringIO()

    call_command("fit_weights", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["manufacturing", "healthcare"]
    assert lines[0].endswith("; adopted")
    assert "nDCG@10 on" in lines[1]
    assert "kept the current" in lines[1]
