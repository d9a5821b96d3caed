"""Match pages: the provider's matched needs, introductions and the inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import posted_pk
from core.acting import acting_organization
from core.errors import DomainError
from core.ratelimit import ratelimit
from matchmaking import selectors
from matchmaking.filters import MatchedNeedFilter
from matchmaking.models import Interest, Need, Solution, Status
from matchmaking.services import interests as services

PAGE_SIZE = 20


def _provider_organization(request: HttpRequest):
    organization = acting_organization(request, fit=lambda org: org.is_provider)
    if organization is None:
        raise Http404
    return organization


# The provider's last filters on the matched-needs page, as a query string.
MATCHED_NEEDS_FILTERS = "matched_needs_filters"


def _matched_needs_filters(request: HttpRequest) -> tuple[QueryDict, bool]:
    """The filters in the URL (remembered for next time), else the last ones used.

    Returns the filters (without the page number) and whether they were restored.
    """
    filters = request.GET.copy()
    filters.pop("page", None)
    if filters:
        request.session[MATCHED_NEEDS_FILTERS] = filters.urlencode()
        return filters, False
    saved = request.session.get(MATCHED_NEEDS_FILTERS)
    if saved:
        return QueryDict(saved), True
    return filters, False


@login_required
def matched_needs(request: HttpRequest) -> HttpResponse:
    """匹配需求: needs matched to any of my solutions, filterable, with the reasons.

    The filters last used come back on the next visit, with a link that clears them.
    """
    organization = _provider_organization(request)
    if "clear" in request.GET:
        request.session.pop(MATCHED_NEEDS_FILTERS, None)
        return redirect("matched-needs")
    filters, restored = _matched_needs_filters(request)
    queryset = selectors.matched_needs_for_provider(organization.pk)
    filterset = MatchedNeedFilter(
        filters or None, queryset=queryset, organization_id=organization.pk
    )
    matches = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if not filters.get("ordering"):
        matches = matches.order_by("-score", "need_id")
    context = {
        "filter": filterset,
        "filtered": bool(filters),
        "restored": restored,
        "page": Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": filters.urlencode(),
        "has_solutions": selectors.has_published_solutions(organization.pk),
    }
    return render(request, "matching/matched_needs.html", context)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect(fallback)


@login_required
@require_POST
@ratelimit("form")
def match_action(request: HttpRequest) -> HttpResponse:
    """Interested / not interested / undo on one (need, solution) pair."""
    need = get_object_or_404(Need, pk=posted_pk(request.POST.get("need")), status=Status.APPROVED)
    solution = get_object_or_404(
        Solution, pk=posted_pk(request.POST.get("solution")), status=Status.APPROVED
    )
    action = request.POST.get("action")
    try:
        if action == "interested":
            interest = services.express_interest(
                by=request.user,
                need=need,
                solution=solution,
                message=request.POST.get("message", ""),
            )
            if interest.status == Interest.Status.ACCEPTED:
                messages.success(
                    request, _("Introduction accepted: you now see each other's contact details.")
                )
            else:
                messages.success(request, _("We told the other side that you are interested."))
        elif action == "not_interested":
            services.mark_not_interested(
                by=request.user, need=need, solution=solution, reason=request.POST.get("reason", "")
            )
            messages.info(request, _("Hidden from your list. Thank you for the feedback."))
        elif action == "undo":
            services.undo_not_interested(by=request.user, need=need, solution=solution)
            messages.info(request, _("The match is back in your list."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return _back(request, "interests")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """意向: introductions of the acting organization waiting for my answer, those I
    started, and accepted ones."""
    organization = acting_organization(request)
    context = selectors.inbox(organization.pk if organization else None)
    return render(request, "matching/inbox.html", context)


@login_required
@require_POST
def interest_action(request: HttpRequest, pk: int) -> HttpResponse:
    organization = acting_organization(request)
    interest = get_object_or_404(
        selectors.interests_of([organization.pk] if organization else []), pk=pk
    )
    action = request.POST.get("action")
    try:
        if action in ("accept", "decline"):
            services.respond(by=request.user, interest=interest, accept=action == "accept")
            messages.success(
                request,
                _("Accepted: you now see each other's contact details.")
                if action == "accept"
                else _("Declined. The other side is told."),
            )
        elif action == "withdraw":
            services.withdraw(by=request.user, interest=interest)
            messages.info(request, _("Introduction withdrawn; contact details are hidden again."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return _back(request, "interests")
