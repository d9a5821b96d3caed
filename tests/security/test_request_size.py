"""Oversized request bodies are refused before they are read, per kind of endpoint.

An anonymous 400 MB POST used to be read and spooled to disk before the CSRF check
answered 403. RequestSizeLimitMiddleware (config/middleware.py) answers 413 from the
Content-Length alone, and reads a body sent without one only up to the limit. The
proxy (platform/nginx.conf) and gunicorn (platform/gunicorn.conf.py) refuse at the
same limits in front of it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse

from config.middleware import RequestSizeLimitMiddleware

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
MB = 1024 * 1024
# A path of each kind of endpoint.
PATHS = {
    "form": "/accounts/login/",
    "api": "/api/v1/auth/token/",
    "admin": "/admin/login/",
    "upload": "/my/needs/new/",
}


class UnreadableStream(io.RawIOBase):
    """A request body that must not be read: the test fails if anything tries."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readline = read


class CountingStream(io.BytesIO):
    def __init__(self, size: int) -> None:
        super().__init__(b"x" * size)
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def _passed_through(request) -> HttpResponse:
    return HttpResponse(f"passed {len(request.read())}")


def test_an_anonymous_400_mb_post_is_refused_before_it_is_read(client):
    stream = UnreadableStream()

    response = client.generic(
        "POST",
        "/accounts/signup/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(400 * MB),
        **{"wsgi.input": stream},
    )

    assert response.status_code == 413
    assert response["Connection"] == "close"


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_each_kind_of_endpoint_refuses_a_body_just_over_its_limit(client, kind):
    limit = django_settings.REQUEST_BODY_LIMITS[kind]

    response = client.generic(
        "POST",
        PATHS[kind],
        b"",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(limit + 1),
        **{"wsgi.input": UnreadableStream()},
    )

    assert response.status_code == 413


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_a_body_at_the_limit_passes_the_middleware(rf, kind):
    limit = django_settings.REQUEST_BODY_LIMITS[kind]
    request = rf.generic(
        "POST", PATHS[kind], b"", CONTENT_LENGTH=str(limit), **{"wsgi.input": CountingStream(limit)}
    )

    response = RequestSizeLimitMiddleware(_passed_through)(request)

    assert response.content == f"passed {limit}".encode()


def test_the_api_answers_413_in_json(client):
    response = client.generic(
        "POST",
        "/api/v1/interests/",
        b"",
        content_type="application/json",
        CONTENT_LENGTH=str(2 * MB),
        **{"wsgi.input": UnreadableStream()},
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_attachments_have_their_own_larger_limit(settings):
    limits = settings.REQUEST_BODY_LIMITS

    assert limits["upload"] >= settings.ATTACHMENTS_PER_SAVE * settings.ATTACHMENT_MAX_BYTES
    assert limits["upload"] > limits["admin"] > limits["api"] > limits["form"]


def test_a_streamed_body_is_read_only_up_to_the_limit(rf):
    limit = django_settings.REQUEST_BODY_LIMITS["form"]
    stream = CountingStream(50 * limit)
    request = rf.generic(
        "POST", "/accounts/login/", b"", HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": stream}
    )
    request.META.pop("CONTENT_LENGTH", None)

    response = RequestSizeLimitMiddleware(_passed_through)(request)

    assert response.status_code == 413
    assert stream.read_bytes == limit + 1


def test_a_small_streamed_body_is_handed_on_whole(rf):
    request = rf.generic(
        "POST",
        "/accounts/login/",
        b"",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": CountingStream(1000)},
    )
    request.META.pop("CONTENT_LENGTH", None)

    response = RequestSizeLimitMiddleware(_passed_through)(request)

    assert response.content == b"passed 1000"


@pytest.mark.parametrize("length", ["-1", "12abc", "1e9"])
def test_a_nonsensical_length_is_refused(client, length):
    response = client.generic(
        "POST", "/accounts/login/", b"", CONTENT_LENGTH=length, **{"wsgi.input": UnreadableStream()}
    )

    assert response.status_code == 400


def test_the_size_limit_comes_first():
    assert django_settings.MIDDLEWARE[0] == "config.middleware.RequestSizeLimitMiddleware"


# --- the shipped server configuration agrees ---------------------------------------------


def _nginx_limits() -> dict[str, int]:
    text = (ROOT / "platform" / "nginx.conf").read_text()
    units = {"k": 1024, "m": MB}
    limits = {}
    location = "/"
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("location"):
            location = line.removeprefix("location").strip(" {~")
        found = re.match(r"client_max_body_size (\d+)([km])", line)
        if found:
            limits[location] = int(found[1]) * units[found[2]]
    return limits


def test_the_proxy_refuses_at_the_apps_limits():
    limits = django_settings.REQUEST_BODY_LIMITS

    assert _nginx_limits() == {
        "/": limits["form"],
        "/api/": limits["api"],
        "/admin/": limits["admin"],
        "^/my/(needs|solutions)/": limits["upload"],
    }


def test_gunicorn_limits_the_request_line_and_headers():
    import runpy  # noqa: PLC0415

    config = runpy.run_path(str(ROOT / "platform" / "gunicorn.conf.py"))

    assert (config["limit_request_line"], config["limit_request_fields"]) == (4094, 100)
    assert config["limit_request_field_size"] == 8190
