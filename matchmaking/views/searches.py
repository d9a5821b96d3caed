"""Saved searches: save from a catalog page, rename or delete on the account page, and
unsubscribe from a digest's link without signing in."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from matchmaking.models import SavedSearch
from matchmaking.services import alerts


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return HttpResponseRedirect(target)
    return redirect(default)


def _score(raw: str) -> int:
    return int(raw) if re.fullmatch(r"[0-9]{1,3}", raw or "") else 60


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    """The catalog page's "Save this search" and the matched needs' "Follow" buttons."""
    data = request.POST
    kind = SavedSearch.Kind.MATCHES if data.get("kind") == "matches" else SavedSearch.Kind.SEARCH
    frequency = data.get("frequency")
    if frequency not in SavedSearch.Frequency.values:
        frequency = SavedSearch.Frequency.WEEKLY
    try:
        alerts.save_search(
            by=request.user,
            name=data.get("name", "") or (_("New matching needs") if kind == "matches" else ""),
            kind=kind,
            record_kind="solution" if data.get("record_kind") == "solution" else "need",
            query=data.get("q", ""),
            filters=alerts.clean_filters(data),
            frequency=frequency,
            min_score=_score(data.get("min_score", "")),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Saved. You will get an email digest when there is something new.")
        )
    return _back(request, "profile")


@login_required
@require_POST
def saved_search_action(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    try:
        if request.POST.get("action") == "delete":
            alerts.delete_search(by=request.user, saved=saved)
            messages.success(request, _("The saved search was deleted."))
        else:
            alerts.rename_search(by=request.user, saved=saved, name=request.POST.get("name", ""))
            messages.success(request, _("The saved search was renamed."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("profile")


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A digest's link: confirm, then stop the search's emails (no sign-in needed)."""
    saved = alerts.search_from_token(token)
    if request.method == "POST" and saved is not None:
        alerts.delete_search(by=None, saved=saved)
        return render(request, "account/unsubscribed.html", {"saved": None, "done": True})
    return render(request, "account/unsubscribed.html", {"saved": saved, "done": False})
