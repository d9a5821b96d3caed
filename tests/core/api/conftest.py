"""core's endpoints are tested with the actors and clients of the API tests."""

from tests.api.conftest import (  # noqa: F401 — fixtures, requested by name
    _fresh_throttle_history,
    actor,
    client_for,
    member_a,
    member_b,
    org_a,
    org_b,
    provider_member,
    provider_org,
    staff,
)
