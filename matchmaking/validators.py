"""The catalog's value rules that more than one field takes part in, written once.

The model's `clean()` (and so the pages' model forms), the API's serializers and,
through them, the catalog import apply them; the database's check constraints guard
the same rule underneath, with the same message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

AMOUNT_RANGE = "amount_range"
AMOUNT_RANGE_MESSAGE = _(
    "The upper amount (%(high)s) must not be below the lower amount (%(low)s)."
)
# The check constraints' message: the database names no values.
AMOUNT_RANGE_CONSTRAINT_MESSAGE = _("The upper amount must not be below the lower amount.")


def check_amount_range(*, low_name: str, low: int | None, high_name: str, high: int | None) -> None:
    """“Lower amount ≤ upper amount” for a budget or price range; either may be open.

    Raises a ValidationError on the upper field, with code `amount_range` and the lower
    field's name and value among its params (the import names them in its message).
    """
    if low is not None and high is not None and low > high:
        raise ValidationError(
            {
                high_name: ValidationError(
                    AMOUNT_RANGE_MESSAGE,
                    code=AMOUNT_RANGE,
                    params={"high": high, "low": low, "low_name": low_name},
                )
            }
        )
