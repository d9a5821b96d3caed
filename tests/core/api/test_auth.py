"""Token authentication and the throttling of writes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from matchmaking.models import Status
from tests.factories import DEFAULT_PASSWORD, NeedFactory

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_email_and_password(member_a):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(
        reverse("api:auth-token-list"), {"email": "A@Example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=member_a).key}


def test_token_request_with_wrong_password_is_400(member_a):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(
        reverse("api:auth-token-list"), {"email": member_a.email, "password": "not-the-password"}
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The email or password is not correct."]}
    assert Token.objects.count() == 0


def test_token_authenticates_reads_and_writes(member_a, org_a):
    draft = NeedFactory(organization=org_a, status=Status.DRAFT, published_at=None)
    key = Token.objects.create(user=member_a).key
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    read = client.get(reverse("api:need-detail", args=[draft.pk]))
    write = client.post(reverse("api:need-list"), {"title": "能耗预测与优化"}, format="json")

    assert (read.status_code, write.status_code) == (200, 201)


def test_unknown_token_is_refused(org_a):
    client = APIClient(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get(reverse("api:need-list"))

    assert response.status_code == 403


def test_session_login_authenticates_too(client, member_a, org_a):
    draft = NeedFactory(organization=org_a, status=Status.DRAFT, published_at=None)
    client.force_login(member_a)

    response = client.get(reverse("api:need-detail", args=[draft.pk]))

    assert response.status_code == 200


def test_session_write_without_csrf_token_is_refused(member_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member_a)

    response = client.post(reverse("api:need-list"), {"title": "能耗预测与优化"}, format="json")

    assert response.status_code == 403


def _with_write_rate(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "writes": rate,
        },
    }


def test_writes_beyond_the_rate_are_429(settings, client_for, member_a):
    _with_write_rate(settings, "2/minute")
    client = client_for(member_a)

    codes = [
        client.post(reverse("api:need-list"), {"title": f"第{n}个需求"}).status_code
        for n in range(3)
    ]

    assert codes == [201, 201, 429]


def test_reads_are_not_throttled_by_the_write_rate(settings, client_for, member_a):
    _with_write_rate(settings, "1/minute")
    client = client_for(member_a)

    codes = [client.get(reverse("api:need-list")).status_code for _ in range(3)]

    assert codes == [200, 200, 200]


def test_write_rate_counts_per_user(settings, client_for, member_a, member_b):
    _with_write_rate(settings, "1/minute")
    client_for(member_a).post(reverse("api:need-list"), {"title": "甲的需求标题"})

    response = client_for(member_b).post(reverse("api:need-list"), {"title": "乙的需求标题"})

    assert response.status_code == 201


def test_token_requests_are_throttled_as_writes(settings, member_a):
    _with_write_rate(settings, "2/minute")
    client = APIClient()
    credentials = {"email": member_a.email, "password": "wrong-password-123"}

    codes = [client.post(reverse("api:auth-token-list"), credentials).status_code for _ in range(3)]

    assert codes == [400, 400, 429]
