"""Choices that more than one app stores."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    """The two sides of the programme: who has a need and who offers a solution."""

    ENTERPRISE = "enterprise", _("Enterprise")
    PROVIDER = "provider", _("Provider")
