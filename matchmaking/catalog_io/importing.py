"""Importing a catalog document: check it all, then write it all, or nothing.

Every record of the document is checked first and every problem is reported (record
type, key, field, reason); only a clean document is written, in one transaction.
Records are matched on their `key` (stored as `source_key`), so importing the same
file twice changes nothing and an edited file updates its records in place; a record
whose values did not change is not saved at all, so its `updated_at` keeps telling
when it last really changed.

Status: new needs and solutions get the requested status. Existing ones only move
forward (draft → submitted → approved), never back: re-importing a file with the
default `draft` must not unpublish what the programme office already published, and
closed or withdrawn records stay as their owners left them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import Capability, Industry, Organization, User
from matchmaking import signals
from matchmaking.catalog_io.document import (
    CONTACT_ATTRS,
    FORMAT,
    IMPORT_NOTE,
    IMPORT_STATUSES,
    KEY_MAX_LENGTH,
    NEED_FIELDS,
    ORGANIZATION_FIELDS,
    PROGRESS,
    SECTIONS,
    SOLUTION_FIELDS,
    CatalogError,
    CatalogImportError,
    Counts,
    ImportResult,
)
from matchmaking.catalog_io.reading import (
    KnownCodes,
    NeedImportSerializer,
    OrganizationImportSerializer,
    Reader,
    SolutionImportSerializer,
    serializer_for,
)
from matchmaking.models import Need, Solution, Status, StatusChange
from matchmaking.services import incremental, suggestions
from matchmaking.services.catalog import submission_errors

# progress(stage, done, total): stage is "checked", "written" or "published"; called
# for every record (the receiver decides how often to show it).
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@transaction.atomic
def import_catalog(
    document: Any,
    *,
    status: str = Status.DRAFT,
    by: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Create or update the document's organizations, needs and solutions.

    Raises CatalogImportError with every problem found, having written nothing. With
    `dry_run`, checks and counts as a real import would, then rolls back. `progress`
    hears how many records were checked, written and published so far.
    """
    if status not in IMPORT_STATUSES:
        raise ValueError(f"cannot import records as {status!r}")
    importer = _Importer(status=Status(status), by=by, progress=progress or _no_progress)
    importer.check(document)
    if importer.errors:
        raise CatalogImportError(importer.errors)
    try:
        with transaction.atomic():
            # One batch: every record published here is matched by one job, queued
            # with the import's commit (a full run for a round; see incremental.batch).
            with incremental.batch() as matching:
                result = importer.write(announce=not dry_run)
            result.dry_run = dry_run
            result.matching = matching.job
            result.match_run_id = matching.run.pk if matching.run else None
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


@dataclass
class _Plan:
    """A checked record, ready to write: model values and many-to-many ids."""

    key: str
    values: dict[str, Any]
    m2m: dict[str, set[int]] = field(default_factory=dict)
    organization_key: str = ""
    instance: Any = None  # the existing record, if any


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


def _pk(value: models.Model | None) -> int | None:
    return value.pk if value is not None else None


def _contact(values: dict[str, Any]) -> dict[str, str]:
    return {attr: values.get(attr, "") for attr in CONTACT_ATTRS.values()}


# submission_errors names model fields; the document names some of them differently.
# "Not sure" as the document may write it in `capabilities`.
NOT_SURE = frozenset({"not_sure", "not sure", "unsure", "不确定"})
_DOCUMENT_NAMES = {"contact_name": "contact.name", "contact_phone": "contact.phone"}
# The document's fields that the serializers check (the key and the organization
# reference are the format's own).
_CHECKED = {
    "organizations": ORGANIZATION_FIELDS[1:],
    "needs": NEED_FIELDS[2:],
    "solutions": SOLUTION_FIELDS[2:],
}


class _Importer:
    """Checks a whole document (collecting every error), then writes it."""

    def __init__(self, *, status: Status, by: User | None, progress: Progress) -> None:
        self.status = status
        self.by = by
        self.progress = progress
        self.total = 0
        self.done = {"checked": 0, "written": 0, "published": 0}
        self.errors: list[CatalogError] = []
        self.plans: dict[str, list[_Plan]] = {section: [] for section in SECTIONS}
        known = {Industry: KnownCodes(Industry), Capability: KnownCodes(Capability)}
        self.serializers = {
            "organizations": serializer_for(OrganizationImportSerializer, known),
            "needs": serializer_for(NeedImportSerializer, known),
            "solutions": serializer_for(SolutionImportSerializer, known),
        }
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
        self.total = sum(len(records) for records in sections.values())
        self._check_organizations(sections["organizations"])
        referenced = {
            record.get("organization")
            for section in ("needs", "solutions")
            for record in sections[section]
            if isinstance(record, dict) and isinstance(record.get("organization"), str)
        }
        in_database = Organization.objects.filter(source_key__in=referenced - self.org_kinds.keys())
        self.org_kinds.update(in_database.values_list("source_key", "kind"))
        self._check_records("needs", Need, sections["needs"])
        self._check_records("solutions", Solution, sections["solutions"])

    def _records(self, section: str, records: list, order) -> Iterable[tuple[str, Reader]]:
        """Each record with its key ("" if unusable) and a reader labelled with it."""
        seen: dict[str, int] = {}
        for position, record in enumerate(records, start=1):
            label = f"#{position}"
            if not isinstance(record, dict):
                self.errors.append(CatalogError(section, label, "record", _("must be an object")))
                continue
            reader = Reader(self.errors, section, label, record, order)
            key = reader.text("key", required=True, max_length=KEY_MAX_LENGTH)
            if reader.ok:
                reader.label = key
                if key in seen:
                    reader.error("key", _("duplicate key (also record #%(n)d)") % {"n": seen[key]})
                else:
                    seen[key] = position
            reader.unknown_fields(order)
            yield (key if reader.ok else ""), reader
            self._tick("checked")

    def _tick(self, stage: str) -> None:
        self.done[stage] += 1
        self.progress(stage, self.done[stage], self.total)

    def _check_organizations(self, records: list) -> None:
        checked: list[tuple[Reader, _Plan]] = []
        usccs: dict[str, str] = {}
        serializer = self.serializers["organizations"]
        for key, r in self._records("organizations", records, ORGANIZATION_FIELDS):
            data = r.read(serializer, _CHECKED["organizations"])
            uscc = data.get("uscc", "")
            if uscc:
                if uscc in usccs:
                    r.error("uscc", _('also the code of "%(key)s"') % {"key": usccs[uscc]})
                usccs.setdefault(uscc, r.label)
            values = {
                "name": data.get("name", ""),
                "name_en": data.get("name_en", ""),
                "kind": data.get("kind", ""),
                "uscc": uscc,
                "industry_id": _pk(data.get("industry")),
                "district": data.get("district", ""),
                "website": data.get("website", ""),
                "description": data.get("description", ""),
            }
            if key:
                self.org_kinds[key] = values["kind"]
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
            r.flush()
            plan.instance = org
            if r.ok:
                self.plans["organizations"].append(plan)

    def _organization(self, r: Reader, kinds: tuple[str, ...], message: str) -> str:
        key = r.text("organization", required=True)
        if not key:
            return ""
        if key not in self.org_kinds:
            r.error("organization", _("no organization with this key in the file or the database"))
        elif self.org_kinds[key] and self.org_kinds[key] not in kinds:
            r.error("organization", message % {"key": key, "kind": self.org_kinds[key]})
        return key

    def _check_records(self, section: str, model: type[Need | Solution], records: list) -> None:
        """Read each need or solution; then check what will be under review is complete."""
        order = NEED_FIELDS if model is Need else SOLUTION_FIELDS
        if model is Need:
            kinds = (Organization.Kind.ENTERPRISE, Organization.Kind.BOTH)
            wrong_kind = _(
                '"%(key)s" is of kind "%(kind)s"; needs come from kind "enterprise" or "both"'
            )
        else:
            kinds = (Organization.Kind.PROVIDER, Organization.Kind.BOTH)
            wrong_kind = _(
                '"%(key)s" is of kind "%(kind)s"; solutions come from kind "provider" or "both"'
            )
        checked = []
        for key, r in self._records(section, records, order):
            org_key = self._organization(r, kinds, wrong_kind)
            if model is Need:
                _read_not_sure(r.record)
            data = r.read(self.serializers[section], _CHECKED[section])
            plan, completeness = (
                _need_plan(key, data) if model is Need else _solution_plan(key, data)
            )
            plan.organization_key = org_key
            r.flush()
            checked.append((r, plan, completeness))
        self._finish(section, model, checked)

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
                for name, messages in submission_errors(kind, completeness).items():
                    name = _DOCUMENT_NAMES.get(name, name)
                    if name != "title" and name not in reported:
                        for message in messages:
                            r.error(name, message)
            if r.ok:
                self.plans[section].append(plan)

    def target_status(self, record: Need | Solution | None) -> str:
        if record is None:
            return self.status
        if record.status in PROGRESS and PROGRESS[self.status] > PROGRESS[record.status]:
            return self.status
        return record.status

    # Writing --------------------------------------------------------------------

    def write(self, *, announce: bool = True) -> ImportResult:
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
            self._tick("written")
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
                self._tick("written")
        for record in published if announce else ():
            signals.record_published.send(sender=type(record), record=record)
            self._tick("published")
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


def _codes(items) -> list[str]:
    return [item.code for item in items or ()]


def _need_plan(key: str, data: dict[str, Any]) -> tuple[_Plan, dict[str, Any]]:
    """A need's model values (every field: what the document leaves out is emptied)."""
    values = {
        "title": data.get("title", ""),
        "summary": data.get("summary", ""),
        "description": data.get("description", ""),
        "industry_id": _pk(data.get("industry")),
        "deployment": data.get("deployment", ""),
        "data_readiness": data.get("data_readiness", ""),
        "budget_min": data.get("budget_min"),
        "budget_max": data.get("budget_max"),
        "deadline": data.get("deadline"),
        "requires_filing": bool(data.get("requires_filing", False)),
        **_contact(data),
    }
    capabilities = data.get("capabilities") or []
    values["capabilities_unsure"] = bool(data.get("capabilities_unsure"))
    values["suggested_capabilities"] = suggestions.stored(
        suggestions.suggest(values["title"], values["summary"], values["description"])
    )
    plan = _Plan(key, values, {"capabilities": {c.pk for c in capabilities}})
    completeness = {
        **values,
        "industry": _pk(data.get("industry")),
        "capabilities": _codes(capabilities),
    }
    return plan, completeness


def _read_not_sure(record: dict[str, Any]) -> None:
    """ "Not sure" written in the capabilities ("not_sure", "不确定", alone or in a list)
    is the `capabilities_unsure` flag."""
    value = record.get("capabilities")
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return
    unsure = [item for item in items if isinstance(item, str) and item.strip() in NOT_SURE]
    if unsure:
        record["capabilities"] = [item for item in items if item not in unsure]
        record.setdefault("capabilities_unsure", True)


def _solution_plan(key: str, data: dict[str, Any]) -> tuple[_Plan, dict[str, Any]]:
    """A solution's model values (every field: what the document leaves out is emptied)."""
    modes = data.get("deployment_modes") or []
    values = {
        "title": data.get("title", ""),
        "summary": data.get("summary", ""),
        "description": data.get("description", ""),
        **{attr: mode in modes for mode, attr in Solution.DEPLOYMENT_FIELDS.items()},
        "base_model": data.get("base_model", ""),
        "filing_number": data.get("filing_number", ""),
        "maturity": data.get("maturity", ""),
        "price_min": data.get("price_min"),
        "price_max": data.get("price_max"),
        "cases": data.get("cases", ""),
        **_contact(data),
    }
    industries = data.get("industries") or []
    capabilities = data.get("capabilities") or []
    plan = _Plan(
        key,
        values,
        {"industries": {i.pk for i in industries}, "capabilities": {c.pk for c in capabilities}},
    )
    completeness = {
        **values,
        "industries": _codes(industries),
        "capabilities": _codes(capabilities),
        "deployment_modes": list(modes),
    }
    return plan, completeness
