"""Import and export of the catalog exchange format `aiplus-catalog/1` (catalog-format.md).

An import is all-or-nothing: every record of the document is checked first and every
problem is reported (record type, key, field, reason); only a clean document is
written, in one transaction. Records are matched on their `key` (stored as
`source_key`), so importing the same file twice changes nothing and an edited file
updates its records in place; a record whose values did not change is not saved at
all, so its `updated_at` keeps telling when it last really changed.

Status: new needs and solutions get the requested status. Existing ones only move
forward (draft → submitted → approved), never back: re-importing a file with the
default `draft` must not unpublish what the programme office already published, and
closed or withdrawn records stay as their owners left them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import Capability, Industry, Organization, User
from core.validators import normalize_phone, normalize_uscc
from matchmaking import signals
from matchmaking.models import (
    DataReadiness,
    Deployment,
    Maturity,
    Need,
    Solution,
    Status,
    StatusChange,
)
from matchmaking.services import catalog as catalog_services

FORMAT = "aiplus-catalog/1"
SECTIONS = ("organizations", "needs", "solutions")
IMPORT_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED)
IMPORT_NOTE = "imported"
KEY_MAX_LENGTH = 100
MAX_AMOUNT = 2_147_483_647  # a PositiveIntegerField's ceiling on every database
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Review order for imports: a record only ever moves forward along it.
_PROGRESS = {Status.DRAFT: 0, Status.REJECTED: 0, Status.SUBMITTED: 1, Status.APPROVED: 2}

# The fields of each record type, in the order an export writes them.
# fmt: off
ORGANIZATION_FIELDS = (
    "key", "name", "name_en", "kind", "uscc", "industry", "district", "website", "description",
)
NEED_FIELDS = (
    "key", "organization", "title", "summary", "description", "industry", "capabilities",
    "deployment", "data_readiness", "budget_min", "budget_max", "deadline", "contact",
)
SOLUTION_FIELDS = (
    "key", "organization", "title", "summary", "description", "industries", "capabilities",
    "deployment_modes", "base_model", "filing_number", "maturity", "price_min", "price_max",
    "cases", "contact",
)
# fmt: on
CONTACT_FIELDS = ("name", "phone", "email")
_CONTACT_ATTRS = {"name": "contact_name", "phone": "contact_phone", "email": "contact_email"}


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


@transaction.atomic
def import_catalog(
    document: Any,
    *,
    status: str = Status.DRAFT,
    by: User | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Create or update the document's organizations, needs and solutions.

    Raises CatalogImportError with every problem found, having written nothing. With
    `dry_run`, checks and counts as a real import would, then rolls back.
    """
    if status not in IMPORT_STATUSES:
        raise ValueError(f"cannot import records as {status!r}")
    importer = _Importer(status=Status(status), by=by)
    importer.check(document)
    if importer.errors:
        raise CatalogImportError(importer.errors)
    try:
        with transaction.atomic():
            result = importer.write()
            result.dry_run = dry_run
            audit.record(
                by,
                "catalog.imported",
                None,
                status=str(status),
                published=result.published,
                **{
                    section: [counts.created, counts.updated, counts.unchanged]
                    for section, counts in result.counts.items()
                },
            )
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        raise CatalogImportError([CatalogError("", "", "database", str(error))]) from error
    return result


def _announce_published(records: list[Need | Solution]) -> None:
    # One transaction for the whole round: the receivers' own after-commit work (such
    # as the matching job) then starts once, with every published record in view.
    with transaction.atomic():
        for record in records:
            signals.record_published.send(sender=type(record), record=record)


@dataclass
class _Plan:
    """A checked record, ready to write: model values and many-to-many ids."""

    key: str
    values: dict[str, Any]
    m2m: dict[str, set[int]] = field(default_factory=dict)
    organization_key: str = ""
    instance: Any = None  # the existing record, if any


class _Reader:
    """Reads one record's fields, collecting errors instead of stopping at the first."""

    def __init__(
        self, errors: list[CatalogError], section: str, label: str, record: dict, prefix: str = ""
    ) -> None:
        self.errors = errors
        self.section = section
        self.label = label
        self.record = record
        self.prefix = prefix
        self.ok = True

    def error(self, name: str, message: str) -> None:
        self.ok = False
        self.errors.append(CatalogError(self.section, self.label, self.prefix + name, message))

    def unknown_fields(self, known: Iterable[str]) -> None:
        for name in self.record:
            if name not in known:
                self.error(name, _("unknown field"))

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
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
            self.error(
                name,
                _("must be at most %(max)d characters (this one has %(length)d)")
                % {"max": max_length, "length": len(value)},
            )
        return value

    def choice(self, name: str, choices: Iterable[str], *, required: bool = False) -> str:
        value = self.text(name, required=required)
        if value and value not in set(choices):
            self.error(name, _unknown_code(value, choices))
            return ""
        return value

    def choices(self, name: str, choices: Iterable[str]) -> list[str]:
        value = self.record.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            self.error(name, _("must be a list of codes"))
            return []
        known = set(choices)
        for code in value:
            if code not in known:
                self.error(name, _unknown_code(code, choices))
        return list(dict.fromkeys(code for code in value if code in known))

    def amount(self, name: str) -> int | None:
        value = self.record.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, _("must be a whole number (in 10,000 CNY)"))
            return None
        if value < 0:
            self.error(name, _("must not be negative"))
            return None
        if value > MAX_AMOUNT:
            self.error(name, _("must be at most %(max)d") % {"max": MAX_AMOUNT})
            return None
        return value

    def amount_range(self, low_name: str, high_name: str) -> tuple[int | None, int | None]:
        low, high = self.amount(low_name), self.amount(high_name)
        if low is not None and high is not None and high < low:
            self.error(
                high_name,
                _("must not be below %(other)s (%(value)d)") % {"other": low_name, "value": low},
            )
        return low, high

    def date(self, name: str) -> date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)  # noqa: TRY301 — one message for every malformed date
            return date.fromisoformat(value)
        except ValueError:
            self.error(name, _("must be a date in ISO format (YYYY-MM-DD)"))
            return None

    def contact(self) -> dict[str, str]:
        value = self.record.get("contact")
        empty = dict.fromkeys(_CONTACT_ATTRS.values(), "")
        if value is None:
            return empty
        if not isinstance(value, dict):
            self.error("contact", _("must be an object with name, phone and email"))
            return empty
        contact = _Reader(self.errors, self.section, self.label, value, prefix="contact.")
        contact.unknown_fields(CONTACT_FIELDS)
        result = {
            "contact_name": contact.text("name", max_length=60),
            "contact_phone": contact.text("phone"),
            "contact_email": contact.text("email", max_length=254),
        }
        if result["contact_phone"]:
            try:
                result["contact_phone"] = normalize_phone(result["contact_phone"])
            except ValidationError as error:
                contact.error("phone", " ".join(error.messages))
        if result["contact_email"]:
            try:
                validate_email(result["contact_email"])
            except ValidationError as error:
                contact.error("email", " ".join(error.messages))
        self.ok = self.ok and contact.ok
        return result


def _unknown_code(code: str, choices: Iterable[str]) -> str:
    return _('unknown code "%(code)s"; expected one of: %(codes)s') % {
        "code": code,
        "codes": ", ".join(choices),
    }


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ; returns whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _count(counts: Counts, *, created: bool, changed: bool) -> None:
    if created:
        counts.created += 1
    elif changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


class _Importer:
    """Checks a whole document (collecting every error), then writes it."""

    def __init__(self, *, status: Status, by: User | None) -> None:
        self.status = status
        self.by = by
        self.errors: list[CatalogError] = []
        self.plans: dict[str, list[_Plan]] = {section: [] for section in SECTIONS}
        self.industries = dict(Industry.objects.values_list("code", "pk"))
        self.capabilities = dict(Capability.objects.values_list("code", "pk"))
        self.org_kinds: dict[str, str] = {}  # every organization key the records may refer to

    # Checking -------------------------------------------------------------------

    def check(self, document: Any) -> None:
        if not isinstance(document, dict):
            self.errors.append(CatalogError("", "", "document", _("must be a JSON object")))
            return
        for name in document:
            if name not in ("format", *SECTIONS):
                self.errors.append(CatalogError("", "", name, _("unknown field")))
        if document.get("format") is None:
            self.errors.append(CatalogError("", "", "format", _("required")))
        elif document["format"] != FORMAT:
            self.errors.append(
                CatalogError(
                    "",
                    "",
                    "format",
                    _('unsupported format "%(value)s"; expected "%(format)s"')
                    % {"value": document["format"], "format": FORMAT},
                )
            )
        sections: dict[str, list] = {}
        for section in SECTIONS:
            records = document.get(section)
            if records is not None and not isinstance(records, list):
                self.errors.append(CatalogError("", "", section, _("must be a list of records")))
                records = None
            sections[section] = records or []
        self._check_organizations(sections["organizations"])
        referenced = {
            record.get("organization")
            for section in ("needs", "solutions")
            for record in sections[section]
            if isinstance(record, dict) and isinstance(record.get("organization"), str)
        }
        in_database = Organization.objects.filter(source_key__in=referenced - self.org_kinds.keys())
        self.org_kinds.update(in_database.values_list("source_key", "kind"))
        self._check_needs(sections["needs"])
        self._check_solutions(sections["solutions"])

    def _records(self, section: str, records: list) -> Iterable[tuple[str, _Reader]]:
        """Each record with its key ("" if unusable) and a reader labelled with it."""
        seen: dict[str, int] = {}
        for position, record in enumerate(records, start=1):
            label = f"#{position}"
            if not isinstance(record, dict):
                self.errors.append(CatalogError(section, label, "record", _("must be an object")))
                continue
            reader = _Reader(self.errors, section, label, record)
            key = reader.text("key", required=True, max_length=KEY_MAX_LENGTH)
            if reader.ok:
                reader.label = key
                if key in seen:
                    reader.error("key", _("duplicate key (also record #%(n)d)") % {"n": seen[key]})
                else:
                    seen[key] = position
            yield (key if reader.ok else ""), reader

    def _check_organizations(self, records: list) -> None:
        checked: list[tuple[_Reader, _Plan]] = []
        usccs: dict[str, str] = {}
        for key, r in self._records("organizations", records):
            r.unknown_fields(ORGANIZATION_FIELDS)
            kind = r.choice("kind", Organization.Kind.values, required=True)
            uscc = r.text("uscc", required=True)
            if uscc:
                try:
                    uscc = normalize_uscc(uscc)
                except ValidationError as error:
                    r.error("uscc", " ".join(error.messages))
                else:
                    if uscc in usccs:
                        r.error("uscc", _('also the code of "%(key)s"') % {"key": usccs[uscc]})
                    usccs.setdefault(uscc, r.label)
            values = {
                "name": r.text("name", required=True, max_length=120),
                "name_en": r.text("name_en", max_length=160),
                "kind": kind,
                "uscc": uscc,
                "industry_id": self.industries.get(r.choice("industry", self.industries)),
                "district": r.text("district", max_length=40),
                "website": self._url(r, "website"),
                "description": r.text("description"),
            }
            if key:
                self.org_kinds[key] = kind
            checked.append((r, _Plan(key, values)))
        keys = [plan.key for _r, plan in checked if plan.key]
        by_key = {o.source_key: o for o in Organization.objects.filter(source_key__in=keys)}
        by_uscc = {o.uscc: o for o in Organization.objects.filter(uscc__in=usccs)}
        for r, plan in checked:
            org = by_key.get(plan.key)
            holder = by_uscc.get(plan.values["uscc"])
            if holder is not None and holder != org:
                if org is None and holder.source_key is None:
                    org = holder  # registered on the site before: the file names it now
                else:
                    r.error(
                        "uscc",
                        _('already the code of organization "%(name)s" (key %(key)s)')
                        % {"name": holder.name, "key": holder.source_key or "-"},
                    )
            plan.instance = org
            if r.ok:
                self.plans["organizations"].append(plan)

    def _url(self, r: _Reader, name: str) -> str:
        value = r.text(name, max_length=200)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                r.error(name, _("must be an http or https address"))
        return value

    def _title(self, r: _Reader) -> str:
        title = r.text("title", required=True, max_length=120)
        if title and len(title) < catalog_services.TITLE_MIN_LENGTH:
            r.error(
                "title",
                _("must be at least %(min)d characters")
                % {"min": catalog_services.TITLE_MIN_LENGTH},
            )
        return title

    def _organization(self, r: _Reader, kinds: tuple[str, ...], message: str) -> str:
        key = r.text("organization", required=True)
        if not key:
            return ""
        if key not in self.org_kinds:
            r.error("organization", _("no organization with this key in the file or the database"))
        elif self.org_kinds[key] and self.org_kinds[key] not in kinds:
            r.error("organization", message % {"key": key, "kind": self.org_kinds[key]})
        return key

    def _check_needs(self, records: list) -> None:
        checked = []
        for key, r in self._records("needs", records):
            r.unknown_fields(NEED_FIELDS)
            org_key = self._organization(
                r,
                (Organization.Kind.ENTERPRISE, Organization.Kind.BOTH),
                _('"%(key)s" is of kind "%(kind)s"; needs come from kind "enterprise" or "both"'),
            )
            industry = r.choice("industry", self.industries)
            capabilities = r.choices("capabilities", self.capabilities)
            budget_min, budget_max = r.amount_range("budget_min", "budget_max")
            values = {
                "title": self._title(r),
                "summary": r.text("summary", max_length=600),
                "description": r.text("description"),
                "industry_id": self.industries.get(industry),
                "deployment": r.choice("deployment", Deployment.values),
                "data_readiness": r.choice("data_readiness", DataReadiness.values),
                "budget_min": budget_min,
                "budget_max": budget_max,
                "deadline": r.date("deadline"),
                **r.contact(),
            }
            plan = _Plan(
                key, values, {"capabilities": {self.capabilities[c] for c in capabilities}}
            )
            plan.organization_key = org_key
            completeness = {**values, "industry": industry, "capabilities": capabilities}
            checked.append((r, plan, completeness))
        self._finish("needs", Need, checked)

    def _check_solutions(self, records: list) -> None:
        checked = []
        for key, r in self._records("solutions", records):
            r.unknown_fields(SOLUTION_FIELDS)
            org_key = self._organization(
                r,
                (Organization.Kind.PROVIDER, Organization.Kind.BOTH),
                _('"%(key)s" is of kind "%(kind)s"; solutions come from kind "provider" or "both"'),
            )
            industries = r.choices("industries", self.industries)
            capabilities = r.choices("capabilities", self.capabilities)
            modes = r.choices("deployment_modes", Deployment.values)
            price_min, price_max = r.amount_range("price_min", "price_max")
            values = {
                "title": self._title(r),
                "summary": r.text("summary", max_length=600),
                "description": r.text("description"),
                **{attr: mode in modes for mode, attr in Solution.DEPLOYMENT_FIELDS.items()},
                "base_model": r.text("base_model", max_length=100),
                "filing_number": r.text("filing_number", max_length=80),
                "maturity": r.choice("maturity", Maturity.values),
                "price_min": price_min,
                "price_max": price_max,
                "cases": r.text("cases"),
                **r.contact(),
            }
            plan = _Plan(
                key,
                values,
                {
                    "industries": {self.industries[c] for c in industries},
                    "capabilities": {self.capabilities[c] for c in capabilities},
                },
            )
            plan.organization_key = org_key
            completeness = {
                **values,
                "industries": industries,
                "capabilities": capabilities,
                "deployment_modes": modes,
            }
            checked.append((r, plan, completeness))
        self._finish("solutions", Solution, checked)

    def _finish(self, section: str, model: type[Need | Solution], checked: list) -> None:
        """Find the existing records; check completeness of what will be under review."""
        keys = [plan.key for _r, plan, _c in checked if plan.key]
        m2m = ["capabilities"] if model is Need else ["industries", "capabilities"]
        existing = {
            record.source_key: record
            for record in model.objects.filter(source_key__in=keys).prefetch_related(*m2m)
        }
        kind = "need" if model is Need else "solution"
        for r, plan, completeness in checked:
            plan.instance = existing.get(plan.key)
            if self.target_status(plan.instance) in (Status.SUBMITTED, Status.APPROVED):
                reported = {
                    e.field for e in self.errors if (e.record_type, e.key) == (section, r.label)
                }
                for name, messages in catalog_services.submission_errors(
                    kind, completeness
                ).items():
                    name = _DOCUMENT_NAMES.get(name, name)
                    if name != "title" and name not in reported:
                        for message in messages:
                            r.error(name, message)
            if r.ok:
                self.plans[section].append(plan)

    def target_status(self, record: Need | Solution | None) -> str:
        if record is None:
            return self.status
        if record.status in _PROGRESS and _PROGRESS[self.status] > _PROGRESS[record.status]:
            return self.status
        return record.status

    # Writing --------------------------------------------------------------------

    def write(self) -> ImportResult:
        result = ImportResult()
        organizations: dict[str, Organization] = {}
        for plan in self.plans["organizations"]:
            org = plan.instance or Organization()
            created = org.pk is None
            changed = _assign(org, {**plan.values, "source_key": plan.key})
            if changed:
                org.save()
            organizations[plan.key] = org
            _count(result.counts["organizations"], created=created, changed=changed)
        wanted = {p.organization_key for s in ("needs", "solutions") for p in self.plans[s]}
        organizations |= {
            org.source_key: org
            for org in Organization.objects.filter(source_key__in=wanted - organizations.keys())
        }
        published: list[Need | Solution] = []
        for section, model in (("needs", Need), ("solutions", Solution)):
            for plan in self.plans[section]:
                record = self._write_record(model, plan, organizations, result.counts[section])
                if record is not None:
                    published.append(record)
        if published:
            transaction.on_commit(partial(_announce_published, published))
        result.published = len(published)
        return result

    def _write_record(
        self,
        model: type[Need | Solution],
        plan: _Plan,
        organizations: dict[str, Organization],
        counts: Counts,
    ) -> Need | Solution | None:
        """Create or update one record; returns it if the after-publish hooks are due."""
        record = plan.instance or model(source_key=plan.key)
        created = record.pk is None
        values = {**plan.values, "organization_id": organizations[plan.organization_key].pk}
        changed = _assign(record, values)
        m2m_changed = created or any(
            {related.pk for related in getattr(record, name).all()} != ids
            for name, ids in plan.m2m.items()
        )
        previous, target = ("" if created else record.status), self.target_status(plan.instance)
        moved = target != record.status
        if moved:
            now = timezone.now()
            record.status = target
            record.review_note = ""
            if target == Status.SUBMITTED or record.submitted_at is None:
                record.submitted_at = now
            if target == Status.APPROVED:
                record.published_at = now
        if changed or moved or m2m_changed:
            record.save()
        if m2m_changed:
            for name, ids in plan.m2m.items():
                getattr(record, name).set(ids)
        if moved:
            StatusChange.objects.create(
                **{model._meta.model_name: record},
                from_status=previous,
                to_status=target,
                by=self.by,
                note=IMPORT_NOTE,
            )
        _count(counts, created=created, changed=changed or moved or m2m_changed)
        is_news = moved or changed or m2m_changed
        return record if record.status == Status.APPROVED and is_news else None


# submission_errors names model fields; the document names some of them differently.
_DOCUMENT_NAMES = {"contact_name": "contact.name", "contact_phone": "contact.phone"}


# Export ---------------------------------------------------------------------------


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
    org_keys = _stable_keys(org_list, "org", Organization)
    need_keys = _stable_keys(need_list, "need", Need)
    solution_keys = _stable_keys(solution_list, "sol", Solution)
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


def dump_catalog(document: dict[str, Any]) -> str:
    """The document as the text of a catalog file."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _stable_keys(records: list, prefix: str, model: type[models.Model]) -> dict[int, str]:
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
    return _compact({name: getattr(record, attr) for name, attr in _CONTACT_ATTRS.items()}, ())


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
        deadline=need.deadline.isoformat() if need.deadline else None,
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
