"""Filters of lists (django-filter) whose numbers are range-checked, in one place.

A filter value no database integer can hold — `?need=-2255082649622419505745494016`,
`?organization=<25 digits>` — is a 400 with the field's error, on SQLite as on
PostgreSQL, never a query. Every FilterSet of the project derives from `FilterSet`
below (tests/security/test_integer_bounds.py checks that), which bounds every
numeric field of its form; ids are `IdFilter`s (whole numbers, 1 or more). The API's
filter backend refuses a filter set that does not derive from it, and builds the
ones it makes from `filterset_fields` on it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from config.forms import MAX_DB_INTEGER, bound_numbers

ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_DB_INTEGER}


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number from 1 to the largest database integer."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_DB_INTEGER)
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with every number of its form range-checked."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "numbers_bounded", False):
            bound_numbers(form)
            form.numbers_bounded = True
        return form


class FilterBackend(DjangoFilterBackend):
    """The API's filter backend: only range-checked filter sets."""

    filterset_base = FilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None and not issubclass(filterset_class, FilterSet):
            msg = f"{filterset_class.__qualname__} must derive from config.filtering.FilterSet"
            raise ImproperlyConfigured(msg)
        return filterset_class
