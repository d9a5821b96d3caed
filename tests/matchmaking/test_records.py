"""The engine's records read from the database as plain values equal the model instances'."""

import pytest

from matchmaking import engine
from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.models import Need, Solution
from matchmaking.services import matching
from matchmaking.services.demo import demo_catalog_bytes
from tests.factories import NeedFactory, StaffFactory

pytestmark = pytest.mark.django_db


def need_record_of(n: Need) -> engine.NeedRecord:
    """The specification: a need's record built from its model instance."""
    return engine.NeedRecord(
        id=n.pk,
        organization_id=n.organization_id,
        title=n.title,
        summary=n.summary,
        description=n.description,
        industry=n.industry.code if n.industry_id else None,
        capabilities=()
        if n.capabilities_unsure
        else tuple(sorted(c.code for c in n.capabilities.all())),
        deployment=n.deployment or None,
        data_readiness=n.data_readiness or None,
        budget_min=n.budget_min,
        budget_max=n.budget_max,
        requires_filing=n.requires_filing,
    )


def solution_record_of(s: Solution) -> engine.SolutionRecord:
    return engine.SolutionRecord(
        id=s.pk,
        organization_id=s.organization_id,
        title=s.title,
        summary=s.summary,
        description=s.description,
        industries=tuple(sorted(i.code for i in s.industries.all())),
        capabilities=tuple(sorted(c.code for c in s.capabilities.all())),
        deployment_modes=tuple(s.deployment_modes),
        maturity=s.maturity or None,
        price_min=s.price_min,
        price_max=s.price_max,
        filing_verified=s.filing_verified,
    )


@pytest.fixture
def catalog(run_on_commit):
    with run_on_commit():
        import_catalog(parse_document(demo_catalog_bytes()), status="approved", by=StaffFactory())
    unsure = Need.objects.published().first()
    unsure.capabilities_unsure = True
    unsure.save(update_fields=["capabilities_unsure"])
    # A need without industry or capabilities, and one not published: not in the records.
    NeedFactory(industry=None, status="approved")
    NeedFactory(status="draft")


def test_need_records_equal_those_of_the_model_instances(catalog):
    published = Need.objects.published().order_by("pk")
    assert matching.need_records() == [need_record_of(n) for n in published]
    assert any(r.capabilities == () for r in matching.need_records())


def test_solution_records_equal_those_of_the_model_instances(catalog):
    published = Solution.objects.published().order_by("pk")
    records = matching.solution_records()
    assert records == [solution_record_of(s) for s in published]
    assert any(r.deployment_modes for r in records)


def test_records_of_a_given_queryset_only(catalog):
    some = Need.objects.published().order_by("pk")[:3]
    ids = [n.pk for n in some]
    assert [r.id for r in matching.need_records(Need.objects.filter(pk__in=ids))] == ids
