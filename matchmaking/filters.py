"""Catalog filters (django-filter), shared by the public pages and the REST API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from config.filtering import FilterSet
from core.models import Capability, Industry, Organization
from matchmaking.models import (
    DataReadiness,
    Deployment,
    FilingStatus,
    Match,
    Maturity,
    Need,
    Solution,
)
from matchmaking.search.queries import by_relevance, search


class CatalogFilter(FilterSet):
    """Filters of a catalog list; `q` ranks the filtered records by relevance
    (matchmaking/search): the order when no other is chosen."""

    kind = ""
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    capability = django_filters.ModelMultipleChoiceFilter(
        label=_("AI capability"),
        field_name="capabilities__code",
        to_field_name="code",
        queryset=Capability.objects.order_by("sort_order"),
        widget=forms.CheckboxSelectMultiple,
    )

    def search(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, among the filtered records

    def _given(self, name: str) -> bool:
        data = self.form.data
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return any(str(value).strip() for value in values if value is not None)

    def filter_queryset(self, queryset):
        filtered = super().filter_queryset(queryset)
        query = (self.form.cleaned_data.get("q") or "").strip()
        if not query:
            return filtered
        others = any(self._given(name) for name in self.filters if name not in ("q", "ordering"))
        found = search(
            filtered,
            kind=self.kind,
            query=query,
            user=getattr(self.request, "user", None),
            restrict=others,
        )
        return found if self.form.cleaned_data.get("ordering") else by_relevance(found)


class OrganizationFilter(CatalogFilter):
    """The organizations API's filters, with `q`."""

    kind = "organization"
    capability = None

    class Meta:
        model = Organization
        fields = ["q", "kind", "verified", "district"]


class OrganizationDirectoryFilter(FilterSet):
    """Filters of the public organizations directory. Industries and capabilities are
    the organization's own and those of its published needs and solutions; `q` is
    searched by the page (matchmaking/search/directory.py), among the filtered ones."""

    ENTERPRISE, PROVIDER = "enterprise", "provider"
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    role = django_filters.MultipleChoiceFilter(
        label=_("Role"),
        choices=[
            (ENTERPRISE, _("Demand side (enterprises)")),
            (PROVIDER, _("Supply side (AI providers)")),
        ],
        method="has_role",
        widget=forms.CheckboxSelectMultiple,
    )
    industry = django_filters.ModelMultipleChoiceFilter(
        label=_("Industry"),
        to_field_name="code",
        queryset=Industry.objects.order_by("sort_order"),
        method="in_industries",
        widget=forms.CheckboxSelectMultiple,
    )
    capability = django_filters.ModelMultipleChoiceFilter(
        label=_("AI capability"),
        to_field_name="code",
        queryset=Capability.objects.order_by("sort_order"),
        method="with_capabilities",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organization
        fields = ["q", "role", "industry", "capability"]

    def search(self, queryset, name, value):
        return queryset  # ranked by the page, among the filtered organizations

    def has_role(self, queryset, name, value):
        kinds = {Organization.Kind.BOTH, *value}
        return queryset.filter(kind__in=kinds)

    @staticmethod
    def _published(model, **lookups):
        return Exists(model.objects.published().filter(organization_id=OuterRef("pk"), **lookups))

    # (A method filter is also called with the empty selection: no choice, no filter.)
    def in_industries(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(industry__in=value)
            | self._published(Need, industry__in=value)
            | self._published(Solution, industries__in=value)
        )

    def with_capabilities(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            self._published(Need, capabilities__in=value)
            | self._published(Solution, capabilities__in=value)
        )


class NeedFilter(CatalogFilter):
    kind = "need"
    industry = django_filters.ModelMultipleChoiceFilter(
        label=_("Industry"),
        field_name="industry__code",
        to_field_name="code",
        queryset=Industry.objects.order_by("sort_order"),
        widget=forms.CheckboxSelectMultiple,
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
    kind = "solution"
    industry = django_filters.ModelMultipleChoiceFilter(
        label=_("Industry"),
        field_name="industries__code",
        to_field_name="code",
        queryset=Industry.objects.order_by("sort_order"),
        widget=forms.CheckboxSelectMultiple,
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
