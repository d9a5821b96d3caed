"""Factories of matchmaking's models: needs, solutions, and hand-made matches."""

from __future__ import annotations

import factory
from django.utils import timezone

from core.models import Capability, Industry
from matchmaking.models import Match, MatchingState, MatchRun, Need, Solution, Status
from tests.factories.accounts import OrganizationFactory, ProviderFactory


class NeedFactory(factory.django.DjangoModelFactory):
    """A complete, published need (use status="draft" etc. for other states)."""

    class Meta:
        model = Need
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"产线外观缺陷视觉检测 {n}")
    summary = "冲压件表面划痕、凹坑的自动检测，替代人工目检。"
    description = "现有 6 条产线，人工目检漏检率约 3%，希望引入视觉大模型实现在线检测。"
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="manufacturing"))
    deployment = "on_premise"
    data_readiness = "ready"
    budget_min = 50
    budget_max = 200
    contact_name = "王工"
    contact_phone = "13800138000"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.com")
    status = Status.APPROVED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["computer_vision"]
            self.capabilities.set(Capability.objects.filter(code__in=codes))


class SolutionFactory(factory.django.DjangoModelFactory):
    """A complete, published solution."""

    class Meta:
        model = Solution
        skip_postgeneration_save = True

    organization = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"工业视觉质检大模型 {n}")
    summary = "基于视觉大模型的表面缺陷检测，支持小样本训练与产线私有化部署。"
    description = "已在 60 余家制造企业落地，检出率 99.5% 以上。"
    deploy_on_premise = True
    deploy_edge = True
    maturity = "product"
    price_min = 30
    price_max = 150
    base_model = "InternLM-XComposer"
    contact_name = "陈博士"
    contact_phone = "13900139000"
    contact_email = factory.Sequence(lambda n: f"sales{n}@example.com")
    status = Status.APPROVED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["computer_vision"]
            self.capabilities.set(Capability.objects.filter(code__in=codes))

    @factory.post_generation
    def industries(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["manufacturing"]
            self.industries.set(Industry.objects.filter(code__in=codes))


def active_run() -> MatchRun:
    """The active generation of matches (created on first use), for hand-made Match rows."""
    state = MatchingState.load()
    if state.active_run is None:
        state.active_run = MatchRun.objects.create(
            kind=MatchRun.Kind.FULL, status=MatchRun.Status.SUCCEEDED
        )
        state.save(update_fields=["active_run"])
    return state.active_run


def add_match(
    need: Need,
    solution: Solution,
    score: float,
    *,
    rank: int | None = None,
    run: MatchRun | None = None,
) -> Match:
    """A match of the active generation (or of `run`) with the given score and rank."""
    return Match.objects.create(
        need=need,
        solution=solution,
        run=run or active_run(),
        score=score,
        rank_for_need=rank,
        algorithm_version="test",
        computed_at=timezone.now(),
    )
