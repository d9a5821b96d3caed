"""REST API under /api/v1/ (config/api_router.py): needs, solutions, matches, introductions.

Who sees what: the querysets hold only the records the caller may open
(`visible_to`), so anything else is a 404 and never appears in a list; the
serializers leave out the fields the caller may not see (matchmaking/rules.py).
Writes go through matchmaking.services; their ValidationError and DomainError become
400 responses with field errors or a `detail` (core.api.errors).

Authentication: a session (the site's login) or a token, sent as
`Authorization: Token <key>`; POST email and password to /api/v1/auth/token/ to get it.
"""

from __future__ import annotations

import copy
import logging

import django_filters
import rules
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import (
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.response import Response

from config.filtering import ID_SCHEMA, FilterSet, IdFilter
from core.acting import acting_organization
from core.api.errors import ServiceErrorsMixin
from core.api.views import OrganizationViewSet
from core.enums import Side
from core.models import Capability, Industry
from matchmaking.filters import NeedFilter, OrganizationFilter, SolutionFilter
from matchmaking.models import Interest, Match, MatchFeedback, Need, Solution, Status, StatusChange
from matchmaking.permissions import CanPostRecord
from matchmaking.rules import NEED, SOLUTION, may_post_as
from matchmaking.search.queries import RANK, by_relevance
from matchmaking.selectors import _with_interest_state
from matchmaking.serializers import (
    API_FIELD_PATHS,
    InterestCreateSerializer,
    InterestSerializer,
    MatchSerializer,
    NeedSerializer,
    SolutionSerializer,
)
from matchmaking.services import catalog as services
from matchmaking.services import interests

logger = logging.getLogger(__name__)


# --- needs and solutions -------------------------------------------------------------


def _by_code(page_filter, what: str):
    """A page filter that takes taxonomy codes, with its type declared for the schema
    (drf-spectacular cannot infer it through the code lookup)."""
    return extend_schema_field(
        {
            "type": "string",
            "description": f"{what} code (catalog format); repeat the parameter for several.",
        }
    )(copy.deepcopy(page_filter))


class NeedApiFilter(NeedFilter):
    """The catalog page's filters. The page's sort menu is left out: in the API,
    `?ordering=` is DRF's ordering over `ordering_fields`, which reads the same parameter."""

    industry = _by_code(NeedFilter.base_filters["industry"], "An industry")
    capability = _by_code(NeedFilter.base_filters["capability"], "An AI capability")
    ordering = None


class SolutionApiFilter(SolutionFilter):
    """The catalog page's filters; ordering as for needs."""

    industry = _by_code(SolutionFilter.base_filters["industry"], "An industry")
    capability = _by_code(SolutionFilter.base_filters["capability"], "An AI capability")
    ordering = None


class RelevanceOrderMixin:
    """`?q=` ranks the list by relevance (matchmaking/search) unless `?ordering=` is given."""

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if RANK in queryset.query.annotations and not self.request.query_params.get("ordering"):
            queryset = by_relevance(queryset)
        return queryset


class OrganizationSearchViewSet(RelevanceOrderMixin, OrganizationViewSet):
    """Enterprises and AI solution providers taking part in the programme;
    `?q=` searches their names, descriptions and industries in both languages."""

    filterset_class = OrganizationFilter
    filterset_fields = None


class CatalogViewSet(
    RelevanceOrderMixin,
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """What the needs and solutions endpoints share; subclasses name the model."""

    model: type[Need] | type[Solution]
    record_kind: str
    permission_classes = [IsAuthenticatedOrReadOnly, CanPostRecord]
    api_field_paths = API_FIELD_PATHS
    # Public fields only: searching private text would tell outsiders what it contains.
    search_fields = ["title", "summary", "organization__name"]
    # Unpublished records last on every database (PostgreSQL would sort NULL first).
    ordering = [F("published_at").desc(nulls_last=True), "-created_at", "-pk"]
    # Changing a record is for its organization and staff; to anyone else a record
    # they cannot change answers as if it did not exist.
    insider_actions = frozenset({"update", "partial_update", "submit", "withdraw", "close"})

    def with_related(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        user = self.request.user
        queryset = self.with_related(
            self.model.objects.visible_to(user)
            .select_related("organization")
            .prefetch_related("capabilities")
        )
        if user.is_authenticated:
            # The history is shown to insiders only; its one query is cheaper than
            # deciding per record.
            queryset = queryset.prefetch_related(
                Prefetch("status_changes", queryset=StatusChange.objects.select_related("by"))
            )
        return queryset

    def get_object(self):
        record = super().get_object()
        if self.action in self.insider_actions and not rules.has_perm(
            "matchmaking.edit_record", self.request.user, record
        ):
            raise Http404
        return record

    def perform_create(self, serializer) -> None:
        organization = serializer.validated_data.get("organization")
        if organization is None:
            # The acting organization (core/acting.py), as on the pages.
            organization = acting_organization(
                self.request, fit=lambda org: may_post_as(org, self.record_kind)
            )
            if organization is None:
                raise ValidationError({"organization": [_("Name the organization to post for.")]})
        serializer.save(organization=organization)

    def _respond_after(self, service) -> Response:
        record = service(by=self.request.user, record=self.get_object())
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        request=None,
        summary="Submit for review",
        description="Submit a draft or a returned record to the programme office. "
        "It must be complete (title, summary, description, at least one capability …); "
        "otherwise the answer is 400 with the missing fields.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None) -> Response:
        return self._respond_after(services.submit_for_review)

    @extend_schema(
        request=None,
        summary="Withdraw",
        description="Take the record out of the programme; it is kept for the statistics.",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None) -> Response:
        return self._respond_after(services.withdraw_record)

    @extend_schema(
        request=None,
        summary="Close",
        description="Close a published record: the need is met, or the solution retired.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None) -> Response:
        return self._respond_after(services.close_record)


_LIST = (
    "Published {things}, plus all of your organization's {things} in any status "
    "(staff: all). Private fields are present only where you may see them."
)
_RETRIEVE = "A {thing} you may see; any other answers 404."
_CREATE = (
    "Save a new {thing} as a draft for your organization (staff name `organization`). "
    "Submit it with the submit action."
)
_UPDATE = (
    "Edit a draft, returned or published {thing} of your organization; "
    "editing a published one sends it back for review."
)


def _documented(thing: str, things: str):
    return extend_schema_view(
        list=extend_schema(description=_LIST.format(things=things)),
        retrieve=extend_schema(description=_RETRIEVE.format(thing=thing)),
        create=extend_schema(description=_CREATE.format(thing=thing)),
        update=extend_schema(description=_UPDATE.format(thing=thing)),
        partial_update=extend_schema(description=_UPDATE.format(thing=thing)),
    )


@_documented("need", "needs")
class NeedViewSet(CatalogViewSet):
    """Scenario needs (场景需求) posted by enterprises."""

    model = Need
    record_kind = NEED
    serializer_class = NeedSerializer
    filterset_class = NeedApiFilter
    ordering_fields = [
        "published_at",
        "created_at",
        "updated_at",
        "deadline",
        "budget_min",
        "budget_max",
        "title",
    ]

    def with_related(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("industry")


@_documented("solution", "solutions")
class SolutionViewSet(CatalogViewSet):
    """Solutions (解决方案) offered by AI providers."""

    model = Solution
    record_kind = SOLUTION
    serializer_class = SolutionSerializer
    filterset_class = SolutionApiFilter
    ordering_fields = [
        "published_at",
        "created_at",
        "updated_at",
        "price_min",
        "price_max",
        "title",
    ]

    def with_related(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("industries")


# --- matches -------------------------------------------------------------------------


def _by_id(field_name: str, what: str):
    """A filter on a related record's id, documented as an integer (django-filter says number)."""
    return extend_schema_field({**ID_SCHEMA, "description": f"Only the {what} (its id)."})(
        IdFilter(field_name=field_name)
    )


def _need_codes(field_name: str, model, what: str):
    """A filter on the need's taxonomy codes (the need is the scenario a pair is about)."""
    return extend_schema_field(
        {
            "type": "string",
            "description": f"{what} code of the need (catalog format); "
            "repeat the parameter for several.",
        }
    )(
        django_filters.ModelMultipleChoiceFilter(
            field_name=field_name, to_field_name="code", queryset=model.objects.all()
        )
    )


MIN_SCORE_HELP = (
    "Only pairs scoring at least this much, from 0 to 100 — the scale of `score` and "
    "of the pages' “minimum score” filter. A fraction between 0 and 1 (the scale this "
    "filter had before) is refused with 400 rather than read as under one point."
)


class MatchApiFilter(FilterSet):
    need = _by_id("need_id", "pairs of this need")
    solution = _by_id("solution_id", "pairs of this solution")
    min_score = extend_schema_field(
        {
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "description": MIN_SCORE_HELP,
        }
    )(
        django_filters.NumberFilter(
            method="score_at_least", min_value=0, max_value=100, help_text=MIN_SCORE_HELP
        )
    )
    industry = _need_codes("need__industry__code", Industry, "An industry")
    capability = _need_codes("need__capabilities__code", Capability, "An AI capability")

    class Meta:
        model = Match
        fields = ["need", "solution", "min_score", "industry", "capability"]

    def score_at_least(self, queryset, name, value):
        if 0 < value < 1:
            # 0.6 was this filter's old scale (0–1); on 0–100 it would quietly mean
            # “almost everything”, so it is refused and the error names the scale.
            raise ValidationError(
                {
                    "min_score": [
                        _("The score is on the 0–100 scale, as on the pages: write 60, not 0.6.")
                    ]
                }
            )
        return queryset.filter(score__gte=value / 100)


def _turned_down_by(side: str) -> Exists:
    return Exists(
        MatchFeedback.objects.filter(
            need=OuterRef("need_id"), solution=OuterRef("solution_id"), side=side
        )
    )


def visible_matches(user, organization) -> QuerySet[Match]:
    """The active generation's pairs in the lists of the acting organization (staff: all).

    An enterprise sees the pairs in its needs' lists, a provider those in its
    solutions' lists; a pair its side marked “not interested” is not shown to that side.
    """
    queryset = Match.objects.active()
    if not user.is_staff:
        mine = [organization.pk] if organization is not None else []
        queryset = queryset.filter(
            (
                Q(need__organization_id__in=mine, rank_for_need__isnull=False)
                & ~Q(_turned_down_by(Side.ENTERPRISE))
            )
            | (
                Q(solution__organization_id__in=mine, rank_for_solution__isnull=False)
                & ~Q(_turned_down_by(Side.PROVIDER))
            ),
            need__status=Status.APPROVED,
            solution__status=Status.APPROVED,
        )
    return _with_interest_state(queryset).select_related(
        "need__organization", "solution__organization"
    )


@extend_schema_view(
    list=extend_schema(
        description=(
            "Matches of the current generation involving your organization: for an enterprise "
            "the solutions in its needs' lists, for a provider the needs in its solutions' "
            "lists, without the pairs your side marked “not interested” (staff: all). "
            "Best score first."
        )
    ),
    retrieve=extend_schema(description="A match you may see; any other answers 404."),
)
class MatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Scored (need, solution) pairs (匹配), with the components and terms behind each score."""

    serializer_class = MatchSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = MatchApiFilter
    search_fields = ["need__title", "solution__title"]
    ordering_fields = ["score", "rank_for_need", "rank_for_solution"]
    ordering = ["-score", "pk"]

    def get_queryset(self) -> QuerySet[Match]:
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        user = self.request.user
        return visible_matches(user, None if user.is_staff else acting_organization(self.request))


# --- introductions -------------------------------------------------------------------


class InterestApiFilter(FilterSet):
    need = _by_id("need_id", "introductions of this need")
    solution = _by_id("solution_id", "introductions of this solution")

    class Meta:
        model = Interest
        fields = ["status", "initiated_by_side", "need", "solution"]


_ANSWER = (
    "{what} Only the side that did not start the introduction answers it; the answer is "
    "400 if it is no longer waiting for one."
)


@extend_schema_view(
    list=extend_schema(
        description="Introductions involving your organization (staff: all), newest first."
    ),
    retrieve=extend_schema(description="An introduction you are part of; any other answers 404."),
)
class InterestViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Introductions (意向) between a need and a solution, with double opt-in.

    One side says “interested”, the other accepts or declines; only an accepted
    introduction shows each side the other's contact details.
    """

    serializer_class = InterestSerializer
    permission_classes = [IsAuthenticated]
    api_field_paths = API_FIELD_PATHS
    filterset_class = InterestApiFilter
    search_fields = ["need__title", "solution__title"]
    ordering_fields = ["created_at", "responded_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self) -> QuerySet[Interest]:
        if getattr(self, "swagger_fake_view", False):
            return Interest.objects.none()
        queryset = Interest.objects.all()
        if not self.request.user.is_staff:
            organization = acting_organization(self.request)
            queryset = queryset.involving([organization.pk] if organization else [])
        return queryset.select_related("need__organization", "solution__organization")

    def _respond_with(self, interest: Interest, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=interest.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=InterestCreateSerializer,
        responses={
            201: InterestSerializer,
            200: OpenApiResponse(
                InterestSerializer,
                description="The pair already had an introduction: it is renewed, or, if the "
                "other side had asked first, accepted.",
            ),
        },
        description="Say “interested” in a pair as the side you belong to. If the other side "
        "already asked, this accepts their introduction. 403 if you belong to neither side; "
        "400 if the need or solution is not published.",
    )
    def create(self, request, *args, **kwargs) -> Response:
        serializer = InterestCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        need, solution = serializer.validated_data["need"], serializer.validated_data["solution"]
        existed = Interest.objects.filter(need=need, solution=solution).exists()
        interest = interests.express_interest(
            by=request.user,
            need=need,
            solution=solution,
            message=serializer.validated_data["message"],
        )
        return self._respond_with(interest, code=200 if existed else 201)

    @extend_schema(
        request=None,
        summary="Accept",
        description=_ANSWER.format(
            what="Accept the introduction: both sides now see each other's contact details."
        ),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None) -> Response:
        return self._respond_with(
            interests.respond(by=request.user, interest=self.get_object(), accept=True)
        )

    @extend_schema(
        request=None,
        summary="Decline",
        description=_ANSWER.format(what="Decline the introduction; the other side is told."),
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None) -> Response:
        return self._respond_with(
            interests.respond(by=request.user, interest=self.get_object(), accept=False)
        )

    @extend_schema(
        request=None,
        summary="Withdraw",
        description="End a pending or accepted introduction, as either side; contact details "
        "are hidden again. 400 if it is already declined or withdrawn.",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None) -> Response:
        return self._respond_with(interests.withdraw(by=request.user, interest=self.get_object()))
