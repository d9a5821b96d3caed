"""Rate limits for the form submissions and API writes people (or scripts) can hammer.

`@ratelimit("form")` on a view counts its POSTs per signed-in user, or per client
address when anonymous, in fixed windows kept in the Django cache (Redis in
production), and answers 429 with templates/429.html past the limit named in
settings.RATELIMITS. The API's writes have their own throttle (`WriteRateThrottle`,
DRF's throttling with the "writes" rate of REST_FRAMEWORK's settings).

Like that throttle, the limit fails open: when the cache cannot be reached the request
goes through and a warning is logged — Redis being down must not take the forms down.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """ "30/minute" (or 30/m, 10/hour, 5/s, 100/day) as a Rate; None for "" (no limit)."""
    if not text:
        return None
    count, _slash, period = text.partition("/")
    return Rate(int(count), PERIODS[period.strip()[0].lower()])


def client_address(request: HttpRequest) -> str:
    """Who an anonymous request comes from: its address, or that of its /64 for IPv6.

    Behind RATELIMIT_PROXY_COUNT proxies, the address the outermost one saw is the
    one it appended to X-Forwarded-For; entries further left are the client's word.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.RATELIMIT_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [entry.strip() for entry in forwarded if entry.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"


def _now() -> float:
    return time.time()


def check(request: HttpRequest, scope: str, rate_name: str) -> int | None:
    """Count one request; the seconds to wait if it is over the limit, else None."""
    rate = parse_rate(settings.RATELIMITS.get(rate_name, ""))
    if rate is None:
        return None
    now = _now()
    window = int(now // rate.seconds)
    key = f"ratelimit:{scope}:{_who(request)}:{rate.seconds}:{window}"
    try:
        cache.add(key, 0, timeout=rate.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rate.seconds + 1)
            count = 1
    except Exception:  # a cache outage must not turn forms into errors (logged below)
        logger.warning(
            "rate limit %s unavailable (cache error); letting the request through",
            rate_name,
            exc_info=True,
        )
        return None
    if count <= rate.limit:
        return None
    logger.info("rate limit %s reached on %s by %s", rate_name, scope, _who(request))
    return max(1, int((window + 1) * rate.seconds - now))


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(rate_name: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Limit a view's requests (POSTs by default) to settings.RATELIMITS[rate_name].

    Each view has its own count. On a class-based view, decorate `dispatch` with
    `method_decorator`.
    """

    def decorator(view: Callable) -> Callable:
        scope = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                retry_after = check(request, scope, rate_name)
                if retry_after is not None:
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        limited.ratelimit = rate_name
        return limited

    return decorator


class WriteRateThrottle(UserRateThrottle):
    """The API's writes: the "writes" rate of the settings, per user (per address when
    anonymous); reads are never limited. Fails open like `ratelimit`."""

    scope = "writes"
    # Read by the schema (config/api_schema.py): reads are never answered 429.
    writes_only = True

    def get_rate(self) -> str | None:
        # Looked up per request (DRF reads it once, at import), so it follows the settings.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 — a cache outage must not turn writes into errors
            # The counts live in the cache (Redis when configured). Without it the
            # write is let through: an outage of Redis must not stop the platform,
            # and the login lockout and services keep their own guards.
            logger.warning("write throttle unavailable (cache error); allowing the request")
            return True
