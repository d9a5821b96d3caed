"""The services' refusals as API responses: 400 with field errors, 403, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.settings import api_settings

from core.errors import DomainError, NotAllowedError

FieldPaths = Mapping[str, tuple[str, ...]]


def api_errors(
    error: DjangoValidationError, field_paths: FieldPaths | None = None
) -> dict[str, Any]:
    """A service's ValidationError as the API's field errors.

    `field_paths` names the model fields the API shows elsewhere, e.g.
    `{"contact_phone": ("contact", "phone")}` puts that field's errors under contact.phone.
    """
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    field_paths = field_paths or {}
    errors: dict[str, Any] = {}
    for field, messages in error.message_dict.items():
        if field == "__all__":
            path: tuple[str, ...] = (api_settings.NON_FIELD_ERRORS_KEY,)
        else:
            path = field_paths.get(field, (field,))
        node = errors
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(path[-1], []).extend(messages)
    return errors


class ServiceErrorsMixin:
    """Turn the services' refusals into API responses instead of server errors."""

    # Model fields that the viewset's serializers show under another name.
    api_field_paths: ClassVar[FieldPaths] = {}

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(api_errors(exc, self.api_field_paths))
        elif isinstance(exc, NotAllowedError):
            exc = PermissionDenied(exc.message)
        elif isinstance(exc, DomainError):
            exc = ValidationError({"detail": exc.message})
        return super().handle_exception(exc)
