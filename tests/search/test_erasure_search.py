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


def test_a_renamed_organization_is_found_by_its_new_name_at_once(client):
    from core.services.organizations import update_organization  # noqa: PLC0415

    org = OrganizationFactory(name="旧名字科技有限公司")
    need = NeedFactory(organization=org, title="产线质检改造", summary="项目介绍。")
    assert found(client, "旧名字") == [need.pk]

    update_organization(by=StaffFactory(), organization=org, fields={"name": "书衡智能有限公司"})

    assert found(client, "书衡") == [need.pk]
    assert found(client, "旧名字") == []


def test_the_office_renaming_in_admin_goes_through_the_service(client):
    from core.models import AuditEntry, Organization  # noqa: PLC0415

    org = OrganizationFactory(name="旧名字科技有限公司")
    need = NeedFactory(organization=org, title="产线质检改造", summary="项目介绍。")
    assert found(client, "旧名字") == [need.pk]
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:core_organization_change", args=[org.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "name": "书衡智能有限公司",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Organization.objects.get(pk=org.pk).name == "书衡智能有限公司"
    assert AuditEntry.objects.filter(action="organization.changed").exists()
    client.logout()
    assert found(client, "书衡") == [need.pk]
