"""The public catalog's page cache: keys from the known filters only, and bounded.

Each distinct query string used to store a rendered page (about 16 KB) in Redis for
five minutes, so an anonymous script could fill the cache. The key now ignores
unknown parameters and the order of the known ones; searches and deep pages are not
kept, and filter combinations past CATALOG_CACHE_MAX_VARIANTS are rendered each time.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from matchmaking.views import catalog
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(monkeypatch):
    """The keys of the catalog pages put in the cache."""
    keys: list[str] = []
    real_set = cache.set

    def spy(key, *args, **kwargs):
        if key.startswith("catalog:"):
            keys.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(catalog.cache, "set", spy)
    NeedFactory.create_batch(3)
    return keys


def test_unknown_parameters_make_no_new_entry(client, stored):
    for n in range(50):
        client.get(reverse("need-list"), {f"utm_{n}": "x", "junk": str(n)})

    assert len(set(stored)) == 1


def test_the_order_and_repetition_of_known_filters_make_no_new_entry(client, stored):
    client.get(reverse("need-list") + "?industry=manufacturing&capability=computer_vision")
    client.get(reverse("need-list") + "?capability=computer_vision&industry=manufacturing")
    client.get(
        reverse("need-list")
        + "?capability=computer_vision&industry=manufacturing&industry=manufacturing&x=1"
    )

    assert len(set(stored)) == 1


def test_searches_and_deep_pages_are_not_kept(client, stored):
    for n in range(20):
        client.get(reverse("need-list"), {"q": f"焊缝{n}"})
    client.get(reverse("need-list"), {"page": str(catalog.CATALOG_CACHE_MAX_PAGE + 1)})

    assert stored == []


def test_a_page_number_that_is_no_page_counts_as_the_first(client, stored):
    for page in ("9" * 40, "-1", "abc", "1e9", "1"):
        client.get(reverse("need-list"), {"page": page})
    client.get(reverse("need-list"))

    assert len(set(stored)) == 1


def test_filter_combinations_past_the_cap_are_not_kept(client, stored, monkeypatch):
    monkeypatch.setattr(catalog, "CATALOG_CACHE_MAX_VARIANTS", 3)

    for budget in range(10):
        response = client.get(reverse("need-list"), {"budget_from": str(budget)})
        assert response.status_code == 200

    assert len(set(stored)) == 3


def test_a_cached_page_does_not_repeat_a_visitors_parameters(client, stored):
    client.get(reverse("need-list"), {"industry": "manufacturing", "evil": '"><script>'})

    body = client.get(reverse("need-list"), {"industry": "manufacturing"}).content.decode()

    assert "evil" not in body
    assert len(set(stored)) == 1


def test_an_invalid_filter_is_shown_with_its_error_and_not_kept(client, stored):
    response = client.get(reverse("need-list"), {"budget_from": "abc"})

    assert response.status_code == 200
    assert stored == []
    assert "budget_from" in response.content.decode()
