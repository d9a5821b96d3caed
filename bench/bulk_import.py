"""A generated solicitation round as a catalog document (aiplus-catalog/1), and its cleanup.

`round_document(needs, solutions, seed)` turns the engine's seeded synthetic records
(`matchmaking.engine.synthetic`) into the file the programme office imports: one
organization per synthetic organization, every need and solution complete enough to
be reviewed (a record the generator leaves without industry or maturity gets one), and
all keys prefixed with `KEY_PREFIX` so that `remove_round` finds exactly what it wrote.
"""

from __future__ import annotations

from typing import Any

from core.validators import USCC_ALPHABET, uscc_check_character
from matchmaking.engine.config import INDUSTRIES, MATURITIES
from matchmaking.engine.synthetic import generate_needs, generate_solutions

FORMAT = "aiplus-catalog/1"
KEY_PREFIX = "bench-round-"


def _uscc(n: int) -> str:
    serial, value = "", n
    for _ in range(9):
        serial = USCC_ALPHABET[value % 31] + serial
        value //= 31
    first17 = "91310104" + serial
    return first17 + uscc_check_character(first17)


def _contact(kind: str, n: int) -> dict[str, str]:
    return {
        "name": f"联系人{n}",
        "phone": f"138-{n // 10000 % 10000:04d}-{n % 10000:04d}",
        "email": f"{kind}{n}@example.com",
    }


def round_document(needs: int, solutions: int, seed: int = 0) -> dict[str, Any]:
    """The catalog document of a round of `needs` × `solutions` generated records."""
    need_records = generate_needs(needs, seed)
    solution_records = generate_solutions(solutions, seed)
    enterprises = sorted({n.organization_id for n in need_records})
    providers = sorted({s.organization_id for s in solution_records} - set(enterprises))
    both = {s.organization_id for s in solution_records} & set(enterprises)
    organizations = [
        {
            "key": f"{KEY_PREFIX}org-{org}",
            "name": f"基准测试机构 {org}",
            "kind": "both" if org in both else kind,
            "uscc": _uscc(org),
            "industry": INDUSTRIES[org % len(INDUSTRIES)],
        }
        for kind, orgs in (("enterprise", enterprises), ("provider", providers))
        for org in orgs
    ]
    document: dict[str, Any] = {"format": FORMAT, "organizations": organizations}
    document["needs"] = [
        {
            "key": f"{KEY_PREFIX}need-{n.id}",
            "organization": f"{KEY_PREFIX}org-{n.organization_id}",
            "title": n.title,
            "summary": n.summary,
            "description": n.description,
            "industry": n.industry or INDUSTRIES[n.id % len(INDUSTRIES)],
            "capabilities": list(n.capabilities),
            **({"deployment": n.deployment} if n.deployment else {}),
            **({"data_readiness": n.data_readiness} if n.data_readiness else {}),
            **({"budget_min": n.budget_min, "budget_max": n.budget_max} if n.budget_min else {}),
            "contact": _contact("need", n.id),
        }
        for n in need_records
    ]
    document["solutions"] = [
        {
            "key": f"{KEY_PREFIX}sol-{s.id}",
            "organization": f"{KEY_PREFIX}org-{s.organization_id}",
            "title": s.title,
            "summary": s.summary,
            "description": s.description,
            "industries": list(s.industries) or [INDUSTRIES[s.id % len(INDUSTRIES)]],
            "capabilities": list(s.capabilities),
            "deployment_modes": list(s.deployment_modes),
            "maturity": s.maturity or MATURITIES[s.id % len(MATURITIES)],
            **({"price_min": s.price_min, "price_max": s.price_max} if s.price_min else {}),
            "contact": _contact("sol", s.id),
        }
        for s in solution_records
    ]
    return document


def seed_published_round(needs: int, solutions: int, seed: int = 0) -> int:
    """Write a generated round straight into the tables, published (for matching benchmarks).

    Bulk inserts, no import checks: the round of `round_document`, as the import would
    leave it with `--status approved`. Returns how many needs and solutions it wrote.
    """
    # Imported here: the module's document half needs no database.
    from django.db import transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from core.models import Capability, Industry, Organization  # noqa: PLC0415
    from matchmaking.models import Need, Solution, Status  # noqa: PLC0415

    document = round_document(needs, solutions, seed)
    industries = dict(Industry.objects.values_list("code", "pk"))
    capabilities = dict(Capability.objects.values_list("code", "pk"))
    now = timezone.now()
    with transaction.atomic():
        orgs = Organization.objects.bulk_create(
            Organization(
                source_key=o["key"],
                name=o["name"],
                kind=o["kind"],
                uscc=o["uscc"],
                industry_id=industries[o["industry"]],
            )
            for o in document["organizations"]
        )
        org_ids = {o.source_key: o.pk for o in orgs}
        common = {"status": Status.APPROVED, "submitted_at": now, "published_at": now}
        need_rows = Need.objects.bulk_create(
            Need(
                source_key=n["key"],
                organization_id=org_ids[n["organization"]],
                title=n["title"],
                summary=n["summary"],
                description=n["description"],
                industry_id=industries[n["industry"]],
                deployment=n.get("deployment", ""),
                data_readiness=n.get("data_readiness", ""),
                budget_min=n.get("budget_min"),
                budget_max=n.get("budget_max"),
                contact_name=n["contact"]["name"],
                contact_phone=n["contact"]["phone"],
                contact_email=n["contact"]["email"],
                **common,
            )
            for n in document["needs"]
        )
        Need.capabilities.through.objects.bulk_create(
            Need.capabilities.through(need_id=row.pk, capability_id=capabilities[code])
            for row, n in zip(need_rows, document["needs"], strict=True)
            for code in n["capabilities"]
        )
        solution_rows = Solution.objects.bulk_create(
            Solution(
                source_key=s["key"],
                organization_id=org_ids[s["organization"]],
                title=s["title"],
                summary=s["summary"],
                description=s["description"],
                maturity=s["maturity"],
                price_min=s.get("price_min"),
                price_max=s.get("price_max"),
                contact_name=s["contact"]["name"],
                contact_phone=s["contact"]["phone"],
                contact_email=s["contact"]["email"],
                **{
                    attr: mode in s["deployment_modes"]
                    for mode, attr in Solution.DEPLOYMENT_FIELDS.items()
                },
                **common,
            )
            for s in document["solutions"]
        )
        for name, lookup in (("industries", industries), ("capabilities", capabilities)):
            through = getattr(Solution, name).through
            field = "industry_id" if name == "industries" else "capability_id"
            through.objects.bulk_create(
                through(solution_id=row.pk, **{field: lookup[code]})
                for row, s in zip(solution_rows, document["solutions"], strict=True)
                for code in s[name]
            )
    return len(need_rows) + len(solution_rows)
