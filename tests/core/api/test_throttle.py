"""The API's write throttle: it limits writes, and it never turns a cache outage into a 500."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.settings import api_settings

from matchmaking.models import Need

pytestmark = pytest.mark.django_db

DRAFT = {"title": "设备预测性维护"}


def test_writes_past_the_rate_answer_429(client_for, member_a, monkeypatch):
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "writes", "2/minute")
    client = client_for(member_a)

    codes = [client.post(reverse("api:need-list"), DRAFT).status_code for _ in range(3)]

    assert codes == [201, 201, 429]
    assert Need.objects.count() == 2
    assert client.get(reverse("api:need-list")).status_code == 200  # reads are not throttled


# Nothing listens on port 1: every cache call fails at once, as with Redis down.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_writes_go_through_when_the_cache_is_down(client_for, member_a, caplog):
    client = client_for(member_a)

    # Restored inside the test: the module's fixtures clear the cache when it ends.
    with (
        override_settings(CACHES=UNREACHABLE_CACHE),
        caplog.at_level(logging.WARNING, logger="core.ratelimit"),
    ):
        response = client.post(reverse("api:need-list"), DRAFT)

    assert response.status_code == 201
    assert Need.objects.filter(title=DRAFT["title"]).count() == 1
    assert "write throttle unavailable (cache error); allowing the request" in [
        record.getMessage() for record in caplog.records
    ]
