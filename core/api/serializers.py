"""REST representations shared by every app's API, and those of organizations and tokens."""

from __future__ import annotations

from typing import Any, ClassVar

import rules
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from core.models import Industry, Organization, User
from core.services import organizations
from core.validators import normalize_uscc

INDUSTRY_HELP = _("An industry code from the catalog format, e.g. manufacturing.")


class CodeField(serializers.SlugRelatedField):
    """A taxonomy entry (industry, capability) by its code."""

    def __init__(self, **kwargs) -> None:
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        # PostgreSQL refuses NUL in any string: looking such a code up would be a 500.
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class CallerDependentSerializer(serializers.ModelSerializer):
    """A serializer that leaves out the fields its caller may not see.

    `caller_dependent_fields` names them; `hidden_fields` says which to leave out for
    one record. They are never computed for a caller who may not see them.
    """

    caller_dependent_fields: ClassVar[tuple[str, ...]] = ()

    def hidden_fields(self, instance) -> set[str]:
        raise NotImplementedError

    @property
    def caller(self) -> User:
        return self.context["request"].user

    def to_representation(self, instance) -> dict[str, Any]:
        # DRF's Serializer.to_representation, skipping the hidden fields before they
        # are computed (the history of a record, say, is not even read for outsiders).
        hidden = self.hidden_fields(instance)
        data: dict[str, Any] = {}
        for field in self._readable_fields:
            if field.field_name in hidden:
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            value = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            data[field.field_name] = None if value is None else field.to_representation(attribute)
        return data


class CallerDependentSerializerExtension(OpenApiSerializerExtension):
    """In responses, every field is always present except those that depend on the caller."""

    target_class = CallerDependentSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        # drf-spectacular's documented way to start from the schema it would generate.
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)  # noqa: SLF001
        if direction == "response":
            optional = set(self.target.caller_dependent_fields)
            schema["required"] = [name for name in schema["properties"] if name not in optional]
        return schema


# --- organizations -------------------------------------------------------------------


class OrganizationSerializer(CallerDependentSerializer):
    """An enterprise or AI provider: public details, and the USCC for its members and staff."""

    industry = CodeField(
        queryset=Industry.objects.all(), allow_null=True, required=False, help_text=INDUSTRY_HELP
    )
    uscc = serializers.CharField(
        required=False,
        help_text=_(
            "The 18-character unified social credit code. Present for the organization's "
            "members and staff; required when staff create an organization, and only staff "
            "change it."
        ),
    )

    caller_dependent_fields = ("uscc",)
    STAFF_ONLY: ClassVar[tuple[str, ...]] = ("uscc", "verified")

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "name_en",
            "kind",
            "industry",
            "district",
            "website",
            "description",
            "verified",
            "uscc",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "verified": {"help_text": _("Set by the programme office after checking the licence.")}
        }

    def hidden_fields(self, instance: Organization) -> set[str]:
        private = rules.has_perm("core.see_organization_private", self.caller, instance)
        return set() if private else {"uscc"}

    def validate_uscc(self, value: str) -> str:
        code = normalize_uscc(value)
        taken = Organization.objects.filter(uscc=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(
                _("An organization with this unified social credit code is already registered.")
            )
        return code

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not self.caller.is_staff:
            changed = {
                name: [_("Only the programme office can change this.")]
                for name in self.STAFF_ONLY
                if name in attrs and attrs[name] != getattr(self.instance, name, None)
            }
            if changed:
                raise serializers.ValidationError(changed)
        if self.instance is None and not attrs.get("uscc"):
            raise serializers.ValidationError(
                {"uscc": [_("A new organization needs its unified social credit code.")]}
            )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Organization:
        return organizations.register_organization(by=self.caller, fields=validated_data)

    def update(self, instance: Organization, validated_data: dict[str, Any]) -> Organization:
        return organizations.update_organization(
            by=self.caller, organization=instance, fields=validated_data
        )


# --- authentication ------------------------------------------------------------------


class AuthTokenSerializer(serializers.Serializer):
    """Email and password in, the API token of that account out."""

    email = serializers.EmailField(write_only=True)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    token = serializers.CharField(
        read_only=True,
        help_text=_('Send it as the header "Authorization: Token <token>".'),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        user = authenticate(request=request, username=attrs["email"], password=attrs["password"])
        if getattr(request, "axes_locked_out", False):
            # Set by django-axes on this (DRF) request: the account or the address is
            # locked out, and its middleware only sees the Django request underneath.
            raise Throttled(
                wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                detail=str(_("Too many failed sign-in attempts. Try again later.")),
            )
        if user is None:
            raise serializers.ValidationError(
                _("The email or password is not correct."), code="authorization"
            )
        attrs["user"] = user
        return attrs
