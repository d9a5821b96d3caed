"""Site-wide form pieces: the renderer, and reading hostile input without server errors."""

from django import forms
from django.core.exceptions import ValidationError
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
