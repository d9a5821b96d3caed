"""The organizations directory: who is listed, search, filters, and what a page shows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import Organization
from matchmaking.models import Status
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

PLAIN = {"summary": "项目介绍。", "description": "详细说明。"}


def enterprise(name: str, **fields) -> Organization:
    organization = OrganizationFactory(name=name, verified=True, **{"description": "", **fields})
    NeedFactory(organization=organization, title=f"{name}的需求", **PLAIN)
    return organization


def provider(name: str, capabilities=("computer_vision",), **fields) -> Organization:
    organization = ProviderFactory(name=name, verified=True, **{"description": "", **fields})
    SolutionFactory(
        organization=organization,
        title=f"{name}的方案",
        capabilities=list(capabilities),
        **PLAIN,
    )
    return organization


def listed(client, **params) -> list[int]:
    response = client.get(reverse("organization-list"), params)
    assert response.status_code == 200
    return [organization.pk for organization in response.context["page"].object_list]


def test_directory_lists_verified_organizations_with_a_published_record(client):
    shown = enterprise("甲制造")
    unverified = OrganizationFactory(verified=False)
    NeedFactory(organization=unverified)
    drafts_only = OrganizationFactory(verified=True)
    NeedFactory(organization=drafts_only, status=Status.DRAFT, published_at=None)
    SolutionFactory(organization=drafts_only, status=Status.SUBMITTED, published_at=None)
    NeedFactory(organization=drafts_only, status=Status.WITHDRAWN)
    OrganizationFactory(verified=True)  # nothing posted

    assert listed(client) == [shown.pk]


def test_directory_is_the_same_for_members_and_staff(client):
    shown = enterprise("甲制造")
    hidden = OrganizationFactory(verified=False)
    client.force_login(member_of(hidden))
    assert listed(client) == [shown.pk]
    client.force_login(StaffFactory())
    assert listed(client) == [shown.pk]


def test_directory_search_finds_an_organization_by_its_profile(client):
    found = enterprise("华东精密铸造", description="专注汽车铸件，需要缺陷检测。")
    enterprise("城市商超连锁")

    assert listed(client, q="精密铸造") == [found.pk]
    # Across languages, through the synonym list: "defect detection" is 缺陷检测.
    assert listed(client, q="defect detection") == [found.pk]


def test_directory_search_finds_an_organization_by_a_capability_label_in_the_other_language(
    client,
):
    voice = provider("乙科技", capabilities=["speech"])
    provider("丙科技", capabilities=["computer_vision"])

    assert listed(client, q="speech") == [voice.pk]
    with translation.override("en"):
        assert listed(client, q="语音") == [voice.pk]


def test_directory_search_shows_where_it_matched(client):
    voice = provider("乙科技", capabilities=["speech"])
    profile = enterprise("华东精密铸造", description="专注汽车铸件，需要缺陷检测。")

    response = client.get(reverse("organization-list"), {"q": "speech"})
    page = response.content.decode()
    solution = voice.solutions.get()
    assert reverse("solution-detail", args=[solution.pk]) in page
    response = client.get(reverse("organization-list"), {"q": "缺陷检测"})
    assert "<mark>缺陷检测</mark>" in response.content.decode()
    assert [o.pk for o in response.context["page"].object_list] == [profile.pk]


def test_directory_search_never_finds_unpublished_records(client):
    secret = provider("丁科技", capabilities=["computer_vision"])
    SolutionFactory(
        organization=secret,
        title="量子退火排产引擎",
        status=Status.DRAFT,
        published_at=None,
        **PLAIN,
    )
    client.force_login(StaffFactory())  # staff's index reads everything; the page does not

    assert listed(client, q="量子退火") == []


def test_directory_search_without_result_suggests_terms_and_categories(client):
    enterprise("甲制造")

    response = client.get(reverse("organization-list"), {"q": "质检平台"})
    assert response.context["page"].object_list == []
    assert response.context["suggestions"]["terms"] != []
    assert "?q=" in response.content.decode()


def test_directory_filters_by_role_industry_and_capability(client):
    maker = enterprise("甲制造")
    vision = provider("乙视觉", capabilities=["computer_vision"])
    voice = provider("丙语音", capabilities=["speech"])
    both = OrganizationFactory(name="丁集团", verified=True, kind=Organization.Kind.BOTH)
    SolutionFactory(organization=both, capabilities=["speech"], industries=["healthcare"])

    assert sorted(listed(client, role="enterprise")) == sorted([maker.pk, both.pk])
    assert sorted(listed(client, role="provider")) == sorted([vision.pk, voice.pk, both.pk])
    assert sorted(listed(client, capability="speech")) == sorted([voice.pk, both.pk])
    assert listed(client, industry="healthcare") == [both.pk]
    # Both offer speech; the one named so comes first.
    assert listed(client, role="provider", capability="speech", q="丙语音") == [voice.pk, both.pk]


def test_directory_filters_render_as_checkable_chips(client):
    response = client.get(reverse("organization-list"))
    page = response.content.decode()
    for name in ("role", "industry", "capability"):
        assert f'id="id_{name}"' in page
        assert f'type="checkbox" name="{name}"' in page
    assert "data-fold-narrow" in page


def test_directory_is_linked_from_the_navigation(client):
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("organization-list")}"' in page


@pytest.mark.parametrize("count", [1, 3])
def test_directory_query_count_does_not_grow_with_organizations(
    client, count, django_assert_num_queries
):
    for n in range(count):
        provider(f"乙科技{n}")
    client.get(reverse("organization-list"))  # warm the taxonomy and the session
    with django_assert_num_queries(6):
        client.get(reverse("organization-list"))
    client.get(reverse("organization-list"), {"q": "乙科技"})  # build the indexes
    with django_assert_num_queries(10):
        response = client.get(reverse("organization-list"), {"q": "乙科技"})
    assert len(response.context["page"].object_list) == count


# --- an organization's page ------------------------------------------------------------


def test_organization_page_shows_published_records_only_and_no_contact(client):
    organization = enterprise("甲制造")
    NeedFactory(
        organization=organization,
        title="未公开的草稿需求",
        status=Status.DRAFT,
        published_at=None,
        contact_email="draft@secret.example",
    )
    published = organization.needs.get(status=Status.APPROVED)

    for user in (None, member_of(organization), StaffFactory()):
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("organization-detail", args=[organization.pk]))
        page = response.content.decode()
        assert response.status_code == 200
        assert published.title in page
        assert "未公开的草稿需求" not in page
        assert published.contact_phone not in page
        assert published.contact_email not in page
        assert organization.uscc not in page


def test_organization_page_of_an_unlisted_organization_is_for_members_and_staff(client):
    hidden = OrganizationFactory(verified=False)
    NeedFactory(organization=hidden)
    url = reverse("organization-detail", args=[hidden.pk])

    assert client.get(url).status_code == 404
    client.force_login(member_of(enterprise("甲制造")))
    assert client.get(url).status_code == 404
    client.force_login(member_of(hidden))
    assert client.get(url).status_code == 200
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200


def test_organization_page_in_english_shows_the_english_name(client):
    organization = enterprise("甲制造", name_en="Jia Manufacturing")
    client.cookies["aiplus_language"] = "en"

    response = client.get(reverse("organization-detail", args=[organization.pk]))
    assert "<h1>Jia Manufacturing</h1>" in response.content.decode()


def test_record_page_links_its_organization_only_when_listed(client):
    listed_need = enterprise("甲制造").needs.get()
    hidden = NeedFactory(organization=OrganizationFactory(verified=False))

    page = client.get(reverse("need-detail", args=[listed_need.pk])).content.decode()
    assert reverse("organization-detail", args=[listed_need.organization_id]) in page
    page = client.get(reverse("need-detail", args=[hidden.pk])).content.decode()
    assert reverse("organization-detail", args=[hidden.organization_id]) not in page


def test_directory_pages_keep_the_search_and_filters(client):
    for n in range(21):
        provider(f"乙视觉{n:02d}")

    response = client.get(reverse("organization-list"), {"q": "乙视觉", "role": "provider"})
    page = response.content.decode()
    assert response.context["page"].paginator.count == 21
    assert "?q=%E4%B9%99%E8%A7%86%E8%A7%89&amp;role=provider&amp;page=2" in page
    second = client.get(
        reverse("organization-list"), {"q": "乙视觉", "role": "provider", "page": "2"}
    )
    assert len(second.context["page"].object_list) == 1
    first_ids = [o.pk for o in response.context["page"].object_list]
    assert second.context["page"].object_list[0].pk not in first_ids


@pytest.mark.parametrize("count", [1, 3])
def test_organization_page_query_count_does_not_grow_with_records(
    client, count, django_assert_num_queries
):
    organization = OrganizationFactory(verified=True, kind=Organization.Kind.BOTH)
    for n in range(count):
        NeedFactory(organization=organization, title=f"需求{n}")
        SolutionFactory(organization=organization, title=f"方案{n}")
    url = reverse("organization-detail", args=[organization.pk])
    client.get(url)  # warm the session
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["needs"]) == count
