"""Capabilities suggested while a need is written: the JSON endpoint and the stored model."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from core.models import Capability
from matchmaking import engine
from matchmaking.models import MatchingState, Need
from matchmaking.services import matching, suggestions
from tests.factories import MembershipFactory, NeedFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    user = MembershipFactory(organization=OrganizationFactory()).user
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _fresh_model():
    suggestions.forget_model()
    yield
    suggestions.forget_model()


def test_endpoint_suggests_capabilities_with_reasons_in_chinese(client, author):
    response = client.post(
        reverse("need-suggestions"),
        {"title": "医生下班前还要花两个小时写病历", "summary": "出院小结也要自己写"},
    )

    assert response.status_code == 200
    best = response.json()["capabilities"][0]
    assert best["code"] == "text_generation"
    assert best["id"] == Capability.objects.get(code="text_generation").pk
    assert best["reason"].startswith("因为提到：")
    assert "写病历" in best["reason"]
    assert response.json()["industries"][0]["code"] == "healthcare"


def test_endpoint_answers_in_english(client, author):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("need-suggestions"),
        {"title": "We can't pay presenters around the clock", "description": "Our live stream"},
    )

    best = response.json()["capabilities"][0]
    assert best["code"] == "digital_human"
    assert best["reason"].startswith("because it mentions: ")


def test_empty_text_suggests_nothing(client, author):
    response = client.post(reverse("need-suggestions"), {"title": " "})

    assert response.json() == {"capabilities": [], "industries": []}


def test_endpoint_needs_a_signed_in_user_and_a_post(client):
    assert client.post(reverse("need-suggestions"), {"title": "划痕"}).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("need-suggestions")).status_code == 405


def test_the_stored_model_teaches_the_suggestions():
    # A word no cue knows, learnt from the catalog's solutions of one capability.
    solutions = [
        engine.SolutionRecord(
            id=i,
            organization_id=i,
            title=f"氪晶读数方案{i}",
            summary="氪晶读数自动完成",
            capabilities=("computer_vision",),
        )
        for i in (1, 2)
    ] + [
        engine.SolutionRecord(
            id=3, organization_id=3, title="合同审查", summary="条款比对", capabilities=("agent",)
        )
    ]
    model = engine.fit([], solutions)
    assert suggestions.suggest("我们需要氪晶读数").capabilities == ()

    MatchingState.objects.update_or_create(pk=1, defaults={"model_blob": model.to_bytes()})
    suggestions.forget_model()
    learnt = suggestions.suggest("我们需要氪晶读数").capabilities

    assert learnt[0].code == "computer_vision"
    assert learnt[0].words == ()


def test_a_not_sure_need_is_matched_on_its_text_not_on_its_ticks():
    unsure = NeedFactory(capabilities=["agent"], capabilities_unsure=True)
    sure = NeedFactory(capabilities=["agent"])

    records = {r.id: r for r in matching.need_records(Need.objects.all())}

    assert records[unsure.pk].capabilities == ()
    assert records[sure.pk].capabilities == ("agent",)
