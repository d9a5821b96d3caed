"""Catalog filters (django-filter), shared by the public pages and the REST API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from config.filtering import FilterSet
from core.models import Capability, Industry
from matchmaking.models import (
    DataReadiness,
    Deployment,
    FilingStatus,
    Match,
    Maturity,
    Need,
    Solution,
)


def _text_search(queryset: QuerySet, value: str) -> QuerySet:
    """Every word (Chinese or English) must appear in the title or the summary."""
    for term in value.split()[:8]:
        queryset = queryset.filter(Q(title__icontains=term) | Q(summary__icontains=term))
    return queryset


class CatalogFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    capability = django_filters.ModelMultipleChoiceFilter(
        label=_("AI capability"),
        field_name="capabilities__code",
        to_field_name="code",
        queryset=Capability.objects.order_by("sort_order"),
    )

    def search(self, queryset, name, value):
        return _text_search(queryset, value)


class NeedFilter(CatalogFilter):
    industry = django_filters.ModelMultipleChoiceFilter(
        label=_("Industry"),
        field_name="industry__code",
        to_field_name="code",
        queryset=Industry.objects.order_by("sort_order"),
    )
    deployment = django_filters.ChoiceFilter(label=_("Deployment"), choices=Deployment.choices)
    data_readiness = django_filters.ChoiceFilter(
        label=_("Data readiness"), choices=DataReadiness.choices
    )
    budget_from = django_filters.NumberFilter(
        label=_("Budget at least (10k CNY)"), method="budget_at_least", min_value=0
    )
    budget_to = django_filters.NumberFilter(
        label=_("Budget at most (10k CNY)"), method="budget_at_most", min_value=0
    )
    # The sort menus name their choices: django-filter would label the others itself, in
    # English ("Published", "… (descending)"), whatever the page's language.
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("published_at", "published"), ("deadline", "deadline"), ("budget_max", "budget")),
        choices=[
            ("-published", _("Newest first")),
            ("published", _("Oldest first")),
            ("deadline", _("Wanted by, soonest first")),
            ("-budget", _("Largest budget")),
        ],
    )

    class Meta:
        model = Need
        fields = ["q", "industry", "capability", "deployment", "data_readiness"]

    def budget_at_least(self, queryset, name, value):
        # A need whose budget may reach the amount (unknown budgets stay in).
        return queryset.filter(Q(budget_max__gte=value) | Q(budget_max__isnull=True))

    def budget_at_most(self, queryset, name, value):
        return queryset.filter(Q(budget_min__lte=value) | Q(budget_min__isnull=True))


class SolutionFilter(CatalogFilter):
    industry = django_filters.ModelMultipleChoiceFilter(
        label=_("Industry"),
        field_name="industries__code",
        to_field_name="code",
        queryset=Industry.objects.order_by("sort_order"),
    )
    deployment = django_filters.ChoiceFilter(
        label=_("Deployment"), choices=Deployment.choices, method="offers_deployment"
    )
    maturity = django_filters.ChoiceFilter(label=_("Maturity"), choices=Maturity.choices)
    filed = django_filters.BooleanFilter(
        label=_("Filed generative AI service"), method="has_filing"
    )
    filing = django_filters.ChoiceFilter(
        label=_("Filing check"), field_name="filing_status", choices=FilingStatus.choices
    )
    price_from = django_filters.NumberFilter(
        label=_("Price at least (10k CNY)"), method="price_at_least", min_value=0
    )
    price_to = django_filters.NumberFilter(
        label=_("Price at most (10k CNY)"), method="price_at_most", min_value=0
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("published_at", "published"), ("price_min", "price")),
        choices=[
            ("-published", _("Newest first")),
            ("published", _("Oldest first")),
            ("price", _("Lowest price")),
            ("-price", _("Highest price")),
        ],
    )

    class Meta:
        model = Solution
        fields = ["q", "industry", "capability", "deployment", "maturity", "filed", "filing"]

    def offers_deployment(self, queryset, name, value):
        return queryset.filter(**{Solution.DEPLOYMENT_FIELDS[Deployment(value)]: True})

    def has_filing(self, queryset, name, value):
        return queryset.exclude(filing_number="") if value else queryset.filter(filing_number="")

    def price_at_least(self, queryset, name, value):
        return queryset.filter(Q(price_max__gte=value) | Q(price_max__isnull=True))

    def price_at_most(self, queryset, name, value):
        return queryset.filter(Q(price_min__lte=value) | Q(price_min__isnull=True))


class MatchedNeedFilter(FilterSet):
    """Filters of the provider's “Matched needs” page."""

    solution = django_filters.ModelChoiceFilter(
        label=_("For my solution"),
        queryset=Solution.objects.none(),
        empty_label=_("All my solutions"),
    )
    industry = django_filters.ModelMultipleChoiceFilter(
        label=_("Industry"),
        field_name="need__industry__code",
        to_field_name="code",
        queryset=Industry.objects.order_by("sort_order"),
    )
    capability = django_filters.ModelMultipleChoiceFilter(
        label=_("AI capability"),
        field_name="need__capabilities__code",
        to_field_name="code",
        queryset=Capability.objects.order_by("sort_order"),
    )
    min_score = django_filters.NumberFilter(
        label=_("Minimum score (0–100)"), method="score_at_least", min_value=0, max_value=100
    )
    budget_from = django_filters.NumberFilter(
        label=_("Budget at least (10k CNY)"), method="budget_at_least", min_value=0
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("score", "score"),
            ("need__published_at", "published"),
            ("need__budget_max", "budget"),
        ),
        choices=[
            ("-score", _("Best match first")),
            ("-published", _("Newest first")),
            ("-budget", _("Largest budget")),
        ],
    )

    class Meta:
        model = Match
        fields = ["solution", "industry", "capability"]

    def __init__(self, *args, organization_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["solution"].queryset = Solution.objects.filter(
            organization_id=organization_id, status="approved"
        ).order_by("title")

    def score_at_least(self, queryset, name, value):
        return queryset.filter(score__gte=float(value) / 100)

    def budget_at_least(self, queryset, name, value):
        return queryset.filter(Q(need__budget_max__gte=value) | Q(need__budget_max__isnull=True))
