"""REST endpoints of the core app: organizations and API tokens (config/api_router.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api.errors import ServiceErrorsMixin
from core.api.permissions import OrganizationPermission
from core.api.serializers import AuthTokenSerializer, OrganizationSerializer
from core.models import Organization
from core.services import credentials

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
    filterset_fields = ["kind", "verified", "district"]
    search_fields = ["name", "name_en"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "pk"]


# --- authentication ------------------------------------------------------------------


class AuthTokenViewSet(viewsets.GenericViewSet):
    """Get the API token of an account: POST its email and password.

    Send the token with every request as `Authorization: Token <token>`. The same
    token is returned until it is revoked: by its owner on the account page, or
    automatically when the password is changed or reset, the account is deactivated or
    its last membership ends. Failed attempts count towards the account's lockout.
    """

    serializer_class = AuthTokenSerializer
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: AuthTokenSerializer})
    def create(self, request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = credentials.issue_api_token(user=serializer.validated_data["user"])
        return Response({"token": token.key})
