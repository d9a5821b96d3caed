"""Filings (备案核验): importing the published lists and checking solutions against them.

`data/filing_list.csv` is a list in the published layout (a title line, then 序号, 属地,
模型/服务名称, 备案单位, 备案号/登记编号, 备案时间), with two rows that cannot be read.
"""

from datetime import date
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from core.models import AuditEntry, OutgoingEmail
from matchmaking.filing_tables import normalize_number, normalize_organization
from matchmaking.models import FilingEntry, FilingList, FilingStatus, Match, Solution
from matchmaking.services import filings, matching
from tests.factories import NeedFactory, ProviderFactory, SolutionFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db

LIST_FILE = Path(__file__).parent / "data" / "filing_list.csv"
LIST_DATE = date(2025, 1, 15)


def import_list(content: bytes | None = None, *, by=None, file_name="filing_list.csv"):
    return filings.import_filing_list(
        by=by,
        kind=FilingList.Kind.NATIONAL,
        source="国家互联网信息办公室",
        list_date=LIST_DATE,
        content=LIST_FILE.read_bytes() if content is None else content,
        file_name=file_name,
    )


@pytest.fixture
def three_solutions():
    """One filed by its own organization, one under another's number, one unknown."""
    shuheng = ProviderFactory(name="上海书衡智能科技有限公司")
    member_of(shuheng, email="owner@shuheng.example.com")
    other = ProviderFactory(name="上海另一家智能科技有限公司")
    member_of(other, email="owner@other.example.com")
    return {
        # Full-width letters and spaces in the number, a spaced name: still the same.
        "verified": SolutionFactory(
            organization=shuheng, filing_number="Ｓｈａｎｇｈａｉ-ShuHengShiJue - 202409120031"
        ),
        "org_differs": SolutionFactory(
            organization=other, filing_number="Beijing-WenXinYiYan-20230821S0011"
        ),
        "not_found": SolutionFactory(organization=other, filing_number="Shanghai-Nowhere-2024"),
    }


def test_names_and_numbers_are_compared_after_normalisation():
    assert normalize_organization("上海星澜医疗科技 股份有限公司") == normalize_organization(
        "上海星澜医疗科技（有限公司）"
    )
    assert normalize_organization("上海星澜医疗科技有限公司") == "上海星澜医疗科技"
    assert normalize_number("ｓｈａｎｇｈａｉ－Ａ　１") == "SHANGHAI-A1"


def test_import_stores_readable_rows_and_reports_the_others_by_row_and_field():
    with translation.override("en"):
        result = import_list()
        errors = [str(error) for error in result.errors]

    assert (result.created, result.rows) == (True, 3)
    assert errors == [
        "row 6, 模型/服务名称: empty",
        "row 7, 备案时间: “去年年底” is not a date",
    ]
    entries = list(
        FilingEntry.objects.values_list("row_number", "region", "service_name", "filed_on")
    )
    assert entries == [
        (3, "上海市", "书衡视觉质检大模型", date(2024, 9, 12)),
        (4, "北京市", "文心一言", date(2023, 8, 21)),
        (5, "上海市", "星澜医疗问答", date(2024, 6, 1)),
    ]
    assert FilingList.objects.get().list_date == LIST_DATE


def test_reimporting_a_list_replaces_its_rows_and_keeps_one_list():
    import_list()
    shorter = "序号,属地,服务名称,备案单位,登记编号,登记时间\n1,上海市,书衡视觉质检大模型,上海书衡智能科技有限公司,Shanghai-1,2025-01-02\n"

    result = import_list(shorter.encode())

    assert (result.created, result.rows, result.errors) == (False, 1, [])
    assert FilingList.objects.count() == 1
    assert list(FilingEntry.objects.values_list("filing_number", flat=True)) == ["Shanghai-1"]


def test_an_xlsx_list_with_header_variants_is_read():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["上海市生成式人工智能服务登记信息"])
    sheet.append(["序号", "属地", "模型名称", "备案单位", "备案编号", "备案日期"])
    sheet.append(
        [1, "上海市", "书衡视觉质检大模型", "上海书衡智能科技有限公司", "SH-1", date(2024, 5, 6)]
    )
    out = BytesIO()
    workbook.save(out)

    result = import_list(out.getvalue(), file_name="list.xlsx")

    assert (result.rows, result.errors) == (1, [])
    assert FilingEntry.objects.get().filed_on == date(2024, 5, 6)


def test_a_file_without_the_published_header_is_refused_whole():
    with pytest.raises(filings.FilingTableError):
        import_list("名称,电话\n甲,123\n".encode())
    assert FilingList.objects.count() == 0


def test_import_verifies_one_flags_another_organization_and_one_not_found(three_solutions):
    import_list()

    found = {
        key: Solution.objects.values_list(
            "filing_status", "filing_verified_on", "filed_organization"
        ).get(pk=s.pk)
        for key, s in three_solutions.items()
    }
    assert found == {
        "verified": (FilingStatus.VERIFIED, LIST_DATE, "上海书衡智能科技有限公司"),
        "org_differs": (FilingStatus.ORGANIZATION_DIFFERS, None, "北京百度网讯科技有限公司"),
        "not_found": (FilingStatus.NOT_FOUND, None, ""),
    }


def test_owners_are_told_once_when_a_filing_cannot_be_verified(three_solutions):
    import_list()
    import_list()  # the same list again: nothing changed, nobody is told twice

    emails = sorted(
        OutgoingEmail.objects.filter(kind="filing_unverified").values_list("to", "subject")
    )
    titles = [three_solutions["org_differs"].title, three_solutions["not_found"].title]
    assert [to for to, _subject in emails] == ["owner@other.example.com"] * 2
    told_about = sorted(t for _to, subject in emails for t in titles if subject.endswith(t))
    assert told_about == sorted(titles)


def test_before_any_list_is_imported_nothing_is_checked(three_solutions):
    assert set(Solution.objects.values_list("filing_status", flat=True)) == {""}
    assert OutgoingEmail.objects.filter(kind="filing_unverified").count() == 0


def test_editing_the_number_rechecks_the_solution(three_solutions):
    import_list()
    solution = three_solutions["not_found"]
    owner = solution.organization.memberships.get().user
    from matchmaking.services import catalog  # noqa: PLC0415

    catalog.save_record(
        by=owner, record=solution, fields={"filing_number": "Shanghai-XingLanYiLiao-202406010002"}
    )

    solution.refresh_from_db()
    assert solution.filing_status == FilingStatus.ORGANIZATION_DIFFERS
    assert (
        AuditEntry.objects.filter(
            action="solution.filing_checked", object_id=str(solution.pk)
        ).count()
        == 2
    )


def test_import_command_reports_unreadable_rows(three_solutions):
    out, err = StringIO(), StringIO()

    with translation.override("en"):
        call_command(
            "import_filings",
            str(LIST_FILE),
            "--kind=municipal",
            "--source=上海市网信办",
            "--date=2025-01-15",
            stdout=out,
            stderr=err,
        )

    assert err.getvalue().splitlines() == [
        f"{LIST_FILE}: row 6, 模型/服务名称: empty",
        f"{LIST_FILE}: row 7, 备案时间: “去年年底” is not a date",
    ]
    assert "3 rows, 2 unreadable; filing status changed for 3 solutions." in out.getvalue()


def test_admin_upload_imports_through_the_audited_service(client, three_solutions):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    with LIST_FILE.open("rb") as upload:
        response = client.post(
            reverse("admin:matchmaking_filing_import"),
            {"file": upload, "kind": "national", "source": "国家网信办", "list_date": "2025-01-15"},
        )

    assert response.status_code == 200
    assert response.context["result"].rows == 3
    entry = AuditEntry.objects.get(action="filing_list.imported")
    assert (entry.actor, entry.details["rows"]) == (staff, 3)


def test_solution_page_api_and_catalog_filter_show_the_status(client, three_solutions):
    import_list()
    verified = three_solutions["verified"]

    client.cookies["aiplus_language"] = "en"
    page = client.get(reverse("solution-detail", args=[verified.pk]))
    listed = client.get(reverse("solution-list"), {"filing": "verified"})
    api = client.get(f"/api/v1/solutions/{verified.pk}/")

    assert 'data-filing="verified"' in page.content.decode()
    assert "Filing verified on 2025-01-15 · " in page.content.decode()
    assert [s.pk for s in listed.context["page"].object_list] == [verified.pk]
    assert (api.json()["filing_status"], api.json()["filing_verified_on"]) == (
        "verified",
        "2025-01-15",
    )


def test_a_need_requiring_a_filed_service_never_lists_an_unverified_solution(
    three_solutions, run_on_commit
):
    import_list()
    need = NeedFactory(requires_filing=True, deployment="")
    open_need = NeedFactory(deployment="")
    with run_on_commit():
        run = matching.start_full_run()
    matching.run_full_in_process(run.pk)

    listed = set(
        Match.objects.active()
        .filter(need=need, rank_for_need__isnull=False)
        .values_list("solution_id", flat=True)
    )
    open_listed = set(
        Match.objects.active()
        .filter(need=open_need, rank_for_need__isnull=False)
        .values_list("solution_id", flat=True)
    )
    assert listed == {three_solutions["verified"].pk}
    assert open_listed == {s.pk for s in three_solutions.values()}
