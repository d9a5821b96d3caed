"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Expose the current organization and role so navigation fits the visitor."""
    user = getattr(request, "user", None)
    membership = None
    if user is not None and user.is_authenticated:
        membership = user.primary_membership
    organization = membership.organization if membership else None
    return {
        "site_url": settings.SITE_URL,
        "current_membership": membership,
        "current_organization": organization,
        "is_enterprise": bool(organization and organization.is_enterprise),
        "is_provider": bool(organization and organization.is_provider),
        "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
    }
