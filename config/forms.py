"""Site-wide form pieces: the renderer, and reading hostile input without server errors."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.renderers import TemplatesSetting

# The largest value a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_DB_INTEGER = 2**63 - 1


class SiteFormRenderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


def posted_pk(value: str | None) -> int:
    """A primary key sent in a form or a query string; 0 (no row has it) for anything else.

    Views look rows up by keys that clients send; a key that is no number must be a
    404 like an unknown one, not a ValueError (note that "²".isdigit() is true).
    """
    if value and value.isascii() and value.isdigit() and int(value) <= MAX_DB_INTEGER:
        return int(value)
    return 0


def bound_numbers(form: forms.Form) -> forms.Form:
    """Range-check every number a form takes, so none can overflow a database integer.

    Number fields get the database's bounds unless they have tighter ones. Used by
    every filter set (config/filtering.py); model forms get the same bounds from their
    model fields already, and a choice of records by an id no row can have is an
    invalid choice (core/lookups.py keeps the lookup from overflowing).
    """
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            if field.max_value is None or field.max_value > MAX_DB_INTEGER:
                field.max_value = MAX_DB_INTEGER
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxValueValidator)
                ] + [MaxValueValidator(MAX_DB_INTEGER)]
            if field.min_value is None or field.min_value < -MAX_DB_INTEGER:
                field.min_value = -MAX_DB_INTEGER
                field.validators = [
                    v for v in field.validators if not isinstance(v, MinValueValidator)
                ] + [MinValueValidator(-MAX_DB_INTEGER)]
    return form


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Model choices by id that refuses ids no database integer can hold.

    Django looks the chosen ids up with `IN (…)`, which SQLite cannot bind for such
    numbers (OverflowError): they are invalid choices, like any other unknown id.
    """

    def _check_values(self, value):
        for item in value:
            try:
                number = int(str(item).strip())
            except ValueError:
                continue  # not a number: Django reports it as an invalid value
            if abs(number) > MAX_DB_INTEGER:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)
