"""Demo data for `make run`: a living programme to click through, created once.

The organizations, needs and solutions come from `fixtures/demo_catalog.json` (the
catalog exchange format); this module adds the people who act for them and the
programme office's staff account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from matchmaking.models import Industry, Membership, Organization, User

DEMO_CATALOG = Path(__file__).resolve().parent.parent / "fixtures" / "demo_catalog.json"
DEMO_PASSWORD = "aiplus-demo-2026"
STAFF_EMAIL = "admin@example.com"
STAFF_PASSWORD = "aiplus-admin-2026"
ENTERPRISE_EMAIL = "enterprise@example.com"
PROVIDER_EMAIL = "provider@example.com"
# The two accounts the README and the start-up banner point to.
FEATURED = {
    "org-ent-caohejing": (ENTERPRISE_EMAIL, "王工", "zh-hans"),
    "org-prov-shuheng": (PROVIDER_EMAIL, "陈博士", "zh-hans"),
}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    organization: str


def demo_accounts() -> list[DemoAccount]:
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    names = {org["key"]: org["name"] for org in catalog["organizations"]}
    return [
        DemoAccount("staff", STAFF_EMAIL, STAFF_PASSWORD, "programme office"),
        DemoAccount("enterprise", ENTERPRISE_EMAIL, DEMO_PASSWORD, names["org-ent-caohejing"]),
        DemoAccount("provider", PROVIDER_EMAIL, DEMO_PASSWORD, names["org-prov-shuheng"]),
    ]


def is_seeded() -> bool:
    return User.objects.filter(email=STAFF_EMAIL).exists()


@transaction.atomic
def seed_demo() -> bool:
    """Create the demo programme unless it exists; returns whether anything was created."""
    if is_seeded():
        return False
    now = timezone.now()
    User.objects.create_superuser(
        email=STAFF_EMAIL, password=STAFF_PASSWORD, full_name="项目办 管理员"
    )
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    industries = {i.code: i for i in Industry.objects.all()}
    for record in catalog["organizations"]:
        org, _created = Organization.objects.update_or_create(
            source_key=record["key"],
            defaults={
                "name": record["name"],
                "name_en": record.get("name_en", ""),
                "kind": record["kind"],
                "uscc": record["uscc"],
                "industry": industries.get(record.get("industry")),
                "district": record.get("district", ""),
                "website": record.get("website", ""),
                "description": record.get("description", ""),
                "verified": True,
            },
        )
        email, name, language = FEATURED.get(
            record["key"], (f"{record['key']}@example.com", "联系人", "zh-hans")
        )
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            language=language,
            email_verified_at=now,
        )
        Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    return True
