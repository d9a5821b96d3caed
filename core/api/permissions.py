"""Who may call the core endpoints: DRF's side of core/rules.py.

Organizations are read by all, registered by staff, edited by their owners and staff.
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from core.models import Organization


class OrganizationPermission(permissions.BasePermission):
    """Everyone reads; staff create; an organization's owners (and staff) edit it."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if view.action == "create":
            self.message = _("Organizations register through the sign-up page.")
            return rules.has_perm("core.register_organization", user)
        return user.is_authenticated

    def has_object_permission(self, request, view, obj: Organization) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = _("Only an owner of the organization can change its details.")
        return rules.has_perm("core.edit_organization", request.user, obj)
