"""Database side of the load test: prepare a seeded site, and count what was stored.

Run with the site's environment (DATABASE_URL of the load-test database):

    python -m loadtest.prepare plan PLAN.json [N]   # pending introductions + the plan
    python -m loadtest.prepare verify RESULTS.json  # count stored needs per marker

`plan` gives every approved match of the demo catalog (or the first N of each
enterprise) a pending introduction started by the provider's side, for the enterprises to accept, and writes what the simulated
users need: accounts, record ids, filter values, form choices. `verify` prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db.models import Count  # noqa: E402

from core.enums import Side  # noqa: E402
from core.models import Capability, Industry, Membership, Organization  # noqa: E402
from matchmaking.models import Interest, Match, Need, Solution, Status  # noqa: E402
from matchmaking.services import demo  # noqa: E402
from matchmaking.services.interests import express_interest  # noqa: E402


def owner_of(organization: Organization):
    membership = (
        Membership.objects.filter(organization=organization, role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user


def plan(path: Path, per_enterprise: int | None = None) -> dict:
    """Pending introductions on the active matches, and the plan of the simulated users."""
    created = 0
    per_organization: Counter[int] = Counter()
    matches = (
        Match.objects.active()
        .filter(need__status=Status.APPROVED, solution__status=Status.APPROVED)
        .select_related("need", "solution", "solution__organization")
        .order_by("need_id", "solution_id")
    )
    owners: dict[int, object] = {}
    for match in matches:
        if per_enterprise is not None and per_organization[match.need.organization_id] >= (
            per_enterprise
        ):
            continue
        if Interest.objects.filter(need=match.need, solution=match.solution).exists():
            continue
        per_organization[match.need.organization_id] += 1
        organization = match.solution.organization
        if organization.pk not in owners:
            owners[organization.pk] = owner_of(organization)
        express_interest(
            by=owners[organization.pk],
            need=match.need,
            solution=match.solution,
            message="load test: 希望进一步沟通",
        )
        created += 1
    enterprises = []
    organizations = Organization.objects.filter(
        pk__in=Need.objects.filter(status=Status.APPROVED).values("organization")
    ).order_by("pk")
    for organization in organizations:
        email = owner_of(organization).email
        pending = list(
            Interest.objects.filter(
                need__organization=organization,
                status=Interest.Status.PENDING,
                initiated_by_side=Side.PROVIDER,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        enterprises.append({"email": email, "interests": pending})
    # The demo enterprise of the README first.
    enterprises.sort(key=lambda account: account["email"] != demo.ENTERPRISE_EMAIL)
    result = {
        "password": demo.DEMO_PASSWORD,
        "provider": demo.PROVIDER_EMAIL,
        "enterprises": enterprises,
        "interests_created": created,
        "needs": list(
            Need.objects.filter(status=Status.APPROVED).order_by("pk").values_list("pk", flat=True)
        ),
        "solutions": list(
            Solution.objects.filter(status=Status.APPROVED)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "industry_codes": list(
            Industry.objects.filter(needs__status=Status.APPROVED)
            .distinct()
            .order_by("code")
            .values_list("code", flat=True)
        ),
        "capability_codes": list(
            Capability.objects.order_by("sort_order").values_list("code", flat=True)
        ),
        "industry_ids": list(Industry.objects.order_by("sort_order").values_list("pk", flat=True)),
        "capability_ids": list(
            Capability.objects.order_by("sort_order").values_list("pk", flat=True)
        ),
    }
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def verify(path: Path) -> dict:
    """How many needs each submitted marker produced, and the state of accepted ids."""
    results = json.loads(path.read_text(encoding="utf-8"))
    markers = results["attempted_markers"]
    stored = Counter(
        dict(
            Need.objects.filter(title__in=markers)
            .values("title")
            .annotate(n=Count("pk"))
            .values_list("title", "n")
        )
    )
    statuses = dict(
        Interest.objects.filter(pk__in=results["accepted_interests"]).values_list("pk", "status")
    )
    submitted_status = Counter(
        Need.objects.filter(title__in=markers).values_list("status", flat=True)
    )
    return {
        "markers_attempted": len(markers),
        "markers_answered_ok": len(results["submitted_markers"]),
        "stored_exactly_once": sum(1 for marker in markers if stored[marker] == 1),
        "missing": sorted(marker for marker in markers if stored[marker] == 0),
        "duplicated": sorted(marker for marker in markers if stored[marker] > 1),
        "stored_status": dict(submitted_status),
        "accepts_answered_ok": len(results["accepted_interests"]),
        "accepts_stored": sum(
            1 for status in statuses.values() if status == Interest.Status.ACCEPTED
        ),
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[0] not in ("plan", "verify"):
        sys.stderr.write(__doc__)
        return 2
    command, path = argv[0], Path(argv[1])
    if command == "plan":
        output = plan(path, int(argv[2]) if len(argv) == 3 else None)
    else:
        output = verify(path)
    if command == "plan":
        output = {
            "interests_created": output["interests_created"],
            "pending": sum(len(account["interests"]) for account in output["enterprises"]),
        }
    sys.stdout.write(json.dumps(output, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
