"""The command line: import_catalog → run_matching → export_matches (catalog-format.md).

Without a broker, the matching job runs when run_matching's transaction commits. Inside
a test's transaction that is when `run_on_commit` ends; the tests of what run_matching
itself reports run outside a test transaction, committing as the command does in
production.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest
from django.core.management import CommandError, call_command

from matchmaking.catalog_io import export_catalog
from matchmaking.engine.version import ALGORITHM_VERSION
from matchmaking.models import Match, MatchingState, MatchRun, Need, Solution
from matchmaking.services.demo import DEMO_CATALOG
from tests.factories import NeedFactory, SolutionFactory

pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True)

EXPLANATION_KEYS = [
    "industry",
    "capabilities",
    "text",
    "budget",
    "deployment",
    "maturity",
    "terms",
]


def command(*args: str) -> str:
    """The command's standard output (its errors go to the test's captured stderr)."""
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def run_matching(run_on_commit):
    """run_matching, with its job run after the (test's) transaction, as after a commit."""

    def run(*args: str) -> str:
        with run_on_commit():
            return command("run_matching", *args)

    return run


@pytest.fixture
def import_approved(run_on_commit):
    """import_catalog --status approved, with the matching job it queues run after commit."""

    def run(path) -> str:
        with run_on_commit():
            return command("import_catalog", str(path), "--status", "approved")

    return run


def stored_pairs() -> dict[tuple[str, str], tuple]:
    """The active generation's need lists, by catalog keys, as the export should show them."""
    keys = {("need", n.pk): n.source_key or f"need-{n.pk}" for n in Need.objects.all()}
    keys |= {("sol", s.pk): s.source_key or f"sol-{s.pk}" for s in Solution.objects.all()}
    return {
        (keys["need", m.need_id], keys["sol", m.solution_id]): (
            round(m.score, 4),
            m.rank_for_need,
            {name: m.components[name] for name in EXPLANATION_KEYS[:-1]},
            m.terms,
        )
        for m in Match.objects.active().filter(rank_for_need__isnull=False)
    }


def exported_pairs(document: dict) -> dict[tuple[str, str], tuple]:
    return {
        (m["need"], m["solution"]): (
            m["score"],
            m["rank"],
            {name: m["explanation"][name] for name in EXPLANATION_KEYS[:-1]},
            m["explanation"]["terms"],
        )
        for m in document["matches"]
    }


# --- the whole chain -----------------------------------------------------------------

SMALL_CATALOG = {
    "format": "aiplus-catalog/1",
    "organizations": [
        {
            "key": "org-steel",
            "name": "上海宝钢精密制造有限公司",
            "kind": "enterprise",
            "uscc": "91310104MA1FL0QX48",
            "industry": "manufacturing",
        },
        {
            "key": "org-hospital",
            "name": "上海徐汇中心医院",
            "kind": "enterprise",
            "uscc": "12310000425030487D",
            "industry": "healthcare",
        },
        {
            "key": "org-vision",
            "name": "上海视启智能科技有限公司",
            "kind": "provider",
            "uscc": "91310115MA1K4BLR23",
        },
        {
            "key": "org-medai",
            "name": "上海医语人工智能有限公司",
            "kind": "provider",
            "uscc": "91310112MA1GBH6U7K",
        },
    ],
    "needs": [
        {
            "key": "need-surface-defects",
            "organization": "org-steel",
            "title": "冷轧钢板表面缺陷视觉检测",
            "summary": "冷轧产线钢板表面划痕、辊印、夹杂的在线视觉检测，替代人工目检。",
            "description": "三条冷轧产线，线速 600 米每分钟，需要私有化部署并与 MES 对接。",
            "contact": {"name": "王工", "phone": "13800138000"},
            "industry": "manufacturing",
            "capabilities": ["computer_vision"],
            "deployment": "on_premise",
            "data_readiness": "ready",
            "budget_min": 80,
            "budget_max": 300,
        },
        {
            "key": "need-medical-records",
            "organization": "org-hospital",
            "title": "电子病历结构化与质控",
            "summary": "把门诊与住院电子病历的自由文本结构化，自动发现病历书写缺陷。",
            "description": "每年约 200 万份病历，数据不出院，需要私有化部署的医疗大模型。",
            "contact": {"name": "李主任", "email": "li@example.com"},
            "industry": "healthcare",
            "capabilities": ["document_understanding", "text_generation"],
            "deployment": "on_premise",
            "data_readiness": "partial",
            "budget_min": 100,
            "budget_max": 400,
        },
        {
            "key": "need-ward-assistant",
            "organization": "org-hospital",
            "title": "病房医护智能问答助手",
            "summary": "基于院内知识库回答护士关于用药、护理规范的问题。",
            "description": "护理部希望夜班护士随时查询护理规范和药品说明书。",
            "contact": {"name": "张护士长", "phone": "021-64871234"},
            "industry": "healthcare",
            "capabilities": ["knowledge_qa"],
            "deployment": "hybrid",
        },
    ],
    "solutions": [
        {
            "key": "sol-steel-vision",
            "organization": "org-vision",
            "title": "钢铁表面缺陷视觉检测系统",
            "summary": "面向冷轧、热轧产线的表面缺陷视觉检测，支持私有化与边缘部署。",
            "description": "已在多家钢厂冷轧产线落地，检出率 99% 以上。",
            "industries": ["manufacturing"],
            "capabilities": ["computer_vision"],
            "deployment_modes": ["on_premise", "edge"],
            "maturity": "product",
            "price_min": 60,
            "price_max": 250,
        },
        {
            "key": "sol-emr-llm",
            "organization": "org-medai",
            "title": "医疗病历大模型",
            "summary": "电子病历结构化、病历质控与辅助书写，私有化部署，数据不出院。",
            "description": "三甲医院病历质控试点，支持门诊与住院病历。",
            "industries": ["healthcare"],
            "capabilities": ["document_understanding", "text_generation", "knowledge_qa"],
            "deployment_modes": ["on_premise", "hybrid"],
            "maturity": "pilot",
            "price_min": 120,
            "price_max": 500,
        },
        {
            "key": "sol-nurse-qa",
            "organization": "org-medai",
            "title": "护理知识问答助手",
            "summary": "基于医院护理规范与药品说明书的知识问答，支持混合云部署。",
            "description": "护理知识库问答，覆盖用药、护理操作规范。",
            "industries": ["healthcare"],
            "capabilities": ["knowledge_qa"],
            "deployment_modes": ["hybrid", "cloud"],
            "maturity": "product",
        },
    ],
}


@pytest.fixture
def small_catalog(tmp_path):
    path = tmp_path / "round.json"
    path.write_text(json.dumps(SMALL_CATALOG, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_run_export_on_a_hand_written_catalog(
    small_catalog, tmp_path, import_approved, run_matching
):
    target = tmp_path / "matches.json"

    import_approved(small_catalog)
    run_matching()
    command("export_matches", "--format", "json", "--output", str(target))

    document = json.loads(target.read_text(encoding="utf-8"))
    assert (document["format"], document["algorithm"]) == ("aiplus-matches/1", ALGORITHM_VERSION)
    assert exported_pairs(document) == stored_pairs()
    tops = {m["need"]: m["solution"] for m in document["matches"] if m["rank"] == 1}
    assert tops == {
        "need-medical-records": "sol-emr-llm",
        "need-surface-defects": "sol-steel-vision",
        "need-ward-assistant": "sol-nurse-qa",
    }


def test_export_lists_pairs_by_need_key_then_rank(small_catalog, import_approved, run_matching):
    import_approved(small_catalog)
    run_matching()

    document = json.loads(command("export_matches"))

    order = [(m["need"], m["rank"]) for m in document["matches"]]
    assert order == sorted(order)
    for need in {m["need"] for m in document["matches"]}:
        ranks = [m["rank"] for m in document["matches"] if m["need"] == need]
        assert ranks == list(range(1, len(ranks) + 1))
    assert [list(m["explanation"]) for m in document["matches"][:1]] == [EXPLANATION_KEYS]
    assert all(m["score"] == round(m["score"], 4) for m in document["matches"])
    assert all(0 <= m["score"] <= 1 for m in document["matches"])


def test_import_run_export_on_the_demo_catalog(import_approved, run_matching):
    import_approved(DEMO_CATALOG)
    run_matching()

    document = json.loads(command("export_matches", "--format", "json"))

    assert exported_pairs(document) == stored_pairs()
    assert len(document["matches"]) == Match.objects.active().exclude(rank_for_need=None).count()
    assert {m["need"] for m in document["matches"]} <= {n.source_key for n in Need.objects.all()}


def test_export_names_records_without_a_key_as_the_catalog_export_does(run_matching):
    need, solution = NeedFactory(), SolutionFactory()
    run_matching()

    document = json.loads(command("export_matches"))

    catalog = export_catalog()
    assert [(m["need"], m["solution"]) for m in document["matches"]] == [
        (f"need-{need.pk}", f"sol-{solution.pk}")
    ]
    assert [n["key"] for n in catalog["needs"]] == [f"need-{need.pk}"]
    assert [s["key"] for s in catalog["solutions"]] == [f"sol-{solution.pk}"]


def test_export_as_csv_holds_the_same_pairs(small_catalog, tmp_path, import_approved, run_matching):
    import_approved(small_catalog)
    run_matching()
    target = tmp_path / "matches.csv"

    document = json.loads(command("export_matches"))
    command("export_matches", "--format", "csv", "--output", str(target))

    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [
        (
            r["need"],
            r["solution"],
            int(r["rank"]),
            float(r["score"]),
            {name: float(r[name]) for name in EXPLANATION_KEYS[:-1]},
            r["terms"].split("|") if r["terms"] else [],
        )
        for r in rows
    ] == [
        (
            m["need"],
            m["solution"],
            m["rank"],
            m["score"],
            {name: m["explanation"][name] for name in EXPLANATION_KEYS[:-1]},
            m["explanation"]["terms"],
        )
        for m in document["matches"]
    ]
    assert list(rows[0]) == [
        "need",
        "solution",
        "rank",
        "score",
        *EXPLANATION_KEYS[:-1],
        "terms",
    ]


def test_export_before_any_run_fails():
    with pytest.raises(CommandError, match="run_matching"):
        command("export_matches")


# --- run_matching --------------------------------------------------------------------


@committing
def test_run_matching_without_a_broker_completes_and_reports(small_catalog):
    command("import_catalog", str(small_catalog), "--status", "approved")

    report = command("run_matching")

    run = MatchRun.objects.latest("pk")
    assert (run.kind, run.status) == ("full", "succeeded")
    assert MatchingState.load().active_run_id == run.pk
    pairs = Match.objects.active().count()
    assert report.splitlines()[0] == f"Run #{run.pk} succeeded ({ALGORITHM_VERSION})."
    assert report.splitlines()[1] == f"  counts:  needs 3, solutions 3, pairs {pairs}"
    assert re.fullmatch(
        r"  timings: load [\d.]+ s, fit [\d.]+ s, chunks [\d.]+ s, merge [\d.]+ s, "
        r"persist [\d.]+ s( \([\d,]+ rows/s\))?, total [\d.]+ s",
        report.splitlines()[2],
    )


def test_run_matching_with_chunks_stores_the_same_matches(import_approved, run_matching):
    import_approved(DEMO_CATALOG)
    run_matching()
    single = stored_pairs()

    run_matching("--chunk-needs", "10")

    run = MatchRun.objects.get(pk=MatchingState.load().active_run_id)
    assert (run.chunks_total, run.chunks_done) == (5, 5)  # 42 needs
    assert stored_pairs() == single


def test_run_matching_inside_a_transaction_leaves_the_job_to_its_commit(run_on_commit):
    with run_on_commit():
        report = command("run_matching")
        run = MatchRun.objects.get()
        assert report == f"Run #{run.pk} is queued; it runs when the transaction commits.\n"

    run.refresh_from_db()
    assert run.status == "succeeded"


def test_run_matching_with_a_bad_chunk_size_is_refused():
    with pytest.raises(CommandError, match="--chunk-needs must be at least 1"):
        command("run_matching", "--chunk-needs", "0")
    assert MatchRun.objects.count() == 0


@committing
def test_run_matching_exits_non_zero_when_the_run_fails(settings):
    NeedFactory()
    SolutionFactory()
    settings.MATCHING_TOP_K = 0  # the engine refuses lists of no entries

    with pytest.raises(CommandError) as failure:
        command("run_matching")

    run = MatchRun.objects.get()
    assert run.status == "failed"
    assert str(failure.value) == f"Run #{run.pk} failed: {run.error}"
    assert "k must be at least 1" in run.error


@committing
def test_run_matching_wait_gives_up_after_the_timeout():
    # A run queued by someone else, whose job no worker has picked up yet.
    queued = MatchRun.objects.create(kind=MatchRun.Kind.FULL)

    with pytest.raises(CommandError) as failure:
        command("run_matching", "--wait", "--timeout", "0.3", "--poll-interval", "0.1")

    assert str(failure.value) == (
        f"Run #{queued.pk} is still queued after 0.3 s; it goes on in the background."
    )
    assert MatchRun.objects.count() == 1


@pytest.mark.celery_worker
@pytest.mark.postgres
def test_run_matching_wait_follows_the_run_on_real_workers(celery_worker):
    command("import_catalog", str(DEMO_CATALOG), "--status", "approved")
    deadline = time.monotonic() + 90
    while MatchRun.objects.filter(status__in=["queued", "running"]).exists():
        assert time.monotonic() < deadline, celery_worker.output()
        time.sleep(0.2)

    report = command("run_matching", "--wait", "--chunk-needs", "20", "--poll-interval", "0.1")

    run = MatchRun.objects.latest("pk")
    assert (run.status, run.chunks_total, run.chunks_done) == ("succeeded", 3, 3)
    lines = report.splitlines()
    assert lines[-3] == f"Run #{run.pk} succeeded ({ALGORITHM_VERSION})."
    assert lines[-4] == f"Run #{run.pk}: succeeded, 100% (3/3 chunks)"
    assert MatchingState.load().active_run_id == run.pk


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
