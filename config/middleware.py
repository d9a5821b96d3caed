"""Site-wide middleware."""

import io
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response
from django.utils.translation import gettext

from config.forms import MAX_DB_INTEGER


class LanguageMiddleware:
    """Chinese unless the visitor chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show
    English to many office PCs with an English browser. The programme's users expect
    Chinese first, so pages use the language chosen with the switch (a cookie, also set
    from the user's saved preference at login), then LANGUAGE_CODE. API clients
    (`/api/`) may ask for English with Accept-Language, as machine clients usually do.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    @staticmethod
    def _choose(request: HttpRequest) -> str:
        # The settings are read per request, so that a test can change them.
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in supported:
            return chosen
        if request.path.startswith("/api/"):
            from_header = translation.get_language_from_request(request)
            if from_header in supported:
                return from_header
        return settings.LANGUAGE_CODE


class RejectNullCharactersMiddleware:
    """Answer 400 to a request with a NUL character in its path, query or form fields.

    No text the site takes may contain NUL, and PostgreSQL refuses it in any string
    (a query with one fails as a server error): a token in a URL, a search term or a
    message would otherwise turn hostile input into a 500. Forms already refuse NUL
    in their fields; this covers the values views read directly. Uploaded files'
    contents are not looked at. The API (`/api/`) answers with its JSON error body, as
    its schema documents (config/api_schema.py); pages get the 400 page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or self._has_null(request.GET):
            return self._refuse(request, "NUL character in the URL")
        if request.method == "POST" and self._has_null(request.POST):
            return self._refuse(request, "NUL character in a form field")
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
        if not request.path.startswith("/api/"):
            raise BadRequest(reason)
        response = JsonResponse(
            {"detail": gettext("The request contains a NUL character, which is not allowed.")},
            status=400,
        )
        log_response(f"{reason}: %s", request.path, response=response, request=request)
        return response

    @staticmethod
    def _has_null(data: QueryDict) -> bool:
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in data.lists()
        )


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than its kind of endpoint allows, before reading it.

    The first middleware: nothing has touched the body yet. A Content-Length above the
    limit (settings.REQUEST_BODY_LIMITS, the kind chosen by REQUEST_BODY_KINDS from
    the path) is answered 413 at once, without reading a byte, whoever sends it —
    before the CSRF check, the session or the login. A body sent without a length
    (chunked) is read up to the limit and refused past it; within it, it is handed on
    with its length, as if it had been sent with one. The web server and the proxy
    in front refuse oversized requests first (platform/gunicorn.conf.py,
    platform/nginx.conf); this holds wherever the app runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.kinds = [(re.compile(pattern), kind) for pattern, kind in settings.REQUEST_BODY_KINDS]

    def limit_for(self, path: str) -> int:
        kind = next((kind for pattern, kind in self.kinds if pattern.search(path)), "form")
        return settings.REQUEST_BODY_LIMITS[kind]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = self.limit_for(request.path)
        length = request.META.get("CONTENT_LENGTH") or ""
        if length:
            if not (length.isascii() and length.isdigit()):
                return self._refuse(request, 400, limit)
            if int(length) > limit:
                return self._refuse(request, 413, limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            stream = request.META.get("wsgi.input")
            body = stream.read(limit + 1) if stream is not None else b""
            if len(body) > limit:
                return self._refuse(request, 413, limit)
            request.META["CONTENT_LENGTH"] = str(len(body))
            # Django reads a body by its length; a chunked one would be taken as empty.
            request._stream = LimitedStream(io.BytesIO(body), len(body))  # noqa: SLF001
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, limit: int) -> HttpResponse:
        megabytes = round(limit / 1_048_576, 1)
        if status == 413:
            message = gettext("The request is too large: at most %(size)s MB may be sent here.") % {
                "size": megabytes
            }
        else:
            message = gettext("The request's length is not valid.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=status)
        else:
            response = HttpResponse(
                render_to_string("413.html", {"message": message}, request=request), status=status
            )
        # The unread body must not be taken for the next request on this connection.
        response["Connection"] = "close"
        log_response(
            "Request body refused (limit %s bytes): %s",
            limit,
            request.path,
            response=response,
            request=request,
        )
        return response


class IntegerRangeMiddleware:
    """Answer 400 to a URL whose integer part no database column can hold.

    `/needs/<int:pk>/` matches any run of digits, and the API's `{id}` any text; an id
    of 25 digits is no id at all. Refused here for every view, before it queries
    (SQLite's driver cannot even take such a number: core/lookups.py). The API
    answers with its JSON error body; pages get the 400 page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if any(self._out_of_range(value) for value in (*view_args, *view_kwargs.values())):
            if not request.path.startswith("/api/"):
                raise BadRequest("integer path parameter out of range")
            response = JsonResponse(
                {"detail": gettext("This number is too large to name a record.")}, status=400
            )
            log_response("Path parameter out of range: %s", request.path, response=response)
            return response
        return None

    @staticmethod
    def _out_of_range(value) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, str):
            digits = value.removeprefix("-")
            if not (digits.isascii() and digits.isdigit()):
                return False
            value = int(value)
        return isinstance(value, int) and abs(value) > MAX_DB_INTEGER


class PrivateResponsesMiddleware:
    """Keep what a signed-in person is shown out of browser and proxy caches (ASVS 8.2.1).

    Their pages hold contact details, other organizations' records and API tokens; a
    shared office PC's back button or a caching proxy must not show them to the next
    person. An answer that chose its own caching (Cache-Control set) is left alone;
    public pages to anonymous visitors stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
