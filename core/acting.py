"""Acting as an organization: the one organization a request acts for, pages and API alike.

A person may belong to several organizations; what is "mine" on a request — my needs
and solutions, my matches, my introductions, the organization I post for and manage —
is that of one of them, the acting organization:

1. the one chosen explicitly: an API client names it in the `X-Organization` header
   (its id); pages remember the choice made with the header's switcher in the
   session, which the API also honours when it is called with that session;
2. otherwise the person's oldest active membership — or, where a page or endpoint
   needs a certain kind of organization (one that posts needs, say), the oldest
   membership of that kind.

What a person may *open* does not depend on it: a record of any organization they
belong to stays visible to them (matchmaking/rules.py). A choice of an organization
the person does not (or no longer) belong to: the header is refused with 403, a
remembered choice is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.models import Membership, Organization, User

SESSION_KEY = "acting_organization"
HEADER = "HTTP_X_ORGANIZATION"


def active_memberships(user: User) -> list[Membership]:
    """The user's active memberships, oldest first (one query, cached on the user)."""
    if not user.is_authenticated:
        return []
    # getattr/setattr, not __dict__: request.user is a lazy proxy whose own __dict__
    # is not the user's, and the user model's properties see the real user.
    cached = getattr(user, "_active_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
            .select_related("organization", "organization__industry")
            .order_by("created_at", "pk")
        )
        user._active_memberships = cached  # noqa: SLF001 — a per-request cache on the user
    return cached


def _chosen_id(request: HttpRequest) -> tuple[str, str | None]:
    header = request.META.get(HEADER, "").strip()
    if header:
        return "header", header
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    return "session", None if chosen is None else str(chosen)


def _chosen_membership(request: HttpRequest) -> Membership | None:
    """The membership chosen explicitly (header, else session), or None if none was."""
    source, chosen = _chosen_id(request)
    if chosen is None:
        return None
    for membership in active_memberships(request.user):
        if str(membership.organization_id) == chosen:
            return membership
    if source == "header":
        raise PermissionDenied(
            _("You are not an active member of organization %(id)s.") % {"id": chosen[:20]}
        )
    request.session.pop(SESSION_KEY, None)
    return None


def acting_membership(
    request: HttpRequest, *, fit: Callable[[Organization], bool] | None = None
) -> Membership | None:
    """The membership the request acts for (see the module's docstring), or None.

    With `fit` (what the page or endpoint needs the organization to be, e.g. one that
    posts solutions), an explicit choice that does not fit gives None, and without a
    choice the oldest membership that fits is taken: a person in an enterprise and a
    provider posts needs for the one and solutions for the other until they choose.
    """
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    chosen = _chosen_membership(request)
    if chosen is not None:
        return chosen if fit is None or fit(chosen.organization) else None
    for membership in active_memberships(request.user):
        if fit is None or fit(membership.organization):
            return membership
    return None


def acting_organization(
    request: HttpRequest, *, fit: Callable[[Organization], bool] | None = None
) -> Organization | None:
    """The organization of `acting_membership`."""
    membership = acting_membership(request, fit=fit)
    return membership.organization if membership is not None else None


def choose_organization(request: HttpRequest, organization_id: str) -> Membership:
    """Remember the organization the pages act for from now on (the header's switcher).

    `organization_id` is the id as the form sent it; anything but one of the person's
    active memberships is refused.
    """
    for membership in active_memberships(request.user):
        if str(membership.organization_id) == organization_id:
            request.session[SESSION_KEY] = membership.organization_id
            return membership
    raise PermissionDenied(_("You are not an active member of this organization."))
