"""Catalog search: relevance across languages and synonyms, visibility, freshness."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matchmaking.models import Confidentiality, SearchSynonym
from matchmaking.services import catalog as services
from tests.factories import NeedFactory, OrganizationFactory, SolutionFactory, member_of

pytestmark = pytest.mark.django_db

PLAIN = {"summary": "项目介绍。", "description": "详细说明。"}


def need(title: str, **fields):
    return NeedFactory(title=title, **{**PLAIN, **fields})


def found(client, query: str, **params) -> list[int]:
    response = client.get(reverse("need-list"), {"q": query, **params})
    assert response.status_code == 200
    return [record.pk for record in response.context["page"].object_list]


def api_found(client, path: str, query: str, **params) -> list[int]:
    response = client.get(path, {"q": query, **params})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_search_finds_chinese_synonyms_of_quality_inspection(client):
    quality = need("电机外壳质量检测")
    defect = need("铸件缺陷检测")
    calls = need("客服中心通话质检")
    need("门店销量预测")

    assert sorted(found(client, "质检")) == sorted([quality.pk, defect.pk, calls.pk])


def test_search_crosses_languages_through_the_synonym_list(client):
    defect = need("冲压件缺陷检测")
    service = need("客服中心智能化升级")
    ct = need("Chest CT nodule triage")

    assert found(client, "defect detection") == [defect.pk]
    assert found(client, "call center") == [service.pk]
    assert found(client, "医疗影像") == [ct.pk]


def test_search_ranks_the_closest_record_first_and_other_orders_stay_selectable(client):
    mention = need("设备巡检助手", summary="也可用于焊缝检查。")
    exact = need("焊缝缺陷在线检测", published_at=mention.published_at.replace(year=2020))

    assert found(client, "焊缝缺陷") == [exact.pk, mention.pk]
    assert found(client, "焊缝缺陷", ordering="-published") == [mention.pk, exact.pk]


def test_search_combines_with_filters(client):
    vision = need("焊缝视觉检测", capabilities=["computer_vision"])
    need("焊缝数据分析", capabilities=["data_analytics"])

    assert found(client, "焊缝", capability="computer_vision") == [vision.pk]


def test_summary_only_need_is_searched_on_its_public_part_for_visitors(client):
    secret = need(
        "产线改造", description="涉及激光雷达标定", confidentiality=Confidentiality.SUMMARY
    )
    shared = need(
        "仓库改造", description="涉及激光雷达标定", confidentiality=Confidentiality.MEMBERS
    )

    anonymous = found(client, "激光雷达")
    client.force_login(member_of(shared.organization))
    member = found(client, "激光雷达")

    assert anonymous == []
    assert member == [shared.pk]
    assert secret.pk not in member


def test_search_follows_a_withdrawal_and_an_edit_at_once(client):
    record = need("光伏组件隐裂检测")
    owner = member_of(record.organization)
    assert found(client, "隐裂") == [record.pk]

    services.withdraw_record(by=owner, record=record)

    assert found(client, "隐裂") == []


def test_search_index_follows_an_edit_at_once(client):
    record = need("光伏组件隐裂检测")
    assert found(client, "风机叶片") == []

    record.title = "风机叶片裂纹检测"
    record.save()

    assert found(client, "风机叶片") == [record.pk]


def test_result_snippet_marks_matched_terms_and_escapes_the_text(client):
    need("焊缝检测", summary="<b>粗体</b> 焊缝 quality inspection 系统")

    page = client.get(reverse("need-list"), {"q": "焊缝"}).content.decode()

    assert "<mark>焊缝</mark>" in page
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page
    assert "<b>粗体</b>" not in page


def test_search_without_result_suggests_terms_and_categories(client):
    need("门店销量预测")

    response = client.get(reverse("need-list"), {"q": "语音区块链"})

    suggestions = response.context["suggestions"]
    assert list(response.context["page"].object_list) == []
    assert "语音" in suggestions["terms"]
    assert [c.code for c in suggestions["capability"]] == ["speech"]


def test_synonym_added_in_the_admin_is_searchable_at_once(
    client, django_capture_on_commit_callbacks
):
    record = need("扫地机导航避障")
    assert found(client, "robot vacuum") == []

    with django_capture_on_commit_callbacks(execute=True):
        SearchSynonym.objects.create(chinese="扫地机, 扫地机器人", english="robot vacuum")

    assert found(client, "robot vacuum") == [record.pk]


def test_api_searches_needs_solutions_and_organizations_by_relevance(client):
    weld = need("焊缝缺陷检测")
    need("设备巡检", summary="附带焊缝检查")
    solution = SolutionFactory(title="Weld seam inspection", summary="Arc welds.", description="")

    assert api_found(client, "/api/v1/needs/", "焊缝缺陷")[0] == weld.pk
    assert api_found(client, "/api/v1/solutions/", "焊缝") == [solution.pk]
    hospital = OrganizationFactory(name="上海西岸医院", name_en="West Bund Hospital")
    assert api_found(client, "/api/v1/organizations/", "hospital") == [hospital.pk]
    assert api_found(client, "/api/v1/organizations/", "医院") == [hospital.pk]
