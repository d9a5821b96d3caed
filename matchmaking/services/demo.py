"""Demo data for `make run`: a living programme to click through, created once.

The organizations, needs and solutions come from `fixtures/demo_catalog.json` (the
catalog exchange format), loaded through the catalog import as a reviewed round:
published, with the same after-publish hooks as the review workflow. This module adds
the people who act for them and the programme office's staff account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.models import Membership, Organization, User
from matchmaking import signals
from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.models import MatchingState, Status

DEMO_CATALOG = Path(__file__).resolve().parent.parent / "fixtures" / "demo_catalog.json"
DEMO_PASSWORD = "aiplus-demo-2026"
STAFF_EMAIL = "admin@example.com"
STAFF_PASSWORD = "aiplus-admin-2026"
ENTERPRISE_EMAIL = "enterprise@example.com"
PROVIDER_EMAIL = "provider@example.com"
# The earliest wanted-by date of the demo needs lies this far ahead of the day it is
# loaded; the others keep their distance to it (the file's dates are only relative).
DEMO_LEAD = timedelta(days=30)
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


def demo_catalog_bytes(today: date | None = None) -> bytes:
    """The demo catalog with its wanted-by dates moved into the future from `today`.

    The file holds fixed dates; loaded as they are, a demo loaded later would hold needs
    whose date passed (refused on the next edit, closed by the first nightly run)."""
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    needs = [need for need in catalog.get("needs", []) if need.get("deadline")]
    if needs:
        earliest = min(date.fromisoformat(need["deadline"]) for need in needs)
        shift = (today or timezone.localdate()) + DEMO_LEAD - earliest
        for need in needs:
            need["deadline"] = (date.fromisoformat(need["deadline"]) + shift).isoformat()
    return json.dumps(catalog, ensure_ascii=False).encode("utf-8")


def is_seeded() -> bool:
    return User.objects.filter(email=STAFF_EMAIL).exists()


@transaction.atomic
def seed_demo() -> bool:
    """Create the demo programme unless it exists; returns whether anything was created."""
    if is_seeded():
        return False
    now = timezone.now()
    staff = User.objects.create_superuser(
        email=STAFF_EMAIL, password=STAFF_PASSWORD, full_name="项目办 管理员"
    )
    catalog = parse_document(demo_catalog_bytes())
    import_catalog(catalog, status=Status.APPROVED, by=staff)
    keys = [record["key"] for record in catalog["organizations"]]
    organizations = Organization.objects.filter(source_key__in=keys)
    organizations.update(verified=True)
    by_key = {org.source_key: org for org in organizations}
    for key in keys:
        email, name, language = FEATURED.get(key, (f"{key}@example.com", "联系人", "zh-hans"))
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            language=language,
            email_verified_at=now,
        )
        Membership.objects.create(user=user, organization=by_key[key], role=Membership.Role.OWNER)
    return True


def ensure_matches() -> None:
    """Compute the demo's matches now if no worker did yet (a broker is configured)."""
    from matchmaking.services import matching  # noqa: PLC0415

    if MatchingState.load().active_run_id is None:
        matching.run_full_in_process(matching.start_full_run().pk)


def extend_demo() -> list:
    """Let the other apps add their part of the demo (signals.demo_catalog_ready);
    returns what they report (e.g. the shared event)."""
    staff = User.objects.get(email=STAFF_EMAIL)
    return [
        result for _receiver, result in signals.demo_catalog_ready.send(sender=None, staff=staff)
    ]
