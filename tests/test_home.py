"""The home page shows the programme's real figures, in Chinese by default."""

import pytest

from tests.factories import OrganizationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def _figure(response, key: str) -> str:
    html = response.content.decode()
    marker = f'data-figure="{key}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_home_counts_organizations_from_the_database(client):
    OrganizationFactory.create_batch(3)
    ProviderFactory.create_batch(2)
    OrganizationFactory(kind="both")

    response = client.get("/")

    assert _figure(response, "enterprises") == "4"
    assert _figure(response, "providers") == "3"


def test_home_is_chinese_by_default_even_for_english_browsers(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "供需对接" in response.content.decode()


def test_home_switches_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"
    assert "The programme in figures" in response.content.decode()


def test_home_static_assets_are_local(client):
    html = client.get("/").content.decode()
    assert "/static/css/site.css" in html
    assert "https://" not in html.split("<body>")[0]
