"""One score scale on every page: 0–100, as the chips' percentages and the filter."""

import re

import pytest
from django.urls import reverse

from matchmaking.models import Match
from matchmaking.templatetags.aiplus import score
from tests.matchmaking.test_matched_needs_filters import provider_user  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_score_filter_puts_a_match_on_the_0_to_100_scale():
    assert [score(0.7449), score(0.0), score(1.0), score(None)] == ["74", "0", "100", ""]


def test_matched_needs_show_the_score_on_the_scale_the_filter_asks_for(client, provider_user):  # noqa: F811
    client.force_login(provider_user)
    match = Match.objects.active().get()

    page = client.get(reverse("matched-needs")).content.decode()
    shown = re.findall(r'<span class="score"[^>]*>([^<]*)</span>', page)

    assert shown == [str(round(match.score * 100))]
    assert "0–100" in page  # the filter's label names the same scale
    at_least = int(match.score * 100)  # the filter takes whole points
    filtered = client.get(reverse("matched-needs"), {"min_score": at_least}).content.decode()
    assert re.findall(r'<span class="score"[^>]*>([^<]*)</span>', filtered) == shown
