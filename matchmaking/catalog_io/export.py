"""Export of the catalog as an `aiplus-catalog/1` document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from core.models import Organization
from matchmaking.catalog_io.document import (
    CONTACT_ATTRS,
    FORMAT,
    NEED_FIELDS,
    ORGANIZATION_FIELDS,
    SOLUTION_FIELDS,
)
from matchmaking.models import Need, Solution


def export_catalog(*, status: str | None = None) -> dict[str, Any]:
    """The catalog as an `aiplus-catalog/1` document, private contact details included.

    Records imported before keep their key; the others get a stable one from their
    primary key (`need-12`). Records are ordered by key and codes in taxonomy order,
    so two installations holding the same catalog export the same document. With a
    `status`, only needs and solutions in it, and only their organizations.
    """
    needs = Need.objects.select_related("organization", "industry").prefetch_related("capabilities")
    solutions = Solution.objects.select_related("organization").prefetch_related(
        "industries", "capabilities"
    )
    organizations = Organization.objects.select_related("industry")
    if status:
        needs = needs.filter(status=status)
        solutions = solutions.filter(status=status)
        organizations = organizations.filter(
            models.Q(pk__in=needs.values("organization_id"))
            | models.Q(pk__in=solutions.values("organization_id"))
        )
    org_list, need_list, solution_list = list(organizations), list(needs), list(solutions)
    org_keys = stable_keys(org_list, "org", Organization)
    need_keys = stable_keys(need_list, "need", Need)
    solution_keys = stable_keys(solution_list, "sol", Solution)
    return {
        "format": FORMAT,
        "organizations": [
            _organization_entry(org, key) for org, key in _by_key(org_keys, org_list)
        ],
        "needs": [
            _need_entry(need, key, org_keys[need.organization_id])
            for need, key in _by_key(need_keys, need_list)
        ],
        "solutions": [
            _solution_entry(solution, key, org_keys[solution.organization_id])
            for solution, key in _by_key(solution_keys, solution_list)
        ],
    }


def stable_keys(records: list, prefix: str, model: type[models.Model]) -> dict[int, str]:
    taken = set(model.objects.exclude(source_key=None).values_list("source_key", flat=True))
    keys: dict[int, str] = {}
    for record in sorted(records, key=lambda r: r.pk):
        if record.source_key:
            keys[record.pk] = record.source_key
            continue
        candidate, n = f"{prefix}-{record.pk}", 2
        while candidate in taken:  # an imported key happens to look like a generated one
            candidate, n = f"{prefix}-{record.pk}-{n}", n + 1
        taken.add(candidate)
        keys[record.pk] = candidate
    return keys


def _by_key(keys: dict[int, str], records: Iterable) -> list[tuple[Any, str]]:
    return sorted(((record, keys[record.pk]) for record in records), key=lambda pair: pair[1])


def _codes(related: Iterable) -> list[str]:
    return [item.code for item in sorted(related, key=lambda item: (item.sort_order, item.code))]


def _compact(entry: dict[str, Any], required: tuple[str, ...]) -> dict[str, Any]:
    """Leave out empty optional values, as the format allows."""
    return {
        name: value
        for name, value in entry.items()
        if name in required or value not in (None, "", [], {})
    }


def _contact(record: Need | Solution) -> dict[str, str]:
    return _compact({name: getattr(record, attr) for name, attr in CONTACT_ATTRS.items()}, ())


def _entry(record: Any, names: tuple[str, ...], **special: Any) -> dict[str, Any]:
    """A record's entry: `special` values first, else the attribute of the same name."""
    required = ("key", "organization", "title", "name", "kind", "uscc")
    entry = {name: special[name] if name in special else getattr(record, name) for name in names}
    return _compact(entry, required)


def _organization_entry(org: Organization, key: str) -> dict[str, Any]:
    industry = org.industry.code if org.industry else ""
    return _entry(org, ORGANIZATION_FIELDS, key=key, industry=industry)


def _need_entry(need: Need, key: str, org_key: str) -> dict[str, Any]:
    return _entry(
        need,
        NEED_FIELDS,
        key=key,
        organization=org_key,
        industry=need.industry.code if need.industry else "",
        capabilities=_codes(need.capabilities.all()),
        capabilities_unsure=need.capabilities_unsure or None,  # written only when true
        deadline=need.deadline.isoformat() if need.deadline else None,
        requires_filing=need.requires_filing or None,  # left out when false
        contact=_contact(need),
    )


def _solution_entry(solution: Solution, key: str, org_key: str) -> dict[str, Any]:
    return _entry(
        solution,
        SOLUTION_FIELDS,
        key=key,
        organization=org_key,
        industries=_codes(solution.industries.all()),
        capabilities=_codes(solution.capabilities.all()),
        contact=_contact(solution),
    )
