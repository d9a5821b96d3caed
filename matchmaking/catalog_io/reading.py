"""Reading a catalog document's records through the API's serializers.

The values of organizations, needs and solutions obey the rules the API applies — the
same serializers check them (core.api.serializers.OrganizationSerializer,
matchmaking.serializers.NeedSerializer and SolutionSerializer), with the import's
few differences declared in the subclasses below. What this module adds is the
document's own strictness and its way of speaking:

* JSON types are checked first (a number is no text, "150" is no amount, a date is
  written YYYY-MM-DD), where the API would convert;
* every unknown code of a list is reported, not only the first;
* each error names its record and field and says what is wrong in the document's
  words ("must not be below budget_min (50)"), translated from the serializers'
  error codes; messages without such a code (a phone number's, a USCC's) pass as
  they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.relations import ManyRelatedField, RelatedField

from core.api.serializers import OrganizationSerializer
from core.validators import normalize_uscc
from matchmaking.catalog_io.document import CatalogError
from matchmaking.serializers import NeedSerializer, SolutionSerializer
from matchmaking.services.catalog import TITLE_MIN_LENGTH
from matchmaking.validators import AMOUNT_RANGE

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BAD = object()


# --- the serializers, as the import uses them ---------------------------------------


class OrganizationImportSerializer(OrganizationSerializer):
    """An organization of the document: the import decides who holds a code, and how."""

    uscc = serializers.CharField()
    website = serializers.URLField(
        max_length=200,
        allow_blank=True,
        required=False,
        validators=[URLValidator(schemes=["http", "https"])],
    )

    def validate_uscc(self, value: str) -> str:
        # Who holds the code (the file, the site, another import) is the importer's check.
        return normalize_uscc(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Staff import; what staff alone may change is theirs to change.
        return attrs


class NeedImportSerializer(NeedSerializer):
    """A need of the document: a title says what it is about even in a draft."""

    class Meta(NeedSerializer.Meta):
        extra_kwargs = {
            **NeedSerializer.Meta.extra_kwargs,
            "title": {"min_length": TITLE_MIN_LENGTH},
        }


class SolutionImportSerializer(SolutionSerializer):
    """A solution of the document: a title says what it is about even in a draft."""

    class Meta(SolutionSerializer.Meta):
        extra_kwargs = {
            **SolutionSerializer.Meta.extra_kwargs,
            "title": {"min_length": TITLE_MIN_LENGTH},
        }


# --- one record ---------------------------------------------------------------------


def unknown_code(code: str, choices: Iterable[str]) -> str:
    return _('unknown code "%(code)s"; expected one of: %(codes)s') % {
        "code": code,
        "codes": ", ".join(choices),
    }


def _choices(field: serializers.Field) -> list[str]:
    if isinstance(field, ManyRelatedField):
        field = field.child_relation
    if isinstance(field, serializers.ListField):
        field = field.child
    if isinstance(field, RelatedField):
        return list(field.get_queryset().values_list(field.slug_field, flat=True))
    return [str(choice) for choice in field.choices]


class Reader:
    """One record of the document: its errors, collected rather than stopping at the first.

    The record's own errors are kept until `flush()`, then given in the order of the
    record type's fields (`order`); errors found later go straight to the document's.
    """

    def __init__(
        self, errors: list[CatalogError], section: str, label: str, record: dict, order
    ) -> None:
        self.document_errors = errors
        self.section = section
        self.label = label
        self.record = record
        self.order = tuple(order)
        self.own: list[CatalogError] | None = []
        self.ok = True

    def error(self, name: str, message: str) -> None:
        self.ok = False
        error = CatalogError(self.section, self.label, name, message)
        (self.own if self.own is not None else self.document_errors).append(error)

    def flush(self) -> None:
        """Give the record's errors to the document's, in the order of its fields."""

        def rank(error: CatalogError) -> float:
            name = error.field.split(".")[0]
            # The key first, then the fields the format does not know, then the rest.
            return self.order.index(name) if name in self.order else 0.5

        self.document_errors.extend(sorted(self.own or [], key=rank))
        self.own = None

    def unknown_fields(self, known: Iterable[str], *, prefix: str = "", record=None) -> None:
        for name in record if record is not None else self.record:
            if name not in known:
                self.error(prefix + name, _("unknown field"))

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        """A text the format itself needs (a key, a reference to an organization)."""
        value = self.record.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(name, _("must be text"))
            return ""
        value = value.strip()
        if required and not value:
            self.error(name, _("required"))
        elif max_length is not None and len(value) > max_length:
            self.error(name, _max_length(max_length, value))
        return value

    # Values, through a serializer ---------------------------------------------------

    def read(self, serializer: serializers.Serializer, names: Iterable[str]) -> dict[str, Any]:
        """The validated values of the fields `names`, each error reported once.

        The fields that fail are left out of the result: a record with errors is not
        written, but its other values still tell what else it lacks.
        """
        fields = serializer.fields
        data: dict[str, Any] = {}
        for name in names:
            value = self.record.get(name)
            if value is not None:
                value = self._json(name, fields[name], value)
                if value is not _BAD:
                    data[name] = value
        # Field errors first; the cross-field rules (serializer.validate) run once the
        # fields are valid, so a record takes a second round, without the fields that
        # failed (and so as a partial update, for which a missing field is no error).
        try:
            for round_ in range(3):
                serializer.partial = round_ > 0
                try:
                    return serializer.run_validation(data)
                except ValidationError as error:
                    self._report_all(fields, error.detail, data)
        finally:
            serializer.partial = False
        return {}

    def _report_all(self, fields, detail, data: dict[str, Any]) -> None:
        """Report a validation's errors and leave their values out of `data`."""
        if not isinstance(detail, dict):
            detail = {"non_field_errors": detail}
        for name, messages in detail.items():
            value = data.get(name)
            self._report(fields.get(name), name, messages, value)
            if isinstance(messages, dict) and isinstance(value, dict):
                for key in messages:  # a nested object keeps its valid fields
                    value.pop(key, None)
            else:
                data.pop(name, None)

    def _json(self, name: str, field: serializers.Field, value: Any) -> Any:
        """The value if its JSON type fits the field, else _BAD (with the error given)."""
        if isinstance(field, ManyRelatedField | serializers.ListField):
            if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
                self.error(name, _("must be a list of codes"))
                return _BAD
            return self._codes(name, field, value)
        if isinstance(field, serializers.Serializer):
            return self._object(name, field, value)
        if isinstance(field, serializers.BooleanField):
            if not isinstance(value, bool):
                self.error(name, _("must be true or false"))
                return _BAD
            return value
        if isinstance(field, serializers.IntegerField):
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(name, _("must be a whole number (in 10,000 CNY)"))
                return _BAD
            return value
        if not isinstance(value, str):
            self.error(name, _("must be text"))
            return _BAD
        value = value.strip()
        if isinstance(field, serializers.DateField) and value and not _is_iso_date(value):
            self.error(name, _("must be a date in ISO format (YYYY-MM-DD)"))
            return _BAD
        return value

    def _codes(self, name: str, field: serializers.Field, codes: list[str]) -> list[str]:
        """Every code checked by the list's own child field; the known ones, once each."""
        child = field.child_relation if isinstance(field, ManyRelatedField) else field.child
        known = []
        for code in dict.fromkeys(codes):
            try:
                child.run_validation(code)
            except ValidationError:
                self.error(name, unknown_code(code, _choices(field)))
            else:
                known.append(code)
        return known

    def _object(self, name: str, field: serializers.Serializer, value: Any) -> Any:
        if not isinstance(value, dict):
            self.error(name, _("must be an object with name, phone and email"))
            return _BAD
        self.unknown_fields(field.fields, prefix=f"{name}.", record=value)
        checked = {}
        for key, item in value.items():
            if key not in field.fields or item is None:
                continue
            if not isinstance(item, str):
                self.error(f"{name}.{key}", _("must be text"))
                continue
            checked[key] = item.strip()
        return checked

    def _report(self, field, name: str, messages, value: Any) -> None:
        if isinstance(messages, dict):  # a nested object's fields
            for key, inner in messages.items():
                inner_value = value.get(key) if isinstance(value, dict) else None
                self._report(field.fields.get(key), f"{name}.{key}", inner, inner_value)
            return
        for message in messages:
            self.error(name, self._message(field, message, value))

    def _message(self, field, message: ErrorDetail, value: Any) -> str:
        """The serializer's error in the document's words."""
        code = getattr(message, "code", None)
        if code in ("required", "blank", "null"):
            return _("required")
        if code == "max_length":
            return _max_length(field.max_length, value or "")
        if code == "min_length":
            return _("must be at least %(min)d characters") % {"min": field.min_length}
        if code in ("invalid_choice", "does_not_exist"):
            return unknown_code(str(value), _choices(field))
        if code == AMOUNT_RANGE:
            low_name = field.parent.Meta.model.money_fields[0]
            low = self.record.get(low_name)
            return _("must not be below %(other)s (%(value)d)") % {"other": low_name, "value": low}
        if isinstance(field, serializers.IntegerField):
            if code == "min_value":
                return _("must not be negative")
            if code == "max_value":
                return _("must be at most %(max)d") % {"max": field.max_value}
            return _("must be a whole number (in 10,000 CNY)")
        if isinstance(field, serializers.DateField):
            return _("must be a date in ISO format (YYYY-MM-DD)")
        if isinstance(field, serializers.URLField) and code == "invalid":
            return _("must be an http or https address")
        return str(message)


def _max_length(limit: int, value: str) -> str:
    return _("must be at most %(max)d characters (this one has %(length)d)") % {
        "max": limit,
        "length": len(value),
    }


def _is_iso_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


class KnownCodes:
    """A taxonomy table (industries, capabilities) read once for a whole import.

    Given to the serializers' code fields in place of their queryset, it answers their
    `get(code=...)` without a query per code.
    """

    def __init__(self, model) -> None:
        self.model = model
        self.by_code = {item.code: item for item in model.objects.all()}

    def get(self, *, code: str):
        try:
            return self.by_code[code]
        except KeyError:
            raise self.model.DoesNotExist(code) from None

    def values_list(self, name: str, *, flat: bool) -> list[str]:
        return list(self.by_code)


def serializer_for(
    serializer_class: type[serializers.Serializer], known: dict[type, KnownCodes]
) -> serializers.Serializer:
    """One unbound serializer for a whole section: `Reader.read` validates each record."""
    serializer = serializer_class(context={"request": None})
    for field in serializer.fields.values():
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        queryset = getattr(relation, "queryset", None)
        if isinstance(relation, RelatedField) and getattr(queryset, "model", None) in known:
            relation.queryset = known[queryset.model]
    return serializer
