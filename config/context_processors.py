"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from core.acting import acting_membership, active_memberships
from core.models import Organization


def site(request: HttpRequest) -> dict:
    """Expose the acting organization and role so navigation fits the visitor (core/acting.py)."""
    user = getattr(request, "user", None)
    membership = None
    memberships = []
    posts_needs = posts_solutions = False
    if user is not None and user.is_authenticated:
        membership = acting_membership(request)
        memberships = active_memberships(user)
        # The menus of the organizations that post needs and solutions: the acting one's,
        # or, before a choice, those of the person's enterprise and provider.
        posts_needs = acting_membership(request, fit=Organization.is_enterprise.fget) is not None
        posts_solutions = acting_membership(request, fit=Organization.is_provider.fget) is not None
    organization = membership.organization if membership else None
    return {
        "site_url": settings.SITE_URL,
        "current_membership": membership,
        "current_organization": organization,
        # The header's switcher appears for people who belong to several organizations.
        "switchable_memberships": memberships if len(memberships) > 1 else [],
        "is_enterprise": posts_needs,
        "is_provider": posts_solutions,
        "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
    }
