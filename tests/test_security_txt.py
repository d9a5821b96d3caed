"""/.well-known/security.txt tells a finder where to report (RFC 9116, docs/SECURITY.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_security_txt_names_the_configured_contact(client, settings):
    settings.SECURITY_CONTACT_EMAIL = "psirt@aiplus.example.org"

    response = client.get(reverse("security-txt"))

    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert fields["Contact"] == "mailto:psirt@aiplus.example.org"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
    assert expires > datetime.now(UTC)
    assert fields["Canonical"] == f"{settings.SITE_URL}/.well-known/security.txt"
