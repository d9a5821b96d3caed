"""REST API for organizations, scenario needs and solutions (/api/v1/, see config/api_router.py).

Who sees what: the querysets hold only the records the caller may open
(`visible_to`), so anything else is a 404 and never appears in a list; the
serializers leave out the fields the caller may not see (matchmaking.selectors).
Writes go through matchmaking.services; their ValidationError and DomainError become
400 responses with field errors or a `detail`.

Authentication: a session (the site's login) or a token, sent as
`Authorization: Token <key>`; POST email and password to /api/v1/auth/token/ to get it.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

from matchmaking import selectors
from matchmaking.errors import DomainError, NotAllowedError
from matchmaking.filters import NeedFilter, SolutionFilter
from matchmaking.models import Need, Organization, Solution, StatusChange
from matchmaking.permissions import (
    NEED,
    SOLUTION,
    CanPostRecord,
    OrganizationPermission,
    posting_organizations,
)
from matchmaking.serializers import (
    AuthTokenSerializer,
    NeedSerializer,
    OrganizationSerializer,
    SolutionSerializer,
    api_errors,
)
from matchmaking.services import catalog as services


class WriteRateThrottle(UserRateThrottle):
    """The "writes" rate of the settings, per user (per address when anonymous), on writes only."""

    scope = "writes"

    def get_rate(self) -> str | None:
        # Looked up per request (DRF reads it once, at import), so it follows the settings.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class ServiceErrorsMixin:
    """Turn the services' refusals into API responses instead of server errors."""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(api_errors(exc))
        elif isinstance(exc, NotAllowedError):
            exc = PermissionDenied(exc.message)
        elif isinstance(exc, DomainError):
            exc = ValidationError({"detail": exc.message})
        return super().handle_exception(exc)


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


class CatalogViewSet(
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
    throttle_classes = [WriteRateThrottle]
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
        if self.action in self.insider_actions and not selectors.is_insider(
            self.request.user, record
        ):
            raise Http404
        return record

    def perform_create(self, serializer) -> None:
        organization = serializer.validated_data.get("organization")
        if organization is None:
            mine = posting_organizations(self.request.user, self.record_kind)
            if not mine:
                raise ValidationError({"organization": [_("Name the organization to post for.")]})
            organization = mine[0]
        serializer.save(organization=organization)

    def _respond_after(self, service) -> Response:
        record = service(self.get_object(), by=self.request.user)
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
        return self._respond_after(services.withdraw)

    @extend_schema(
        request=None,
        summary="Close",
        description="Close a published record: the need is met, or the solution retired.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None) -> Response:
        return self._respond_after(services.close)


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


# --- organizations -------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(description="All organizations' public details."),
    create=extend_schema(description="Staff only: organizations register through the site."),
    update=extend_schema(description="Owners of the organization and staff."),
    partial_update=extend_schema(description="Owners of the organization and staff."),
)
class OrganizationViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Enterprises and AI solution providers taking part in the programme."""

    queryset = Organization.objects.select_related("industry")
    serializer_class = OrganizationSerializer
    permission_classes = [OrganizationPermission]
    throttle_classes = [WriteRateThrottle]
    filterset_fields = ["kind", "verified", "district"]
    search_fields = ["name", "name_en"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "pk"]


# --- authentication ------------------------------------------------------------------


class AuthTokenViewSet(viewsets.GenericViewSet):
    """Get the API token of an account: POST its email and password.

    Send the token with every request as `Authorization: Token <token>`. The same
    token is returned until it is deleted (by staff, in the admin).
    """

    serializer_class = AuthTokenSerializer
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [WriteRateThrottle]

    @extend_schema(responses={200: AuthTokenSerializer})
    def create(self, request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
