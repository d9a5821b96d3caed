"""Who may call which REST endpoint (matchmaking.api): DRF's side of matchmaking/rules.py.

Reading is filtered by the viewsets' querysets (a record the caller may not see is a
404); these classes decide the writes that are not about one record — posting a new
need or solution.
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from matchmaking.rules import NEED, SOLUTION


class CanPostRecord(permissions.BasePermission):
    """Posting a need takes an enterprise membership, a solution a provider membership (or staff).

    The viewset names its record kind in `record_kind`.
    """

    messages = {
        NEED: _("Only members of an enterprise can post scenario needs."),
        SOLUTION: _("Only members of an AI solution provider can post solutions."),
    }

    def has_permission(self, request, view) -> bool:
        if view.action != "create":
            return True
        user = request.user
        if not user.is_authenticated:
            return False
        if rules.has_perm(f"matchmaking.post_{view.record_kind}", user):
            return True
        self.message = self.messages[view.record_kind]
        return False
