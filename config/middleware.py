"""Site-wide middleware."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import translation
from django.utils.log import log_response
from django.utils.translation import gettext

SUPPORTED = {code for code, _name in settings.LANGUAGES}


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
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in SUPPORTED:
            return chosen
        if request.path.startswith("/api/"):
            from_header = translation.get_language_from_request(request)
            if from_header in SUPPORTED:
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
