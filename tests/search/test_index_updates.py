"""The search index follows the catalog by catching up, not by rebuilding, and is shared
between processes through a file (matchmaking/search/index.py, snapshots.py)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.engine.search import SearchDocument, SearchIndex, build_glossary, file_synonyms
from matchmaking.models import Need, SearchSynonym, Status
from matchmaking.search import index as search_index
from matchmaking.services import catalog as services
from tests.factories import NeedFactory, StaffFactory, member_of

PLAIN = {"summary": "项目介绍。", "description": "详细说明。"}


def need(title: str, **fields):
    return NeedFactory(title=title, **{**PLAIN, **fields})


def found(client, query: str) -> list[int]:
    response = client.get(reverse("need-list"), {"q": query})
    assert response.status_code == 200
    return [record.pk for record in response.context["page"].object_list]


@pytest.fixture
def builds(monkeypatch):
    """Whole builds of an index in this process (catching up is not one)."""
    calls: list[str] = []
    build = search_index.build_index

    def counted(kind, level, glossary, groups):
        calls.append(f"{kind}/{level}")
        return build(kind, level, glossary, groups)

    monkeypatch.setattr(search_index, "build_index", counted)
    search_index.forget()
    return calls


@pytest.fixture
def shared(settings, tmp_path):
    """Indexes shared through files, as on a server (the test settings switch it off)."""
    settings.SEARCH_INDEX_DIR = str(tmp_path)
    return tmp_path


def another_process() -> None:
    """What a new worker process starts from: nothing in memory."""
    search_index.forget()


# --------------------------------------------------------------- the engine alone


def documents(titles: dict[int, str]) -> list[SearchDocument]:
    return [SearchDocument(key, title, ("说明",), version=key) for key, title in titles.items()]


def scores(index: SearchIndex, query: str) -> dict[int, float]:
    return {hit.key: hit.score for hit in index.search(query)}


GLOSSARY = build_glossary(file_synonyms())
TITLES = {
    1: "电机外壳质量检测",
    2: "铸件缺陷检测",
    3: "客服中心通话质检",
    4: "门店销量预测",
    5: "Chest CT nodule triage",
}


def test_an_updated_index_ranks_as_a_rebuilt_one():
    old = SearchIndex(documents(TITLES), glossary=GLOSSARY)
    changed = {2: "焊缝缺陷在线检测", 6: "光伏组件隐裂检测", 7: "defect detection of welds"}

    updated = old.updated(documents(changed), removed=[4])

    rebuilt = SearchIndex(
        documents({**{k: v for k, v in TITLES.items() if k != 4}, **changed}), glossary=GLOSSARY
    )
    assert sorted(updated.keys.tolist()) == [1, 2, 3, 5, 6, 7]
    for query in ("质检", "缺陷检测", "defect detection", "隐裂", "医疗影像", "销量预测"):
        expected = scores(rebuilt, query)
        got = scores(updated, query)
        assert got.keys() == expected.keys(), query
        assert all(np.isclose(got[k], expected[k]) for k in expected), query
    # The old index is left as it was: a search running on it is not disturbed.
    assert 4 in scores(old, "销量预测")
    assert 6 not in scores(old, "隐裂")


def test_an_index_written_as_arrays_reads_back_the_same():
    index = SearchIndex(documents(TITLES), glossary=GLOSSARY)

    again = SearchIndex.from_arrays(index.arrays(), glossary=GLOSSARY)

    assert again.versions.tolist() == index.versions.tolist()
    for query in ("质检", "call center", "CT"):
        assert scores(again, query) == pytest.approx(scores(index, query))


# ---------------------------------------------------------- following the catalog


@pytest.mark.django_db
def test_approval_edit_and_withdrawal_are_caught_up_without_a_rebuild(client, builds):
    published = need("光伏组件隐裂检测")
    pending = need("风机叶片巡检", status=Status.SUBMITTED, published_at=None)
    assert found(client, "隐裂") == [published.pk]
    assert found(client, "风机叶片") == []
    assert builds == ["need/public"]

    services.approve_records(by=StaffFactory(), records=[pending])
    assert found(client, "风机叶片") == [pending.pk]

    published.title = "储能电池热失控预警"
    published.save()
    assert found(client, "隐裂") == []
    assert found(client, "热失控") == [published.pk]

    services.withdraw_record(by=member_of(pending.organization), record=pending)
    assert found(client, "风机叶片") == []

    assert builds == ["need/public"]  # one build, then only the changed records


@pytest.mark.django_db
def test_a_deleted_record_leaves_the_index_at_the_next_change(client, builds):
    gone = need("光伏组件隐裂检测")
    assert found(client, "隐裂") == [gone.pk]

    Need.objects.filter(pk=gone.pk).delete()
    assert found(client, "隐裂") == []  # never shown: results are read from the database
    need("储能电池热失控预警")
    found(client, "热失控")

    assert gone.pk not in search_index.index_for("need").keys.tolist()


@pytest.mark.django_db
def test_a_record_restored_with_an_old_last_change_is_caught_up(client, builds):
    need("储能电池热失控预警")
    assert found(client, "隐裂") == []
    restored = need("光伏组件隐裂检测")
    # As a restore from a backup (or a transaction committing late) leaves it: its last
    # change is older than everything the index holds.
    Need.objects.filter(pk=restored.pk).update(updated_at=timezone.now() - timedelta(days=30))
    need("风机叶片巡检")  # a change, so that the index catches up

    assert found(client, "隐裂") == [restored.pk]
    assert builds == ["need/public"]


@pytest.mark.django_db
def test_a_synonym_change_rebuilds_the_index(client, builds):
    record = need("扫地机导航避障")
    assert found(client, "robot vacuum") == []

    SearchSynonym.objects.create(chinese="扫地机, 扫地机器人", english="robot vacuum")

    assert found(client, "robot vacuum") == [record.pk]
    assert builds == ["need/public", "need/public"]


# ------------------------------------------------------------ shared between processes


@pytest.mark.django_db
def test_another_process_reads_the_shared_index_and_catches_up(client, builds, shared):
    first = need("光伏组件隐裂检测")
    assert found(client, "隐裂") == [first.pk]
    assert builds == ["need/public"]
    assert list(shared.glob("*-need-public.npz"))

    another_process()
    second = need("隐裂检测二期", status=Status.SUBMITTED, published_at=None)
    services.approve_records(by=StaffFactory(), records=[second])
    first.title = "储能电池热失控预警"
    first.save()

    assert found(client, "隐裂") == [second.pk]
    assert found(client, "热失控") == [first.pk]
    assert builds == ["need/public"]  # read from the file, never built again


@pytest.mark.django_db
def test_a_shared_index_of_another_synonym_list_is_not_used(client, builds, shared):
    record = need("扫地机导航避障")
    assert found(client, "robot vacuum") == []

    another_process()
    SearchSynonym.objects.create(chinese="扫地机, 扫地机器人", english="robot vacuum")

    assert found(client, "robot vacuum") == [record.pk]
    assert builds == ["need/public", "need/public"]


@pytest.mark.django_db
def test_a_worker_warms_its_indexes_before_its_first_request(client, builds, shared):
    record = need("光伏组件隐裂检测")

    search_index.warm()
    builds.clear()
    assert found(client, "隐裂") == [record.pk]

    assert builds == []
