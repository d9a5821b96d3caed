"""Rate limits for the form submissions and API writes people (or scripts) can hammer.

`@ratelimit("form")` on a view counts its POSTs per signed-in user, or per client
address when anonymous, and answers 429 with templates/429.html past the limit named in
settings.RATELIMITS. The counts live in the Django cache (Redis in production), in
BUCKETS slices of the window: a request is let through only if the slices that overlap
the last window, its own count included, hold at most the limit. A fixed window would
let twice the limit through around its boundary; this lets none past it, in any
window, even when requests race (each counts itself before it looks).

The API has DRF's throttles: `WriteRateThrottle` (the "writes" rate, per user) and
`AnonymousRateThrottle` (the "anon" rate, for every request without credentials), both
counting per the same client address (core/identity.py).

Like that throttle, the limit fails open: when the cache cannot be reached the request
goes through and a warning is logged — Redis being down must not take the forms down.
"""

from __future__ import annotations

import ipaddress
import logging
import math
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
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.identity import client_ip

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
# Slices of a window; the limit holds over any window, give or take one slice's length.
BUCKETS = 10


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
    """Whom an anonymous request is counted for: its address (core/identity.py), or
    the /64 of an IPv6 address, within which a client picks addresses freely."""
    address = client_ip(request)
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
    return hit(f"{scope}:{_who(request)}", rate_name)


def hit(key: str, rate_name: str) -> int | None:
    """Count one event for `key` against settings.RATELIMITS[rate_name] (see the module).

    Returns None when it is within the limit, else the seconds until it would be; an
    event over the limit is not counted. Services use it directly for limits that are
    not per request (invitations per organization).
    """
    rate = parse_rate(settings.RATELIMITS.get(rate_name, ""))
    if rate is None:
        return None
    now = _now()
    width = rate.seconds / BUCKETS
    current = math.floor(now / width)
    # Every slice overlapping [now - window, now]: BUCKETS + 1 of them.
    slices = list(range(current - BUCKETS, current + 1))
    prefix = f"ratelimit:{key}:{rate.seconds}:"
    own = prefix + str(current)
    try:
        cache.add(own, 0, timeout=rate.seconds + math.ceil(width) + 1)
        try:
            cache.incr(own)
        except ValueError:  # expired between add and incr
            cache.set(own, 1, timeout=rate.seconds + math.ceil(width) + 1)
        counts = cache.get_many([prefix + str(index) for index in slices])
        total = sum(int(counts.get(prefix + str(index), 0)) for index in slices)
        if total <= rate.limit:
            return None
        cache.decr(own)
    except Exception:  # a cache outage must not turn forms into errors (logged below)
        logger.warning(
            "rate limit %s unavailable (cache error); letting the request through",
            rate_name,
            exc_info=True,
        )
        return None
    logger.info("rate limit %s reached by %s", rate_name, key)
    # Wait until enough of the oldest slices leave the window for one more event.
    excess = total - rate.limit
    for index in slices:
        excess -= int(counts.get(prefix + str(index), 0))
        if excess <= 0:
            return max(1, math.ceil((index + 1) * width + rate.seconds - now))
    return rate.seconds


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

    def get_ident(self, request) -> str:
        return client_address(request)

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


class AnonymousRateThrottle(AnonRateThrottle):
    """Every API request without credentials: the "anon" rate, per client address.
    Fails open like `WriteRateThrottle`."""

    scope = "anon"

    def get_ident(self, request) -> str:
        return client_address(request)

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 — a cache outage must not turn reads into errors
            logger.warning("anonymous throttle unavailable (cache error); allowing the request")
            return True
