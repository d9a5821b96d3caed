"""Learned weights in admin: what is in use per domain, since when, how it scored; roll back."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from matchmaking.engine.config import COMPONENTS
from matchmaking.models import WeightSet
from matchmaking.services import weights as services


@admin.register(WeightSet)
class WeightSetAdmin(admin.ModelAdmin):
    list_display = [
        "domain",
        "fitted_at",
        "active",
        "adopted",
        "ndcg_current",
        "ndcg_fitted",
        "held_out",
        "weights_shown",
    ]
    list_filter = ["active", "adopted", "domain"]
    date_hierarchy = "fitted_at"
    list_select_related = ["domain"]
    readonly_fields = [
        "domain",
        "fitted_at",
        "active",
        "adopted",
        "previous",
        "weights_shown",
        "evaluation",
    ]
    fields = readonly_fields
    actions = ["roll_back"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("nDCG@10 of the weights in use"))
    def ndcg_current(self, obj: WeightSet):
        return obj.evaluation.get("ndcg_at_10_current")

    @admin.display(description=_("nDCG@10 fitted"))
    def ndcg_fitted(self, obj: WeightSet):
        return obj.evaluation.get("ndcg_at_10_fitted")

    @admin.display(description=_("held-out needs"))
    def held_out(self, obj: WeightSet):
        return obj.evaluation.get("test_queries")

    @admin.display(description=_("weights (need side / provider side)"))
    def weights_shown(self, obj: WeightSet):
        return format_html_join(
            " · ",
            "{} {} / {}",
            (
                (name, obj.need_weights.get(name, 0), obj.solution_weights.get(name, 0))
                for name in COMPONENTS
            ),
        )

    @admin.action(description=_("Roll back the selected weights in use"))
    def roll_back(self, request, queryset) -> None:
        for weight_set in queryset:
            try:
                services.roll_back_weights(by=request.user, weight_set=weight_set)
            except DomainError as error:
                self.message_user(request, f"{weight_set}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(set)s rolled back; a full re-match is queued.") % {"set": weight_set},
                    messages.SUCCESS,
                )
