"""Login lockout (django-axes) and password rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


def test_login_locks_account_after_five_failures_even_with_right_password(client):
    user = member_of(OrganizationFactory(), email="target@example.com")
    for _ in range(5):
        client.post(reverse("login"), {"username": user.email, "password": "wrong-password-123"})

    response = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_success_before_the_limit_resets_failures(client):
    user = member_of(OrganizationFactory(), email="ok@example.com")
    for _ in range(4):
        client.post(reverse("login"), {"username": user.email, "password": "wrong-password-123"})
    response = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("password", ["short-pw-1", "password12345", "123456789012345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_long_uncommon_password_is_accepted():
    assert validate_password("Harbour-Lantern-Blue-42") is None
