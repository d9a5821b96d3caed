"""Who may call the core endpoints: organizations are read by all, edited by their owners."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from core.models import Membership, Organization, User
from core.selectors import is_member


def is_owner(user: User, organization: Organization) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user=user,
            organization=organization,
            role=Membership.Role.OWNER,
            status=Membership.Status.ACTIVE,
        ).exists()
    )


def is_organization_insider(user: User, organization: Organization) -> bool:
    """Members of the organization and staff: they see its private fields (the USCC)."""
    return user.is_authenticated and (user.is_staff or is_member(user, organization.pk))


class OrganizationPermission(permissions.BasePermission):
    """Everyone reads; staff create; an organization's owners (and staff) edit it."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if view.action == "create":
            self.message = _("Organizations register through the sign-up page.")
            return user.is_authenticated and user.is_staff
        return user.is_authenticated

    def has_object_permission(self, request, view, obj: Organization) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = _("Only an owner of the organization can change its details.")
        return request.user.is_staff or is_owner(request.user, obj)
