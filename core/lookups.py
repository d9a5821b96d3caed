"""Integer lookups that a number no database column can hold cannot turn into a 500.

Django refuses such numbers itself for `exact`, `gt`, `lt`… on integer columns (the
query is known to be empty, or full). It does not for a foreign key (`need=…`,
`need_id=…`) nor for `in` (`pk__in=[…]`): SQLite's driver then raises OverflowError
("Python int too large to convert to SQLite INTEGER") — a server error on the
embedded default for `?need=-2255082649622419505745494016`. The lookups below, put
in place of Django's in `CoreConfig.ready()`, treat such a number as what it is: a
value no row has. Filters and path parameters refuse them earlier with a 400
(config/filtering.py, config/middleware.py); this is the net under every other query.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignKey, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _range(field, connection) -> tuple[int | None, int | None]:
    """The values an integer column of `field` holds; (None, None) if it is no integer."""
    target = getattr(field, "target_field", field)
    try:
        return connection.ops.integer_field_range(target.get_internal_type())
    except KeyError:  # not an integer column (a code, a UUID)
        return None, None


def _fits(value, low: int | None, high: int | None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return True
    return (low is None or value >= low) and (high is None or value <= high)


class RelatedIntegerExact(RelatedExact):
    """`fk=value` / `fk_id=value`: a value out of the column's range matches no row."""

    def process_rhs(self, compiler, connection):
        low, high = _range(self.lhs.output_field, connection)
        if not _fits(self.rhs, low, high):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class _DropOutOfRange:
    """`in` with values no row can have: they are left out (all of them: no row)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _range(self.lhs.output_field, connection)
            values = list(self.rhs)
            kept = [value for value in values if _fits(value, low, high)]
            if len(kept) != len(values):
                if not kept:
                    raise EmptyResultSet
                self.rhs = kept
        return super().process_rhs(compiler, connection)


class RelatedIntegerIn(_DropOutOfRange, RelatedIn):
    pass


class IntegerIn(_DropOutOfRange, In):
    pass


def register() -> None:
    """Put the lookups above in place of Django's (CoreConfig.ready)."""
    ForeignKey.register_lookup(RelatedIntegerExact, "exact")
    ForeignKey.register_lookup(RelatedIntegerIn, "in")
    IntegerField.register_lookup(IntegerIn, "in")
