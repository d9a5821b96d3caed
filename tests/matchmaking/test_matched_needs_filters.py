"""Filters and sort menus of the list pages: remembered for the provider, all translated."""

import re

import pytest
from django.urls import reverse

from matchmaking.models import Match
from matchmaking.services import matching
from tests.factories import NeedFactory, SolutionFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_user(run_on_commit):
    """A provider with one published solution matched to a manufacturing need."""
    need = NeedFactory()
    solution = SolutionFactory()
    with run_on_commit():
        matching.start_full_run()
    assert Match.objects.active().filter(need=need, solution=solution).exists()
    return member_of(solution.organization, email="prov@example.com")


def need_ids(response) -> list[int]:
    return [match.need_id for match in response.context["page"].object_list]


def test_matched_needs_filters_come_back_on_the_next_visit(client, provider_user):
    client.force_login(provider_user)
    url = reverse("matched-needs")
    client.get(url, {"industry": "healthcare", "ordering": "-budget"})

    response = client.get(url)

    assert response.context["restored"] is True
    assert need_ids(response) == []
    body = response.content.decode()
    assert 'id="filters-restored"' in body
    assert '<option value="healthcare" selected>' in body
    assert "industry=healthcare" in response.context["query"]


def test_matched_needs_clear_forgets_the_filters(client, provider_user):
    client.force_login(provider_user)
    url = reverse("matched-needs")
    client.get(url, {"industry": "healthcare"})

    response = client.get(url, {"clear": "1"})

    assert response.status_code == 302
    assert response.url == url
    response = client.get(url)
    assert response.context["restored"] is False
    assert len(need_ids(response)) == 1
    assert 'id="filters-restored"' not in response.content.decode()


def test_matched_needs_new_filters_replace_the_remembered_ones(client, provider_user):
    client.force_login(provider_user)
    url = reverse("matched-needs")
    client.get(url, {"industry": "healthcare"})
    client.get(url, {"industry": "manufacturing", "page": "1"})

    response = client.get(url)

    assert len(need_ids(response)) == 1
    assert response.context["query"] == "industry=manufacturing"


def test_matched_needs_without_filters_has_no_clear_link(client, provider_user):
    client.force_login(provider_user)

    body = client.get(reverse("matched-needs")).content.decode()

    assert 'id="clear-filters"' not in body


@pytest.mark.parametrize("url_name", ["need-list", "solution-list", "matched-needs"])
def test_sort_menus_are_in_the_pages_language(client, provider_user, url_name):
    client.force_login(provider_user)

    body = client.get(reverse(url_name)).content.decode()

    menu = re.search(r'<select name="ordering".*?</select>', body, re.DOTALL).group(0)
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", menu)
    assert labels[0] == "---------"
    assert labels[1:]
    assert [label for label in labels[1:] if re.search(r"[A-Za-z]", label)] == []
