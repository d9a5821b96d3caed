"""Who is asking: the account an attempt is about, and the address it comes from.

Every guard keys on these two functions, so that they cannot disagree:

- `normalize_identity` is the account a sign-in attempt names. People type addresses in
  any case (and, on phones, with full-width letters), and login matches them without
  regard to case; the lockout (django-axes, `AXES_USERNAME_CALLABLE`) therefore counts
  failures on the normalised form, or `Enterprise@Example.com` would get fresh guesses.
- `client_ip` is the address of the client, the one the outermost of
  TRUSTED_PROXY_COUNT proxies saw and appended to X-Forwarded-For; entries further left
  are the client's own word. django-axes (`AXES_CLIENT_IP_CALLABLE`), DRF's throttles
  (`get_ident`) and the form limits (core/ratelimit.py) all use it.

`verify_password` is how a page checks a password it asks for again (password change,
account deletion): through `authenticate`, so that those failures count towards the same
lockout as the login page's.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest

# The field of the login form (and of `authenticate`'s credentials) that names the account.
USERNAME_FIELD = "username"


def normalize_identity(value: object) -> str:
    """The account an attempt names, in one canonical form: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().casefold()


def client_ip(request: HttpRequest) -> str:
    """The client's address, as the outermost trusted proxy saw it (see the module)."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Not an address (a test client, a misconfigured proxy): REMOTE_ADDR is what we have.
        return request.META.get("REMOTE_ADDR", "") or ""


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """django-axes' AXES_USERNAME_CALLABLE: the normalised account of an attempt."""
    if credentials and credentials.get(USERNAME_FIELD) is not None:
        return normalize_identity(credentials[USERNAME_FIELD])
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalize_identity(data.get(USERNAME_FIELD) or data.get("email") or "")


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE."""
    return client_ip(request)


def verify_password(request: HttpRequest, user, password: str) -> bool:
    """Whether `password` is the user's, counted by the lockout like a sign-in attempt.

    A locked account's right password is refused too, until the lockout cools off.
    """
    checked = authenticate(request, **{USERNAME_FIELD: user.get_username(), "password": password})
    return checked is not None and checked.pk == user.pk
