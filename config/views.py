"""Site-wide views: home, workspace, privacy notice, health checks."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.selectors import programme_figures


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"figures": programme_figures()})


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """The signed-in start page: what to do next, for the visitor's role."""
    return render(request, "workspace.html", {"figures": programme_figures()})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html", {"version": settings.PRIVACY_NOTICE_VERSION})


@require_GET
@never_cache
@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    """/.well-known/security.txt (RFC 9116): where to report a vulnerability
    (settings.SECURITY_CONTACT_EMAIL; docs/SECURITY.md)."""
    expires = datetime.now(UTC) + timedelta(days=365)
    lines = [
        f"Contact: mailto:{settings.SECURITY_CONTACT_EMAIL}",
        f"Expires: {expires:%Y-%m-%dT%H:%M:%S.000Z}",
        "Preferred-Languages: zh, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Deliberately touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and, when configured, the broker does too."""
    checks: dict[str, dict] = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["broker"] = _check_broker()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 — any failure means "not ready", reported as such
        connection.close_if_unusable_or_obsolete()
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_broker() -> dict:
    import redis  # noqa: PLC0415 — only needed when a broker is configured

    started = time.monotonic()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


# --- error pages: JSON under /api/, as the schema documents ----------------------------


def _api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(400, gettext("The request was invalid."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(403, gettext("You are not allowed to do this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A URL of no API route (`/api/v1/needs/0.5/`) is answered like an unknown record.
    if request.path.startswith("/api/"):
        return _api_error(404, gettext("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(500, gettext("Server error; it was logged."))
    return defaults.server_error(request)
