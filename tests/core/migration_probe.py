"""Signs a demo user in to a migrated database and reports what they see, as JSON.

Run by tests/core/test_migrate_from_before_core.py in a separate process, with the
site's own settings (the demo's passwords are hashed as production hashes them) and
DATABASE_URL pointing at the migrated copy:

    python -m tests.core.migration_probe enterprise@example.com aiplus-demo-2026
"""

from __future__ import annotations

import json
import os
import sys


def main(email: str, password: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django  # noqa: PLC0415

    django.setup()
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415

    from core.models import Organization  # noqa: PLC0415
    from matchmaking.models import Need  # noqa: PLC0415

    setup_test_environment()  # the test client's host, "testserver", is allowed
    client = Client()
    login = client.post(reverse("login"), {"username": email, "password": password})
    page = client.get(reverse("my-need-list"))
    organization = Organization.objects.get(memberships__user__email=email)
    own = sorted(organization.needs.values_list("pk", flat=True))
    return {
        "login_status": login.status_code,
        "login_redirect": login.get("Location", ""),
        "my_needs_status": page.status_code,
        "own_need_ids": own,
        "listed_titles": sorted(
            title
            for title in Need.objects.filter(pk__in=own).values_list("title", flat=True)
            if title in page.content.decode()
        ),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(*sys.argv[1:3])) + "\n")
