"""The admin's index and sidebar group the models by the office's tasks (config/admin_site.py)."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from config.admin_site import TASK_GROUPS, ProgrammeAdminSite
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _captions(html: str) -> list[str]:
    return re.findall(r'<span class="section">([^<]+)</span>', html)


def test_admin_site_is_the_programme_office_site():
    assert isinstance(admin.site, ProgrammeAdminSite)


def test_every_registered_model_is_placed_in_a_task_group():
    placed = {label for group in TASK_GROUPS for label in group.models}

    registered = {
        model._meta.label for model in apps.get_models() if admin.site.is_registered(model)
    }

    assert sorted(registered - placed) == []


def test_index_lists_the_task_groups_in_the_office_order(client):
    client.force_login(StaffFactory())

    html = client.get(reverse("admin:index")).content.decode()

    # Once in the sidebar-less index; the grouped list is the page's own content.
    assert _captions(html) == ["审核", "匹配", "活动", "机构与用户", "系统"]


def test_sidebar_of_a_list_page_uses_the_task_groups(client):
    client.force_login(StaffFactory())

    html = client.get(reverse("admin:events_event_changelist")).content.decode()

    sidebar = html[html.index('id="nav-sidebar"') :]
    assert _captions(sidebar) == ["审核", "匹配", "活动", "机构与用户", "系统"]
    assert 'class="model-event current-model"' in sidebar


def test_index_in_english_names_the_tasks(client, english):
    client.force_login(StaffFactory())

    html = client.get(reverse("admin:index")).content.decode()

    assert _captions(html) == [
        "Review",
        "Matching",
        "Events",
        "Organizations and users",
        "System",
    ]


def test_a_task_group_lists_its_models_in_the_office_order(client):
    client.force_login(StaffFactory())

    groups = admin.site.get_app_list(client.get(reverse("admin:index")).wsgi_request)

    review = groups[0]
    assert [model["object_name"] for model in review["models"]][:2] == ["Need", "Solution"]


def test_an_app_page_still_lists_that_app(client):
    client.force_login(StaffFactory())

    response = client.get(reverse("admin:app_list", args=["events"]))

    assert response.status_code == 200
    assert response.context["app_list"][0]["app_label"] == "events"


def test_admin_pages_load_the_programme_stylesheet(client):
    client.force_login(StaffFactory())

    html = client.get(reverse("admin:matchmaking_need_changelist")).content.decode()

    assert "/static/css/admin.css" in html
