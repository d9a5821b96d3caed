"""Catalog pages: posting, review workflow, public lists and details, privacy."""

import pytest
from django.core import mail
from django.urls import reverse

from matchmaking.models import Need, Solution, Status, StatusChange
from matchmaking.services import catalog as services
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

SECRET_PHONE = "13912345678"
SECRET_EMAIL = "secret.contact@example.com"


def need_post(**overrides):
    data = {
        "title": "仓储巡检机器人视觉识别",
        "industry": "",
        "capabilities": [],
        "summary": "仓库货架巡检，识别破损与错放。",
        "description": "三个仓库，日均巡检 2 次。",
        "deployment": "on_premise",
        "data_readiness": "partial",
        "region": "上海市徐汇区",
        "confidentiality": "members",
        "budget_min": "30",
        "budget_max": "80",
        "deadline": "2027-03-31",
        "contact_name": "刘经理",
        "contact_phone": "138 0013 8000",
        "contact_email": "liu@example.com",
        "action": "submit",
    }
    data.update(overrides)
    return data


@pytest.fixture
def enterprise():
    org = OrganizationFactory()
    return member_of(org)


@pytest.fixture
def manufacturing_id():
    from core.models import Industry  # noqa: PLC0415

    return Industry.objects.get(code="manufacturing").pk


@pytest.fixture
def vision_id():
    from core.models import Capability  # noqa: PLC0415

    return Capability.objects.get(code="computer_vision").pk


def test_enterprise_submits_complete_need_for_review(
    client, enterprise, manufacturing_id, vision_id
):
    client.force_login(enterprise)

    response = client.post(
        reverse("my-need-new"),
        need_post(industry=manufacturing_id, capabilities=[vision_id]),
    )

    need = Need.objects.get()
    assert response.status_code == 302
    assert need.status == Status.SUBMITTED
    assert need.contact_phone == "13800138000"
    assert need.created_by == enterprise
    assert list(need.status_changes.values_list("to_status", flat=True)) == ["submitted"]


def test_a_need_without_capability_is_submitted_as_not_sure_with_suggestions(
    client, enterprise, manufacturing_id
):
    client.force_login(enterprise)

    response = client.post(
        reverse("my-need-new"),
        need_post(
            industry=manufacturing_id,
            capabilities_unsure="on",
            title="冲压件好坏全靠老师傅",
            summary="产品表面有没有划痕、毛刺，全靠老师傅肉眼看。",
        ),
    )

    assert response.status_code == 302
    need = Need.objects.get()
    assert need.status == "submitted"
    assert need.capabilities_unsure
    assert not need.capabilities.exists()
    best = need.suggested_capabilities[0]
    assert best["code"] == "computer_vision"
    assert {"划痕", "毛刺"} <= set(best["words"])
    assert any(word.startswith("肉眼") for word in best["words"])


def test_draft_may_be_incomplete(client, enterprise):
    client.force_login(enterprise)

    client.post(reverse("my-need-new"), need_post(action="draft", summary="", description=""))

    assert Need.objects.get().status == Status.DRAFT


def test_budget_min_above_max_is_a_field_error_in_chinese(client, enterprise):
    client.force_login(enterprise)

    response = client.post(
        reverse("my-need-new"), need_post(budget_min="90", budget_max="20", action="draft")
    )

    assert list(response.context["form"].errors) == ["budget_max"]
    assert "不能低于" in response.content.decode()
    assert Need.objects.count() == 0


def test_bad_phone_is_a_field_error(client, enterprise):
    client.force_login(enterprise)
    response = client.post(reverse("my-need-new"), need_post(contact_phone="12345", action="draft"))
    assert list(response.context["form"].errors) == ["contact_phone"]


def test_provider_cannot_open_the_need_form(client):
    provider = member_of(ProviderFactory())
    client.force_login(provider)
    assert client.get(reverse("my-need-new")).status_code == 404


def test_published_need_edit_goes_back_to_review(client, enterprise, vision_id, manufacturing_id):
    need = NeedFactory(organization=enterprise.primary_membership.organization)
    client.force_login(enterprise)

    client.post(
        reverse("my-need-edit", args=[need.pk]),
        need_post(industry=manufacturing_id, capabilities=[vision_id], action="draft"),
    )

    need.refresh_from_db()
    assert need.status == Status.SUBMITTED
    assert need.title == "仓储巡检机器人视觉识别"


def test_withdrawn_need_is_kept_and_cannot_be_edited(client, enterprise):
    need = NeedFactory(organization=enterprise.primary_membership.organization)
    client.force_login(enterprise)

    client.post(reverse("my-need-action", args=[need.pk]), {"action": "withdraw"})

    need.refresh_from_db()
    assert need.status == Status.WITHDRAWN
    response = client.get(reverse("my-need-edit", args=[need.pk]))
    assert response.status_code == 302


def test_other_enterprise_cannot_see_my_draft(client, enterprise):
    draft = NeedFactory(organization=enterprise.primary_membership.organization, status="draft")
    other = member_of(OrganizationFactory())
    client.force_login(other)

    assert client.get(reverse("need-detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("my-need-detail", args=[draft.pk])).status_code == 404


def test_public_list_shows_only_published_needs(client):
    published = NeedFactory(title="已发布的需求")
    NeedFactory(title="草稿需求", status="draft")
    NeedFactory(title="审核中需求", status="submitted")

    response = client.get(reverse("need-list"))

    assert [n.pk for n in response.context["page"].object_list] == [published.pk]


# catalog state, count, page, capabilities (+ industries of solutions), filter choices
@pytest.mark.parametrize(("kind", "queries"), [("need", 6), ("solution", 7)])
def test_public_list_query_count_does_not_grow(client, django_assert_num_queries, kind, queries):
    factory = NeedFactory if kind == "need" else SolutionFactory
    factory()
    with django_assert_num_queries(queries):
        client.get(reverse(f"{kind}-list"))
    factory.create_batch(2)
    with django_assert_num_queries(queries):
        response = client.get(reverse(f"{kind}-list"))
    assert len(response.context["page"].object_list) == 3


def test_need_list_filters_by_industry_capability_and_text(client):
    vision = NeedFactory(title="焊缝缺陷检测")
    NeedFactory(title="客服知识库问答", industry_id=None, capabilities=["knowledge_qa"])

    by_capability = client.get(reverse("need-list"), {"capability": "computer_vision"})
    by_text = client.get(reverse("need-list"), {"q": "焊缝"})
    by_industry = client.get(reverse("need-list"), {"industry": "manufacturing"})

    assert [n.pk for n in by_capability.context["page"].object_list] == [vision.pk]
    assert [n.pk for n in by_text.context["page"].object_list] == [vision.pk]
    assert [n.pk for n in by_industry.context["page"].object_list] == [vision.pk]


def test_need_list_budget_filter_keeps_overlapping_budgets(client):
    small = NeedFactory(budget_min=5, budget_max=20)
    large = NeedFactory(budget_min=100, budget_max=300)

    response = client.get(reverse("need-list"), {"budget_from": "50"})

    assert [n.pk for n in response.context["page"].object_list] == [large.pk]
    assert small.pk not in [n.pk for n in response.context["page"].object_list]


def test_solution_list_filters_by_filing_and_deployment(client):
    filed = SolutionFactory(filing_number="Shanghai-Test-2024")
    SolutionFactory(filing_number="", deploy_on_premise=False, deploy_edge=False, deploy_cloud=True)

    filed_only = client.get(reverse("solution-list"), {"filed": "true"})
    on_premise = client.get(reverse("solution-list"), {"deployment": "on_premise"})

    assert [s.pk for s in filed_only.context["page"].object_list] == [filed.pk]
    assert [s.pk for s in on_premise.context["page"].object_list] == [filed.pk]


def test_invalid_filter_value_is_not_an_error(client):
    response = client.get(reverse("need-list"), {"budget_from": "abc", "industry": "nope"})
    assert response.status_code == 200


def test_contact_details_never_reach_outsiders(client):
    need = NeedFactory(contact_phone=SECRET_PHONE, contact_email=SECRET_EMAIL)
    solution = SolutionFactory(contact_phone=SECRET_PHONE, contact_email=SECRET_EMAIL)
    outsiders = [None, member_of(OrganizationFactory()), member_of(ProviderFactory())]
    pages = [
        reverse("need-list"),
        reverse("need-detail", args=[need.pk]),
        reverse("solution-list"),
        reverse("solution-detail", args=[solution.pk]),
        reverse("home"),
    ]
    for outsider in outsiders:
        client.logout()
        if outsider:
            client.force_login(outsider)
        for page in pages:
            body = client.get(page).content.decode()
            assert SECRET_PHONE not in body, (outsider, page)
            assert SECRET_EMAIL not in body, (outsider, page)


def test_owner_sees_own_contact_details(client):
    need = NeedFactory(contact_phone=SECRET_PHONE)
    client.force_login(member_of(need.organization))
    assert SECRET_PHONE in client.get(reverse("need-detail", args=[need.pk])).content.decode()


def test_summary_only_need_hides_description_from_members(client):
    need = NeedFactory(confidentiality="summary", description="内部工艺参数：不公开")
    client.force_login(member_of(OrganizationFactory()))
    body = client.get(reverse("need-detail", args=[need.pk])).content.decode()
    assert "内部工艺参数" not in body


def test_members_need_shows_description_to_signed_in_members_only(client):
    need = NeedFactory(confidentiality="members", description="详细需求说明文本")
    assert (
        "详细需求说明文本"
        not in client.get(reverse("need-detail", args=[need.pk])).content.decode()
    )
    client.force_login(member_of(ProviderFactory()))
    assert "详细需求说明文本" in client.get(reverse("need-detail", args=[need.pk])).content.decode()


XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_stored_markup_is_escaped_in_pages(client):
    need = NeedFactory(title=XSS, summary=XSS)
    SolutionFactory(title=XSS, summary=XSS)
    for url in (
        reverse("need-list"),
        reverse("need-detail", args=[need.pk]),
        reverse("solution-list"),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x onerror" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_stored_markup_is_escaped_in_admin(client):
    need = NeedFactory(title=XSS, summary=XSS, description=XSS, status="submitted")
    client.force_login(StaffFactory())
    for url in (
        reverse("admin:matchmaking_need_changelist"),
        reverse("admin:matchmaking_need_change", args=[need.pk]),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x onerror" not in body


def test_admin_approve_publishes_and_emails_submitter(client, run_on_commit):
    author = member_of(OrganizationFactory())
    need = NeedFactory(
        organization=author.primary_membership.organization, status="submitted", created_by=author
    )
    staff = StaffFactory()
    client.force_login(staff)

    with run_on_commit():
        client.post(
            reverse("admin:matchmaking_need_changelist"),
            {"action": "approve_selected", "_selected_action": [need.pk]},
        )

    need.refresh_from_db()
    assert need.status == Status.APPROVED
    assert need.published_at is not None
    assert [m.to for m in mail.outbox] == [[author.email]]
    change = StatusChange.objects.get(need=need)
    assert (change.from_status, change.to_status, change.by) == ("submitted", "approved", staff)


def test_admin_reject_requires_reason_and_emails_it(client, run_on_commit):
    author = member_of(OrganizationFactory())
    needs = NeedFactory.create_batch(
        2,
        organization=author.primary_membership.organization,
        status="submitted",
        created_by=author,
    )
    client.force_login(StaffFactory())
    changelist = reverse("admin:matchmaking_need_changelist")
    selected = [n.pk for n in needs]

    form_page = client.post(changelist, {"action": "reject_selected", "_selected_action": selected})
    assert form_page.status_code == 200
    assert Need.objects.filter(status="rejected").count() == 0

    with run_on_commit():
        client.post(
            changelist,
            {
                "action": "reject_selected",
                "_selected_action": selected,
                "reason": "请补充数据规模与现有系统说明",
            },
        )

    assert Need.objects.filter(status="rejected").count() == 2
    assert {n.review_note for n in Need.objects.all()} == {"请补充数据规模与现有系统说明"}
    assert all("请补充数据规模" in m.body for m in mail.outbox)
    assert len(mail.outbox) == 2


def test_rejected_need_shows_feedback_to_its_author(client):
    author = member_of(OrganizationFactory())
    NeedFactory(
        organization=author.primary_membership.organization,
        status="rejected",
        review_note="预算区间过宽，请细化",
    )
    client.force_login(author)
    assert "预算区间过宽" in client.get(reverse("my-need-list")).content.decode()


def test_invalid_transition_is_refused():
    need = NeedFactory(status="draft")
    with pytest.raises(services.InvalidTransitionError):
        services.transition(record=need, to=Status.APPROVED, by=None)


def test_solution_form_saves_deployment_modes_and_filing(client):
    provider = member_of(ProviderFactory())
    client.force_login(provider)
    from core.models import Capability, Industry  # noqa: PLC0415

    client.post(
        reverse("my-solution-new"),
        {
            "title": "医疗知识库问答助手",
            "industries": [Industry.objects.get(code="healthcare").pk],
            "capabilities": [Capability.objects.get(code="knowledge_qa").pk],
            "summary": "面向医院的知识问答。",
            "description": "支持私有化部署，接入院内知识库。",
            "deployment_modes": ["on_premise", "hybrid"],
            "filing_number": "  Shanghai-XinglanMed-20240601 ",
            "maturity": "pilot",
            "price_min": "20",
            "price_max": "60",
            "action": "submit",
        },
    )

    solution = Solution.objects.get()
    assert solution.status == Status.SUBMITTED
    assert solution.deployment_modes == ["on_premise", "hybrid"]
    assert solution.filing_number == "Shanghai-XinglanMed-20240601"


def test_public_list_is_served_from_the_cache_until_the_catalog_changes(
    client, django_assert_num_queries
):
    NeedFactory(title="第一条需求")
    client.get(reverse("need-list"))

    with django_assert_num_queries(1):  # the catalog state only
        cached = client.get(reverse("need-list"))
    NeedFactory(title="新发布的需求")
    fresh = client.get(reverse("need-list"))

    assert "第一条需求" in cached.content.decode()
    assert "新发布的需求" in fresh.content.decode()


def test_public_list_cache_separates_languages_and_queries(client):
    NeedFactory(title="焊缝缺陷检测")
    NeedFactory(title="客服知识库问答", capabilities=["knowledge_qa"])
    filtered = client.get(reverse("need-list"), {"q": "焊缝"}).content.decode()
    everything = client.get(reverse("need-list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("need-list")).content.decode()

    assert "客服知识库问答" not in filtered
    assert "客服知识库问答" in everything
    assert "Scenario needs" in english
