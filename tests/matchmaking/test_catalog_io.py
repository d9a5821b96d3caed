"""Catalog import and export (aiplus-catalog/1): service, commands and the admin page."""

from __future__ import annotations

import copy
import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from core.models import Organization
from matchmaking import signals
from matchmaking.catalog_io import (
    CatalogImportError,
    dump_catalog,
    export_catalog,
    import_catalog,
    parse_document,
)
from matchmaking.models import MatchRun, Need, Solution, Status, StatusChange
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    StaffFactory,
    UserFactory,
    make_uscc,
)

pytestmark = pytest.mark.django_db

ENTERPRISE_USCC = make_uscc(501)
PROVIDER_USCC = make_uscc(502)


def catalog() -> dict:
    """A small valid document: one enterprise with two needs, one provider with a solution."""
    return {
        "format": "aiplus-catalog/1",
        "organizations": [
            {
                "key": "org-ent-1",
                "name": "上海某精密制造有限公司",
                "name_en": "Shanghai Precision Co.",
                "kind": "enterprise",
                "uscc": ENTERPRISE_USCC,
                "industry": "manufacturing",
                "district": "徐汇区",
                "website": "https://precision.example.com",
                "description": "精密结构件制造。",
            },
            {
                "key": "org-prov-1",
                "name": "上海某智能科技有限公司",
                "kind": "provider",
                "uscc": PROVIDER_USCC,
                "industry": "manufacturing",
            },
        ],
        "needs": [
            {
                "key": "need-1",
                "organization": "org-ent-1",
                "title": "产线外观缺陷视觉检测",
                "summary": "冲压件表面划痕检测。",
                "description": "6 条产线，人工目检漏检率约 3%。",
                "industry": "manufacturing",
                "capabilities": ["computer_vision", "multimodal"],
                "deployment": "on_premise",
                "data_readiness": "ready",
                "budget_min": 50,
                "budget_max": 200,
                "deadline": "2026-06-30",
                "contact": {"name": "王工", "phone": "138-0013-8000", "email": "wang@example.com"},
            },
            {
                "key": "need-2",
                "organization": "org-ent-1",
                "title": "Spindle predictive maintenance",
                "summary": "Predict spindle failures.",
                "description": "Vibration data from 40 machines.",
                "industry": "manufacturing",
                "capabilities": ["data_analytics"],
                "contact": {"name": "Li", "email": "li@example.com"},
            },
        ],
        "solutions": [
            {
                "key": "sol-1",
                "organization": "org-prov-1",
                "title": "工业视觉质检大模型",
                "summary": "小样本缺陷检测。",
                "description": "已服务 60 家制造企业。",
                "industries": ["manufacturing", "automotive"],
                "capabilities": ["computer_vision"],
                "deployment_modes": ["on_premise", "edge"],
                "base_model": "InternLM-XComposer",
                "filing_number": "Shanghai-Test-20240101",
                "maturity": "product",
                "price_min": 30,
                "price_max": 150,
                "cases": "某汽车零部件企业。",
                "contact": {"name": "陈博士", "phone": "13900139000"},
            }
        ],
    }


def codes(related) -> set[str]:
    return set(related.values_list("code", flat=True))


def error_places(info: pytest.ExceptionInfo) -> list[tuple[str, str, str]]:
    return [(e.record_type, e.key, e.field) for e in info.value.errors]


def table_sizes() -> tuple[int, int, int]:
    return Organization.objects.count(), Need.objects.count(), Solution.objects.count()


def counts_of(result) -> dict[str, tuple[int, int, int]]:
    return {name: (c.created, c.updated, c.unchanged) for name, c in result.counts.items()}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def published_records():
    """The records matchmaking.signals.record_published was sent for, in order."""
    calls: list[tuple[str, str]] = []

    def record(sender, *, record, **kwargs) -> None:
        calls.append((sender.__name__, record.source_key))

    signals.record_published.connect(record)
    yield calls
    signals.record_published.disconnect(record)


# Import: the happy path -----------------------------------------------------------


def test_import_valid_file_creates_records_with_fields_and_status():
    result = import_catalog(catalog())

    assert counts_of(result) == {
        "organizations": (2, 0, 0),
        "needs": (2, 0, 0),
        "solutions": (1, 0, 0),
    }
    enterprise = Organization.objects.get(source_key="org-ent-1")
    assert (enterprise.name_en, enterprise.kind, enterprise.uscc, enterprise.industry.code) == (
        "Shanghai Precision Co.",
        "enterprise",
        ENTERPRISE_USCC,
        "manufacturing",
    )
    need = Need.objects.get(source_key="need-1")
    assert need.organization == enterprise
    assert need.status == Status.DRAFT
    assert need.published_at is None
    assert codes(need.capabilities) == {"computer_vision", "multimodal"}
    assert (need.deployment, need.data_readiness, need.budget_min, need.budget_max) == (
        "on_premise",
        "ready",
        50,
        200,
    )
    assert need.deadline == date(2026, 6, 30)
    assert (need.contact_name, need.contact_phone, need.contact_email) == (
        "王工",
        "13800138000",
        "wang@example.com",
    )
    solution = Solution.objects.get(source_key="sol-1")
    assert solution.deployment_modes == ["on_premise", "edge"]
    assert codes(solution.industries) == {"manufacturing", "automotive"}
    assert (solution.filing_number, solution.maturity, solution.price_max) == (
        "Shanghai-Test-20240101",
        "product",
        150,
    )
    assert (solution.contact_name, solution.contact_phone) == ("陈博士", "13900139000")
    assert StatusChange.objects.count() == 0


def test_import_same_file_twice_changes_nothing():
    import_catalog(catalog(), status=Status.APPROVED)
    stamps = sorted(Need.objects.values_list("pk", "updated_at", "published_at"))

    result = import_catalog(catalog(), status=Status.APPROVED)

    assert counts_of(result) == {
        "organizations": (0, 0, 2),
        "needs": (0, 0, 2),
        "solutions": (0, 0, 1),
    }
    assert sorted(Need.objects.values_list("pk", "updated_at", "published_at")) == stamps
    assert table_sizes() == (2, 2, 1)
    assert StatusChange.objects.count() == 3


def test_import_edited_file_updates_records_in_place():
    import_catalog(catalog())
    pk = Need.objects.get(source_key="need-1").pk
    edited = catalog()
    edited["needs"][0]["title"] = "CNC 加工件外观缺陷检测"
    edited["needs"][0]["capabilities"] = ["computer_vision"]
    edited["needs"][0]["budget_max"] = 250
    del edited["needs"][0]["deadline"]

    result = import_catalog(edited)

    need = Need.objects.get(source_key="need-1")
    assert counts_of(result)["needs"] == (0, 1, 1)
    assert need.pk == pk
    assert (need.title, need.budget_max, need.deadline) == ("CNC 加工件外观缺陷检测", 250, None)
    assert codes(need.capabilities) == {"computer_vision"}
    assert table_sizes() == (2, 2, 1)


def test_import_dry_run_counts_but_writes_nothing(published_records, run_on_commit):
    with run_on_commit():
        result = import_catalog(catalog(), status=Status.APPROVED, dry_run=True)

    assert (result.dry_run, result.created, result.published) == (True, 5, 3)
    assert table_sizes() == (0, 0, 0)
    assert published_records == []


def test_import_adopts_organization_registered_on_the_site_by_its_uscc():
    registered = OrganizationFactory(uscc=ENTERPRISE_USCC, name="旧名称")

    result = import_catalog(catalog())

    registered.refresh_from_db()
    assert counts_of(result)["organizations"] == (1, 1, 0)
    assert (registered.source_key, registered.name) == ("org-ent-1", "上海某精密制造有限公司")
    assert Need.objects.get(source_key="need-1").organization == registered


def test_import_need_may_refer_to_organization_imported_before():
    import_catalog(catalog())
    later = {"format": "aiplus-catalog/1", "needs": [{**catalog()["needs"][0], "key": "need-3"}]}

    result = import_catalog(later)

    assert counts_of(result)["needs"] == (1, 0, 0)
    assert Need.objects.get(source_key="need-3").organization.source_key == "org-ent-1"


# Import: status and the after-publish hooks ----------------------------------------


def test_import_approved_publishes_and_announces_each_record_once(published_records, run_on_commit):
    staff = StaffFactory()

    with run_on_commit():
        result = import_catalog(catalog(), status=Status.APPROVED, by=staff)

    assert result.published == 3
    assert sorted(published_records) == [
        ("Need", "need-1"),
        ("Need", "need-2"),
        ("Solution", "sol-1"),
    ]
    assert set(Need.objects.values_list("status", flat=True)) == {Status.APPROVED}
    assert Need.objects.filter(published_at__isnull=True).count() == 0
    assert (
        sorted(StatusChange.objects.values_list("from_status", "to_status", "by", "note"))
        == [("", Status.APPROVED, staff.pk, "imported")] * 3
    )


def test_import_announces_published_records_in_its_transaction_and_matches_after_commit(
    published_records, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_catalog(catalog(), status=Status.APPROVED)

    assert len(published_records) == 3
    assert not MatchRun.objects.exclude(status=MatchRun.Status.QUEUED).exists()
    assert len(callbacks) == 1


def test_import_edited_published_record_is_announced_alone(published_records, run_on_commit):
    import_catalog(catalog(), status=Status.APPROVED)
    published_records.clear()
    edited = catalog()
    edited["solutions"][0]["capabilities"] = ["computer_vision", "multimodal"]

    with run_on_commit():
        result = import_catalog(edited, status=Status.APPROVED)

    assert result.published == 1
    assert published_records == [("Solution", "sol-1")]


def test_import_default_draft_keeps_published_records_published():
    import_catalog(catalog(), status=Status.APPROVED)

    result = import_catalog(catalog())

    assert counts_of(result)["needs"] == (0, 0, 2)
    assert set(Need.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_import_approved_publishes_records_imported_as_drafts(published_records, run_on_commit):
    import_catalog(catalog())

    with run_on_commit():
        result = import_catalog(catalog(), status=Status.APPROVED)

    assert counts_of(result)["needs"] == (0, 2, 0)
    assert len(published_records) == 3
    assert list(
        StatusChange.objects.filter(need__source_key="need-1").values_list(
            "from_status", "to_status", "note"
        )
    ) == [(Status.DRAFT, Status.APPROVED, "imported")]


def test_import_leaves_withdrawn_records_withdrawn():
    import_catalog(catalog(), status=Status.APPROVED)
    Need.objects.filter(source_key="need-1").update(status=Status.WITHDRAWN)

    import_catalog(catalog(), status=Status.APPROVED)

    assert Need.objects.get(source_key="need-1").status == Status.WITHDRAWN


def test_import_for_review_requires_complete_records(english):
    document = catalog()
    document["needs"][1]["summary"] = ""
    document["solutions"][0]["maturity"] = ""

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document, status=Status.SUBMITTED)

    assert [str(e) for e in info.value.errors] == [
        "needs[need-2] summary: A public summary is required for review.",
        "solutions[sol-1] maturity: Say how mature the solution is.",
    ]


def test_import_as_draft_accepts_incomplete_records():
    document = catalog()
    document["needs"][1]["summary"] = ""

    result = import_catalog(document)

    assert counts_of(result)["needs"] == (2, 0, 0)


# Import: errors ---------------------------------------------------------------------


def test_import_broken_file_writes_nothing_and_names_every_bad_record():
    document = catalog()
    document["organizations"][1]["uscc"] = PROVIDER_USCC[:17] + (
        "0" if PROVIDER_USCC[17] != "0" else "1"
    )
    document["needs"][0]["budget_max"] = 20
    document["needs"][1]["capabilities"] = ["telepathy"]
    document["needs"][1]["contact"]["phone"] = "12345"
    document["solutions"][0]["deployment_modes"] = ["moon"]
    document["solutions"][0]["organization"] = "org-missing"

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document, status=Status.APPROVED)

    assert error_places(info) == [
        ("organizations", "org-prov-1", "uscc"),
        ("needs", "need-1", "budget_max"),
        ("needs", "need-2", "capabilities"),
        ("needs", "need-2", "contact.phone"),
        ("solutions", "sol-1", "organization"),
        ("solutions", "sol-1", "deployment_modes"),
    ]
    assert table_sizes() == (0, 0, 0)


def test_import_error_reads_type_key_field_and_reason(english):
    document = catalog()
    document["needs"][0]["key"] = "need-7"
    document["needs"][0]["budget_max"] = 20

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert [str(e) for e in info.value.errors] == [
        "needs[need-7] budget_max: must not be below budget_min (50)"
    ]


@pytest.mark.parametrize(
    ("section", "index", "name", "value", "expected"),
    [
        (
            "needs",
            0,
            "industry",
            "fishing",
            (
                'needs[need-1] industry: unknown code "fishing"; expected one of: manufacturing, '
                "healthcare, biopharma, energy, finance, transportation, automotive, semiconductors, "
                "education, government, retail, media, construction, agriculture"
            ),
        ),
        (
            "needs",
            0,
            "deployment",
            "mainframe",
            (
                'needs[need-1] deployment: unknown code "mainframe"; expected one of: on_premise, '
                "cloud, hybrid, edge"
            ),
        ),
        (
            "needs",
            0,
            "data_readiness",
            "some",
            (
                'needs[need-1] data_readiness: unknown code "some"; expected one of: ready, partial, '
                "none"
            ),
        ),
        (
            "solutions",
            0,
            "maturity",
            "ga",
            'solutions[sol-1] maturity: unknown code "ga"; expected one of: poc, pilot, product',
        ),
        (
            "organizations",
            0,
            "kind",
            "customer",
            (
                'organizations[org-ent-1] kind: unknown code "customer"; expected one of: '
                "enterprise, provider, both"
            ),
        ),
        (
            "organizations",
            0,
            "uscc",
            "91310104",
            (
                "organizations[org-ent-1] uscc: A unified social credit code has 18 characters "
                "(this one has 8)."
            ),
        ),
        (
            "organizations",
            0,
            "website",
            "ftp://example.com",
            "organizations[org-ent-1] website: must be an http or https address",
        ),
        (
            "needs",
            0,
            "budget_min",
            -5,
            "needs[need-1] budget_min: must not be negative",
        ),
        (
            "needs",
            0,
            "budget_min",
            12.5,
            "needs[need-1] budget_min: must be a whole number (in 10,000 CNY)",
        ),
        (
            "solutions",
            0,
            "price_max",
            "150",
            "solutions[sol-1] price_max: must be a whole number (in 10,000 CNY)",
        ),
        (
            "needs",
            0,
            "deadline",
            "30.06.2026",
            "needs[need-1] deadline: must be a date in ISO format (YYYY-MM-DD)",
        ),
        (
            "needs",
            0,
            "deadline",
            "2026-02-30",
            "needs[need-1] deadline: must be a date in ISO format (YYYY-MM-DD)",
        ),
        (
            "needs",
            0,
            "title",
            "AI",
            "needs[need-1] title: must be at least 4 characters",
        ),
        (
            "needs",
            0,
            "title",
            "长" * 121,
            "needs[need-1] title: must be at most 120 characters (this one has 121)",
        ),
        (
            "needs",
            0,
            "organization",
            "org-prov-1",
            (
                'needs[need-1] organization: "org-prov-1" is of kind "provider"; needs come from '
                'kind "enterprise" or "both"'
            ),
        ),
        (
            "solutions",
            0,
            "organization",
            "org-ent-1",
            (
                'solutions[sol-1] organization: "org-ent-1" is of kind "enterprise"; solutions come '
                'from kind "provider" or "both"'
            ),
        ),
        (
            "needs",
            0,
            "organization",
            "org-nowhere",
            "needs[need-1] organization: no organization with this key in the file or the database",
        ),
        (
            "needs",
            0,
            "budjet_max",
            100,
            "needs[need-1] budjet_max: unknown field",
        ),
    ],
)
def test_import_invalid_value_is_reported(english, section, index, name, value, expected):
    document = catalog()
    document[section][index][name] = value

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert [str(e) for e in info.value.errors] == [expected]


def test_import_bad_uscc_check_character_is_reported(english):
    document = catalog()
    last = "0" if ENTERPRISE_USCC[17] != "0" else "1"
    document["organizations"][0]["uscc"] = ENTERPRISE_USCC[:17] + last

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert [str(e) for e in info.value.errors] == [
        (
            "organizations[org-ent-1] uscc: The check character of this unified social credit code "
            "is wrong; please check the code."
        )
    ]


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        (
            {"name": "王工", "phone": "1380013"},
            (
                "needs[need-1] contact.phone: Enter a valid phone number: a mobile number (e.g. "
                "13800138000) or a landline with its area code (e.g. 021-64871234)."
            ),
        ),
        (
            {"name": "王工", "email": "wang-at-example.com"},
            "needs[need-1] contact.email: Enter a valid email address.",
        ),
        ({"name": "王工", "fax": "021-1234"}, "needs[need-1] contact.fax: unknown field"),
    ],
)
def test_import_bad_contact_is_reported(english, contact, expected):
    document = catalog()
    document["needs"][0]["contact"] = contact

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert [str(e) for e in info.value.errors] == [expected]


def test_import_duplicate_keys_and_codes_in_the_file_are_reported(english):
    document = catalog()
    document["needs"][1]["key"] = "need-1"
    document["organizations"][1]["uscc"] = ENTERPRISE_USCC

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert [str(e) for e in info.value.errors] == [
        'organizations[org-prov-1] uscc: also the code of "org-ent-1"',
        "needs[need-1] key: duplicate key (also record #1)",
    ]


def test_import_uscc_of_another_imported_organization_is_reported(english):
    ProviderFactory(uscc=PROVIDER_USCC, name="别家公司", source_key="org-elsewhere")

    with pytest.raises(CatalogImportError) as info:
        import_catalog(catalog())

    assert [str(e) for e in info.value.errors] == [
        (
            'organizations[org-prov-1] uscc: already the code of organization "别家公司" '
            "(key org-elsewhere)"
        )
    ]


def test_import_record_without_key_is_named_by_position(english):
    document = catalog()
    del document["needs"][1]["key"]
    document["needs"][1]["industry"] = "fishing"

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert error_places(info) == [("needs", "#2", "key"), ("needs", "#2", "industry")]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"organizations": []}, ["format: required"]),
        (
            {"format": "aiplus-catalog/2"},
            ['format: unsupported format "aiplus-catalog/2"; expected "aiplus-catalog/1"'],
        ),
        ([], ["document: must be a JSON object"]),
        (
            {"format": "aiplus-catalog/1", "needs": {}, "events": []},
            ["events: unknown field", "needs: must be a list of records"],
        ),
    ],
)
def test_import_document_structure_is_checked(english, document, expected):
    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert [str(e) for e in info.value.errors] == expected


def test_parse_document_reports_invalid_json(english):
    with pytest.raises(CatalogImportError) as info:
        parse_document(b'{"format": ')

    assert [str(e) for e in info.value.errors] == [
        "document: not valid JSON: Expecting value (line 1, column 12)"
    ]


# Export -------------------------------------------------------------------------------


def test_export_keeps_source_keys_and_gives_others_stable_keys():
    import_catalog(catalog())
    need = NeedFactory(organization=Organization.objects.get(source_key="org-ent-1"))

    document = export_catalog()

    assert [n["key"] for n in document["needs"]] == sorted(["need-1", "need-2", f"need-{need.pk}"])
    assert export_catalog() == document


def test_export_writes_the_imported_document_back():
    document = catalog()
    import_catalog(document)

    exported = export_catalog()

    expected = copy.deepcopy(document)
    expected["needs"][0]["contact"]["phone"] = "13800138000"  # stored normalised
    expected["solutions"][0]["industries"] = ["manufacturing", "automotive"]
    assert exported == expected


def test_export_status_filter_keeps_only_those_records_and_their_organizations():
    import_catalog(catalog())
    Need.objects.filter(source_key="need-1").update(status=Status.APPROVED)

    document = export_catalog(status=Status.APPROVED)

    assert [n["key"] for n in document["needs"]] == ["need-1"]
    assert [o["key"] for o in document["organizations"]] == ["org-ent-1"]
    assert document["solutions"] == []


def test_export_import_into_empty_database_round_trips():
    import_catalog(catalog(), status=Status.APPROVED)
    enterprise = OrganizationFactory(kind=Organization.Kind.BOTH, website="https://x.example.com")
    NeedFactory(organization=enterprise, deadline=date(2027, 1, 31), capabilities=["agent"])
    NeedFactory(organization=enterprise, budget_min=None, budget_max=None, deployment="")
    SolutionFactory(organization=enterprise, industries=["finance", "retail"])
    SolutionFactory(capabilities=["speech", "translation"], price_min=0, contact_phone="")
    first = dump_catalog(export_catalog())
    Need.objects.all().delete()
    Solution.objects.all().delete()
    Organization.objects.all().delete()

    import_catalog(parse_document(first))
    second = dump_catalog(export_catalog())

    assert json.dumps(json.loads(second), sort_keys=True) == json.dumps(
        json.loads(first), sort_keys=True
    )
    assert second == first
    assert table_sizes() == (4, 4, 3)


# Commands -----------------------------------------------------------------------------


@pytest.fixture
def catalog_file(tmp_path):
    def write(document: dict) -> str:
        path = tmp_path / "round.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write


def test_import_command_prints_counts(catalog_file):
    path = catalog_file(catalog())
    out = io.StringIO()

    call_command("import_catalog", path, "--status", "approved", stdout=out)

    assert out.getvalue().splitlines()[0] == (
        f"{path}: organizations: 2 created, 0 updated, 0 unchanged; needs: 2 created, "
        "0 updated, 0 unchanged; solutions: 1 created, 0 updated, 0 unchanged; 3 published"
    )
    assert out.getvalue().splitlines()[1].startswith(f"{path}: full re-match run #")
    assert set(Solution.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_import_command_fails_with_every_error_and_writes_nothing(english, catalog_file):
    document = catalog()
    document["needs"][0]["budget_max"] = 20
    document["solutions"][0]["capabilities"] = ["magic"]
    path = catalog_file(document)
    err = io.StringIO()

    with pytest.raises(CommandError) as info:
        call_command("import_catalog", path, stdout=io.StringIO(), stderr=err)

    assert str(info.value) == "1 of 1 file(s) not imported."
    assert err.getvalue().splitlines()[:2] == [
        f"{path}: needs[need-1] budget_max: must not be below budget_min (50)",
        (
            f'{path}: solutions[sol-1] capabilities: unknown code "magic"; expected one of: '
            "text_generation, knowledge_qa, document_understanding, computer_vision, multimodal, "
            "speech, agent, code_generation, data_analytics, embodied, digital_human, translation"
        ),
    ]
    assert table_sizes() == (0, 0, 0)


def test_import_command_dry_run_writes_nothing(catalog_file):
    out = io.StringIO()

    call_command("import_catalog", catalog_file(catalog()), "--dry-run", stdout=out)

    assert "(dry run, nothing written)" in out.getvalue()
    assert table_sizes() == (0, 0, 0)


def test_import_command_missing_file_fails(tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "import_catalog",
            str(tmp_path / "nope.json"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_export_command_writes_file_that_imports_back(tmp_path):
    import_catalog(catalog())
    path = tmp_path / "export.json"

    call_command("export_catalog", str(path))

    assert json.loads(path.read_text(encoding="utf-8"))["needs"][0]["key"] == "need-1"
    assert path.read_text(encoding="utf-8") == dump_catalog(export_catalog())


def test_export_command_writes_stdout_with_status_filter():
    import_catalog(catalog())
    out = io.StringIO()

    call_command("export_catalog", "--status", "approved", stdout=out)

    assert json.loads(out.getvalue()) == {
        "format": "aiplus-catalog/1",
        "organizations": [],
        "needs": [],
        "solutions": [],
    }


def test_export_command_help_warns_of_private_contact_details():
    from matchmaking.management.commands.export_catalog import Command  # noqa: PLC0415

    assert "PRIVATE CONTACT DETAILS" in Command.help


# Admin page ---------------------------------------------------------------------------

IMPORT_URL = "/admin/matchmaking/need/import/"


def upload(document: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "round.json", json.dumps(document).encode(), content_type="application/json"
    )


def test_admin_import_url_is_named():
    assert reverse("admin:matchmaking_catalog_import") == IMPORT_URL


def test_admin_import_page_as_staff_shows_counts(client, published_records, run_on_commit):
    client.force_login(StaffFactory())

    with run_on_commit():
        response = client.post(
            IMPORT_URL,
            {"file": upload(catalog()), "status": "approved"},
        )

    assert response.status_code == 200
    assert response.context["errors"] is None
    assert [(c.created, c.updated, c.unchanged) for _label, c in response.context["counts"]] == [
        (2, 0, 0),
        (2, 0, 0),
        (1, 0, 0),
    ]
    assert table_sizes() == (2, 2, 1)
    assert len(published_records) == 3


def test_admin_import_page_broken_file_shows_errors_and_writes_nothing(client):
    client.force_login(StaffFactory())
    document = catalog()
    document["needs"][0]["budget_max"] = 20
    document["solutions"][0]["organization"] = "org-ent-1"

    response = client.post(IMPORT_URL, {"file": upload(document), "status": "draft"})

    assert response.status_code == 200
    assert [(e.record_type, e.key, e.field) for e in response.context["errors"]] == [
        ("needs", "need-1", "budget_max"),
        ("solutions", "sol-1", "organization"),
    ]
    assert "needs[need-1] budget_max" in response.content.decode()
    assert table_sizes() == (0, 0, 0)


def test_admin_import_page_get_shows_the_form(client):
    client.force_login(StaffFactory())

    response = client.get(IMPORT_URL)

    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["file", "status", "dry_run", "background"]


def test_admin_import_page_is_closed_to_non_staff(client):
    client.force_login(UserFactory())

    response = client.post(IMPORT_URL, {"file": upload(catalog()), "status": "approved"})

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert table_sizes() == (0, 0, 0)


def test_admin_import_page_needs_import_permissions(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(IMPORT_URL, {"file": upload(catalog()), "status": "approved"})

    assert response.status_code == 403
    assert table_sizes() == (0, 0, 0)


@pytest.mark.parametrize("model", ["need", "solution"])
def test_admin_changelists_link_to_the_import_page(client, model):
    client.force_login(StaffFactory())

    response = client.get(reverse(f"admin:matchmaking_{model}_changelist"))

    assert f'href="{IMPORT_URL}"' in response.content.decode()


@pytest.mark.parametrize("written", [[], "not_sure", ["不确定"], ["not sure"]])
def test_import_accepts_a_need_not_sure_of_its_capability_and_stores_suggestions(written):
    document = catalog()
    need = document["needs"][0]
    need.update(
        capabilities=written,
        title="冲压件表面好坏全靠老师傅眼睛看",
        summary="产品表面有没有划痕、毛刺，全靠老师傅肉眼一件件看。",
    )
    if written == []:
        need["capabilities_unsure"] = True

    import_catalog(document, status=Status.SUBMITTED)

    stored = Need.objects.get(source_key=need["key"])
    assert stored.status == Status.SUBMITTED
    assert stored.capabilities_unsure
    assert not stored.capabilities.exists()
    assert stored.suggested_capabilities[0]["code"] == "computer_vision"
    assert "划痕" in stored.suggested_capabilities[0]["words"]
    exported = export_catalog()["needs"]
    assert next(n for n in exported if n["key"] == need["key"])["capabilities_unsure"] is True
    assert all("capabilities_unsure" not in n for n in exported if n["key"] != need["key"])
