"""“Lower amount ≤ upper amount”, written once: model, database, page, API and import."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from matchmaking.catalog_io import CatalogImportError, import_catalog
from matchmaking.models import Need, Solution
from matchmaking.validators import AMOUNT_RANGE
from tests.factories import NeedFactory, OrganizationFactory, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_model_clean_puts_the_rule_on_the_upper_field():
    need = Need(
        organization=OrganizationFactory(), title="仓储调度", budget_min=300, budget_max=100
    )

    with pytest.raises(ValidationError) as info:
        need.full_clean()

    assert info.value.message_dict == {
        "budget_max": ["The upper amount (100) must not be below the lower amount (300)."]
    }
    assert [e.code for e in info.value.error_dict["budget_max"]] == [AMOUNT_RANGE]


def test_the_database_constraint_guards_the_same_rule_with_its_message():
    need = NeedFactory()
    solution_rule = Solution._meta.constraints[0]

    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(budget_min=300, budget_max=100)

    assert (solution_rule.violation_error_code, str(solution_rule.violation_error_message)) == (
        AMOUNT_RANGE,
        "The upper amount must not be below the lower amount.",
    )


def test_the_import_reads_the_rule_from_the_serializer_in_the_documents_words():
    document = {
        "format": "aiplus-catalog/1",
        "organizations": [
            {"key": "org-1", "name": "某企业", "kind": "enterprise", "uscc": make_uscc(7001)}
        ],
        "needs": [
            {
                "key": "need-1",
                "organization": "org-1",
                "title": "仓储机器人调度",
                "budget_min": 300,
                "budget_max": 100,
            }
        ],
    }

    with pytest.raises(CatalogImportError) as info:
        import_catalog(document)

    assert [str(e) for e in info.value.errors] == [
        "needs[need-1] budget_max: must not be below budget_min (300)"
    ]
