"""Weight sets learned from outcomes (engine.learning), one active per industry domain."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Industry


class WeightSet(models.Model):
    """The component weights fitted for one domain by one `fit_weights` run.

    Every fit is kept with its evaluation (nDCG@10 of the current and the fitted weights
    on held-out needs); the ones that beat the current weights become active, and
    remember the set they replaced, so that the office can roll back.
    """

    domain = models.ForeignKey(
        Industry, on_delete=models.PROTECT, related_name="+", verbose_name=_("domain")
    )
    need_weights = models.JSONField(_("weights on the need's side"))
    solution_weights = models.JSONField(_("weights on the provider's side"))
    fitted_at = models.DateTimeField(_("fitted at"), auto_now_add=True)
    evaluation = models.JSONField(_("evaluation"), default=dict)
    adopted = models.BooleanField(_("better than the weights in use"), default=False)
    active = models.BooleanField(_("in use"), default=False)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced"),
    )

    class Meta:
        verbose_name = _("learned weight set")
        verbose_name_plural = _("learned weight sets")
        ordering = ["-fitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=Q(active=True), name="weightset_one_active_per_domain"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain} · {self.fitted_at:%Y-%m-%d %H:%M}"
