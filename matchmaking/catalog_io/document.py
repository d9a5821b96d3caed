"""The catalog exchange format `aiplus-catalog/1` (catalog-format.md): its fields, its
errors, and the text of a catalog file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from matchmaking.models import Status

FORMAT = "aiplus-catalog/1"
SECTIONS = ("organizations", "needs", "solutions")
IMPORT_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED)
IMPORT_NOTE = "imported"
KEY_MAX_LENGTH = 100
# Review order for imports: a record only ever moves forward along it.
PROGRESS = {Status.DRAFT: 0, Status.REJECTED: 0, Status.SUBMITTED: 1, Status.APPROVED: 2}

# The fields of each record type, in the order an export writes them.
# fmt: off
ORGANIZATION_FIELDS = (
    "key", "name", "name_en", "kind", "uscc", "industry", "district", "website", "description",
)
NEED_FIELDS = (
    "key", "organization", "title", "summary", "description", "industry", "capabilities",
    "capabilities_unsure", "deployment", "data_readiness", "budget_min", "budget_max", "deadline",
    "requires_filing", "contact",
)
SOLUTION_FIELDS = (
    "key", "organization", "title", "summary", "description", "industries", "capabilities",
    "deployment_modes", "base_model", "filing_number", "maturity", "price_min", "price_max",
    "cases", "contact",
)
# fmt: on
CONTACT_FIELDS = ("name", "phone", "email")
CONTACT_ATTRS = {"name": "contact_name", "phone": "contact_phone", "email": "contact_email"}


@dataclass(frozen=True)
class CatalogError:
    """One problem of a document: where it is and what is wrong."""

    record_type: str  # "organizations", "needs", "solutions", or "" for the document itself
    key: str  # the record's key, or "#n" (its position, from 1) when it has no usable key
    field: str
    message: str

    def __str__(self) -> str:
        if self.record_type:
            return f"{self.record_type}[{self.key}] {self.field}: {self.message}"
        return f"{self.field}: {self.message}"


class CatalogImportError(Exception):
    """A document that cannot be imported; nothing of it was written."""

    def __init__(self, errors: Iterable[CatalogError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    counts: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SECTIONS})
    published: int = 0  # needs and solutions handed to the after-publish hooks
    dry_run: bool = False
    matching: str = ""  # the one matching job the import queued: "full", "pending" or ""
    match_run_id: int | None = None  # the full run, when it queued one

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    def __str__(self) -> str:
        return "; ".join(
            f"{section}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
            for section, c in self.counts.items()
        )


def parse_document(raw: bytes | str) -> Any:
    """The JSON value of a catalog file (UTF-8, a byte-order mark tolerated)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CatalogImportError(
                [CatalogError("", "", "document", _("not UTF-8 text"))]
            ) from error
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        message = _("not valid JSON: %(reason)s (line %(line)d, column %(column)d)") % {
            "reason": error.msg,
            "line": error.lineno,
            "column": error.colno,
        }
        raise CatalogImportError([CatalogError("", "", "document", message)]) from error


def dump_catalog(document: dict[str, Any]) -> str:
    """The document as the text of a catalog file."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
