"""The OpenAPI schema's view of the API: drf-spectacular, plus the error answers.

drf-spectacular documents only the success of each operation. A client (and a
schema-driven fuzzer, tests/security/test_api_schema_fuzz.py) also meets the
refusals, so each operation lists those it can give, with their bodies:

- 400 everywhere: field errors of writes, a `detail` from the services, an invalid
  filter value, or a NUL character anywhere in the query (config/middleware.py);
- 403 when the view authenticates (bad credentials; the first authenticator is the
  session, which sends no challenge, so DRF answers 403 rather than 401) or its
  permissions are not all AllowAny;
- 404 for a record that does not exist or is not the caller's to see, and for a page
  of a list past its end;
- 413 for a write whose body is larger than REQUEST_BODY_LIMITS["api"]
  (config/middleware.py RequestSizeLimitMiddleware);
- 429 where a throttle applies to the method.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny

from config.forms import MAX_DB_INTEGER


@extend_schema_serializer(component_name="Error", many=False)
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")


FIELD_ERRORS = {
    "type": "object",
    "description": "The field errors: each invalid field (or `non_field_errors`, or "
    "`detail` for a refusal of the services) with its messages.",
    "additionalProperties": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {"type": "object"},
        ]
    },
}

BAD_REQUEST = OpenApiResponse(FIELD_ERRORS, description="The request was invalid.")
FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Not signed in, invalid credentials, or not allowed to do this.",
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="No such record among those you may see, or no such page.",
)
THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many requests; try again later.")
TOO_LARGE = OpenApiResponse(ErrorSerializer, description="The request body is too large.")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with each operation's error responses (see the module)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        view = self.view
        errors: dict[str, OpenApiResponse] = {"400": BAD_REQUEST}
        permissions = view.get_permissions()
        if view.get_authenticators() or not all(
            isinstance(permission, AllowAny) for permission in permissions
        ):
            errors["403"] = FORBIDDEN
        if "{" in self.path or self._is_paginated_list():
            errors["404"] = NOT_FOUND
        if self.method in ("POST", "PUT", "PATCH"):
            errors["413"] = TOO_LARGE
        throttles = view.get_throttles()
        if any(
            not (self.method in SAFE_METHODS and getattr(throttle, "writes_only", False))
            for throttle in throttles
        ):
            errors["429"] = THROTTLED
        return errors

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None


def bound_integers(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every integer of the schema says its range.

    Path ids are 1 to the largest database integer; other integers (query filters,
    body fields) at most that far from 0 unless they say less. The API refuses
    anything beyond with a 400 (config/filtering.py, config/middleware.py), and a
    schema-driven fuzzer aims at these bounds.
    """

    def bound(schema: dict, lowest: int) -> None:
        if schema.get("type") != "integer":
            return
        schema.setdefault("format", "int64")
        schema.setdefault("maximum", MAX_DB_INTEGER)
        schema.setdefault("minimum", lowest)

    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                lowest = 1 if parameter.get("in") == "path" else -MAX_DB_INTEGER
                bound(parameter.get("schema", {}), lowest)
    for component in result.get("components", {}).get("schemas", {}).values():
        for prop in component.get("properties", {}).values():
            bound(prop, -MAX_DB_INTEGER)
            if prop.get("type") == "array":
                bound(prop.get("items", {}), -MAX_DB_INTEGER)
    return result
