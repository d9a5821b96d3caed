"""The demo programme: seed_demo loads the demo catalog through the catalog import."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Industry, Membership, Organization, User
from matchmaking import signals
from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.engine import NeedRecord, SolutionRecord, run
from matchmaking.models import Need, Solution, Status, StatusChange
from matchmaking.services.demo import (
    DEMO_CATALOG,
    DEMO_PASSWORD,
    ENTERPRISE_EMAIL,
    PROVIDER_EMAIL,
    STAFF_EMAIL,
    demo_catalog_bytes,
    seed_demo,
)

pytestmark = pytest.mark.django_db


def demo_document() -> dict:
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))


def snapshot() -> dict[str, list]:
    return {
        "organizations": sorted(Organization.objects.values_list("pk", "updated_at")),
        "needs": sorted(Need.objects.values_list("pk", "updated_at", "status")),
        "solutions": sorted(Solution.objects.values_list("pk", "updated_at", "status")),
        "users": sorted(User.objects.values_list("pk", flat=True)),
        "memberships": sorted(Membership.objects.values_list("pk", flat=True)),
        "status_changes": sorted(StatusChange.objects.values_list("pk", flat=True)),
    }


def test_demo_catalog_has_needs_in_every_industry_and_solutions_from_providers():
    document = demo_document()
    kinds = {org["key"]: org["kind"] for org in document["organizations"]}

    need_industries = Counter(need["industry"] for need in document["needs"])

    assert set(need_industries) == set(Industry.objects.values_list("code", flat=True))
    assert {kinds[need["organization"]] for need in document["needs"]} == {"enterprise"}
    assert {kinds[s["organization"]] for s in document["solutions"]} == {"provider"}


def test_demo_needs_are_wanted_after_the_day_they_are_loaded():
    file_dates = sorted(date.fromisoformat(need["deadline"]) for need in demo_document()["needs"])
    today = date(2031, 3, 1)

    loaded = json.loads(demo_catalog_bytes(today))
    dates = sorted(date.fromisoformat(need["deadline"]) for need in loaded["needs"])

    assert dates[0] > today
    # The needs keep the spacing of the file's dates.
    assert [later - dates[0] for later in dates] == [later - file_dates[0] for later in file_dates]


def test_seeded_demo_holds_no_need_whose_date_has_passed():
    seed_demo()

    assert Need.objects.filter(deadline__lte=timezone.localdate()).count() == 0
    assert Need.objects.filter(deadline__isnull=False).count() == len(demo_document()["needs"])


def test_demo_catalog_imports_cleanly_for_review():
    result = import_catalog(parse_document(demo_catalog_bytes()), status=Status.SUBMITTED)

    assert (result.counts["organizations"].created, result.counts["needs"].created) == (22, 42)
    assert result.counts["solutions"].created == 31


def test_seed_demo_loads_published_needs_and_solutions():
    created = seed_demo()

    assert created is True
    assert Need.objects.count() >= 40
    assert Solution.objects.count() >= 30
    assert set(Need.objects.values_list("status", flat=True)) == {Status.APPROVED}
    assert set(Solution.objects.values_list("status", flat=True)) == {Status.APPROVED}
    assert Need.objects.filter(published_at__isnull=True).count() == 0
    assert set(StatusChange.objects.values_list("note", flat=True)) == {"imported"}
    assert Organization.objects.filter(verified=False).count() == 0


def test_seed_demo_sends_record_published_once_per_record(run_on_commit):
    calls: list[str] = []

    def record(sender, *, record, **kwargs) -> None:
        calls.append(record.source_key)

    signals.record_published.connect(record)
    try:
        with run_on_commit():
            seed_demo()
    finally:
        signals.record_published.disconnect(record)

    assert sorted(calls) == sorted(
        [n["key"] for n in demo_document()["needs"]]
        + [s["key"] for s in demo_document()["solutions"]]
    )


def test_seed_demo_second_run_changes_nothing():
    seed_demo()
    before = snapshot()

    created = seed_demo()

    assert created is False
    assert snapshot() == before


def test_seed_demo_featured_accounts_own_their_organizations():
    seed_demo()

    owners = {
        m.user.email: m.organization.source_key
        for m in Membership.objects.select_related("user", "organization").filter(
            user__email__in=[ENTERPRISE_EMAIL, PROVIDER_EMAIL]
        )
    }

    assert owners == {ENTERPRISE_EMAIL: "org-ent-caohejing", PROVIDER_EMAIL: "org-prov-shuheng"}
    assert User.objects.get(email=ENTERPRISE_EMAIL).check_password(DEMO_PASSWORD)
    assert User.objects.get(email=STAFF_EMAIL).is_staff


def test_demo_featured_enterprise_needs_best_matched_by_featured_provider():
    document = demo_document()
    orgs = {org["key"]: i for i, org in enumerate(document["organizations"], start=1)}
    needs = [
        NeedRecord(
            id=i,
            organization_id=orgs[n["organization"]],
            title=n["title"],
            summary=n.get("summary", ""),
            description=n.get("description", ""),
            industry=n.get("industry"),
            capabilities=tuple(n.get("capabilities", ())),
            deployment=n.get("deployment"),
            data_readiness=n.get("data_readiness"),
            budget_min=n.get("budget_min"),
            budget_max=n.get("budget_max"),
        )
        for i, n in enumerate(document["needs"], start=1)
    ]
    solutions = [
        SolutionRecord(
            id=i,
            organization_id=orgs[s["organization"]],
            title=s["title"],
            summary=s.get("summary", ""),
            description=s.get("description", ""),
            industries=tuple(s.get("industries", ())),
            capabilities=tuple(s.get("capabilities", ())),
            deployment_modes=tuple(s.get("deployment_modes", ())),
            maturity=s.get("maturity"),
            price_min=s.get("price_min"),
            price_max=s.get("price_max"),
        )
        for i, s in enumerate(document["solutions"], start=1)
    ]

    result = run(needs, solutions)

    best = {
        document["needs"][n.id - 1]["key"]: document["solutions"][
            result.for_need(n.id)[0].solution_id - 1
        ]["key"]
        for n in needs
        if n.organization_id == orgs["org-ent-caohejing"]
    }
    assert best == {
        "need-caohejing-cnc-defect": "sol-shuheng-vision-qc",
        "need-caohejing-weld": "sol-shuheng-weld",
        "need-caohejing-maintenance": "sol-shuheng-maintenance",
        "need-caohejing-loading": "sol-lingxi-machine-tending",
    }


def test_seed_demo_command_prints_the_demo_accounts():
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Demo data loaded."
    assert [line.split()[:2] for line in lines if "@example.com" in line] == [
        ["staff", STAFF_EMAIL],
        ["enterprise", ENTERPRISE_EMAIL],
        ["provider", PROVIDER_EMAIL],
    ]
