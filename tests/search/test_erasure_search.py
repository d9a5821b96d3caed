"""An erased person's name leaves the search index at once (PIPL erasure)."""

import pytest
from django.urls import reverse

from core.services import privacy
from tests.factories import NeedFactory, OrganizationFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db


def found(client, query: str) -> list[int]:
    response = client.get(reverse("need-list"), {"q": query})
    assert response.status_code == 200
    return [record.pk for record in response.context["page"].object_list]


def test_erased_name_is_not_found_by_search_any_more(client):
    org = OrganizationFactory(name="上海某精密制造有限公司")
    user = member_of(org, email="li.hua@example.com", full_name="李华", phone="13700001111")
    need = NeedFactory(
        organization=org,
        created_by=user,
        title="产线质检改造",
        summary="项目介绍。",
        description="项目联系人李华负责产线改造。",
    )
    client.force_login(StaffFactory())  # staff search descriptions too
    assert found(client, "李华") == [need.pk]  # the index is built with the name

    privacy.erase_account(user)

    assert found(client, "李华") == []
    assert found(client, "产线质检") == [need.pk]  # the record itself stays findable
