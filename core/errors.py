"""Domain errors: raised by services, shown to users by views, forms and the API."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request the domain refuses (wrong state, not allowed, over capacity).

    The message is translated and safe to show to the user.
    """

    default_message = _("This action is not possible.")

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidTransitionError(DomainError):
    default_message = _("This change of status is not allowed.")


class NotAllowedError(DomainError):
    default_message = _("You are not allowed to do this.")
