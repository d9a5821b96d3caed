"""Password rules beyond Django's own validators (OWASP ASVS 4.0.3 V2.1).

Django checks the minimum length, common and all-numeric passwords and similarity to
the account's details (settings.AUTH_PASSWORD_VALIDATORS). Two more here:

- `MaximumLengthValidator`: at most PASSWORD_MAX_LENGTH (128) characters (ASVS 2.1.2),
  so that hashing a megabyte-long "password" cannot be used to load the server;
- `StrengthValidator`: zxcvbn's estimate of how many guesses the password takes, at
  least score PASSWORD_MIN_STRENGTH (3: about 10^8 guesses) — `aaaaaaaaaaaa`,
  `abcabcabcabc` or a keyboard walk are refused, whatever their length (ASVS 2.1.7
  asks for a check against weak passwords; there are no composition rules, 2.1.9).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from zxcvbn import zxcvbn

# zxcvbn refuses longer inputs (it slows down on them); a password that long is strong
# enough in its first 72 characters, or its estimate says so.
STRENGTH_CHECKED_CHARACTERS = 72


class MaximumLengthValidator:
    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length or settings.PASSWORD_MAX_LENGTH

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It may have at most %(max_length)d character.",
                    "This password is too long. It may have at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password may have at most %(max_length)d characters.") % {
            "max_length": self.max_length
        }


class StrengthValidator:
    def __init__(self, min_score: int | None = None) -> None:
        self.min_score = settings.PASSWORD_MIN_STRENGTH if min_score is None else min_score

    def validate(self, password: str, user=None) -> None:
        hints = [
            str(value)
            for value in (
                getattr(user, "email", ""),
                getattr(user, "full_name", ""),
                *str(getattr(user, "email", "")).partition("@")[::2],
            )
            if value
        ]
        result = zxcvbn(password[:STRENGTH_CHECKED_CHARACTERS], user_inputs=hints)
        if result["score"] < self.min_score:
            raise ValidationError(
                _(
                    "This password is too easy to guess: avoid repeated characters, "
                    "sequences, keyboard patterns, dates and your own name. A few "
                    "unrelated words make a strong password."
                ),
                code="password_too_weak",
            )

    def get_help_text(self) -> str:
        return _("Your password must not be easy to guess (repeats, sequences, names, dates).")
