"""Importing the published filing lists and checking solutions' filing numbers.

`import_filing_list` stores a published table (idempotent: the same list imported
again replaces its rows) and re-checks every solution that states a filing number.
`check_filings` is the one place that decides a solution's filing status:

- verified — the number is in a list and the filing organization is the solution's
  own organization (names compared after `normalize_organization`); the date shown
  is the date of the newest list it was found in;
- number found, but filed by another organization;
- not found in any list.

A change of status is audited, re-matches a published solution (a need may require
a verified filing) and, when the filing cannot be verified, tells the owner by email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core import audit
from core.emails import queue_email
from core.models import User
from matchmaking.filing_tables import (
    FilingTableError,
    RowError,
    normalize_number,
    normalize_organization,
    read_filing_table,
)
from matchmaking.models import FilingEntry, FilingList, FilingStatus, Solution, Status
from matchmaking.services import incremental

__all__ = ["FilingImport", "FilingTableError", "check_filings", "import_filing_list"]


@dataclass
class FilingImport:
    filing_list: FilingList
    created: bool
    rows: int
    errors: list[RowError] = field(default_factory=list)
    changed_solutions: int = 0


@transaction.atomic
def import_filing_list(
    *,
    by: User | None,
    kind: str,
    source: str,
    list_date: date,
    content: bytes,
    file_name: str = "",
) -> FilingImport:
    """Store one published list (replacing its rows if it was imported before).

    A list is identified by its kind, publisher and date; rows that cannot be read are
    reported with their row number and field and left out. Raises FilingTableError when
    the file is no table of filings at all (nothing is changed then).
    """
    table = read_filing_table(content, file_name)
    filing_list, created = FilingList.objects.update_or_create(
        kind=kind,
        source=" ".join(source.split()),
        list_date=list_date,
        defaults={"file_name": file_name[:200], "imported_by": by, "entry_count": len(table.rows)},
    )
    filing_list.entries.all().delete()
    FilingEntry.objects.bulk_create(
        FilingEntry(
            filing_list=filing_list,
            row_number=row.row_number,
            sequence=row.sequence[:20],
            region=row.region[:40],
            service_name=row.service_name[:200],
            organization_name=row.organization_name[:200],
            filing_number=row.filing_number[:100],
            filed_on=row.filed_on,
            number_key=normalize_number(row.filing_number)[:100],
            organization_key=normalize_organization(row.organization_name)[:200],
        )
        for row in table.rows
    )
    audit.record(
        by,
        "filing_list.imported" if created else "filing_list.reimported",
        filing_list,
        rows=len(table.rows),
        unreadable=[str(error) for error in table.errors][:50],
    )
    # One matching job for every solution whose verification changed.
    with incremental.batch():
        changed = check_filings(
            Solution.objects.exclude(filing_number="").select_related("organization")
        )
    return FilingImport(filing_list, created, len(table.rows), table.errors, len(changed))


def _verdict(solution: Solution, entries: list[FilingEntry]) -> tuple[str, FilingEntry | None]:
    if not entries:
        return FilingStatus.NOT_FOUND, None
    own = normalize_organization(solution.organization.name)
    # Newest list first: its date is the one a verification is reported on.
    for entry in entries:
        if entry.organization_key == own:
            return FilingStatus.VERIFIED, entry
    return FilingStatus.ORGANIZATION_DIFFERS, entries[0]


def check_filings(solutions: Iterable[Solution]) -> list[Solution]:
    """Recompute the filing status of these solutions; returns those whose status changed.

    Called by the import (every solution with a number) and by the catalog services
    when a solution's number or organization changes. Runs in the caller's transaction.
    """
    solutions = list(solutions)
    keys = {s.pk: normalize_number(s.filing_number) for s in solutions if s.filing_number}
    by_number: dict[str, list[FilingEntry]] = {}
    entries = (
        FilingEntry.objects.filter(number_key__in=set(keys.values()))
        .select_related("filing_list")
        .order_by("-filing_list__list_date", "filing_list_id", "row_number")
    )
    for entry in entries:
        by_number.setdefault(entry.number_key, []).append(entry)
    # Before the first list is imported nothing can be checked: no verdict, no email.
    any_list = FilingList.objects.exists()
    changed = []
    for solution in solutions:
        status, entry = (
            _verdict(solution, by_number.get(keys[solution.pk], []))
            if solution.pk in keys and any_list
            else ("", None)
        )
        values = {
            "filing_status": status,
            "filing_verified_on": entry.filing_list.list_date
            if status == FilingStatus.VERIFIED
            else None,
            "filed_service_name": entry.service_name if entry else "",
            "filed_organization": entry.organization_name if entry else "",
        }
        if all(getattr(solution, name) == value for name, value in values.items()):
            continue
        was_verified = solution.filing_verified
        previous = solution.filing_status
        for name, value in values.items():
            setattr(solution, name, value)
        solution.save(update_fields=list(values))
        audit.record(None, "solution.filing_checked", solution, previous=previous, status=status)
        if was_verified != solution.filing_verified and solution.status == Status.APPROVED:
            incremental.on_catalog_change(solution)
        if status in (FilingStatus.ORGANIZATION_DIFFERS, FilingStatus.NOT_FOUND):
            _notify_unverified(solution)
        changed.append(solution)
    return changed


def _notify_unverified(solution: Solution) -> None:
    from matchmaking.services.catalog import owners_of  # noqa: PLC0415 -- catalog calls us

    link = settings.SITE_URL + reverse("my-solution-detail", args=[solution.pk])
    for user in owners_of(solution):
        queue_email(
            to=user.email,
            user=user,
            template="filing_unverified",
            context={"record": solution, "link": link},
            key=(
                f"filing:{solution.pk}:{solution.filing_status}:"
                f"{normalize_number(solution.filing_number)}:{user.pk}"
            ),
        )
