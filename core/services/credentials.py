"""API tokens: issued on request, listed and revoked by their owner, revoked with trust.

A token (DRF's `authtoken`, sent as `Authorization: Token <key>`) stands for the person
until it is revoked. It is revoked — with an audit entry saying why — when the
password is changed or reset, when the account is deactivated, and when the person's
last active membership ends (OWASP ASVS 4.0.3 3.3.1/3.3.3: credentials issued under
the old password or an ended role must not keep working). Sessions need no such
step: Django ends the other sessions of a changed password (the session carries a
hash of it), and an inactive account's sessions no longer authenticate.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from core import audit
from core.models import Membership, User

# Why a token was revoked (the audit entry's `reason`).
PASSWORD_CHANGED = "password_changed"  # noqa: S105 — a reason, not a password
DEACTIVATED = "deactivated"
LAST_MEMBERSHIP_ENDED = "last_membership_ended"
BY_OWNER = "revoked_by_owner"


def tokens_of(user: User) -> QuerySet[Token]:
    """The API tokens a person holds (at most one with DRF's token model)."""
    return Token.objects.filter(user=user).order_by("-created")


@transaction.atomic
def issue_api_token(*, user: User) -> Token:
    """The person's API token, created (and recorded) if they hold none."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit.record(user, "api_token.issue", user)
    return token


@transaction.atomic
def revoke_api_tokens(*, user: User, by: User | None, reason: str) -> int:
    """Revoke every API token of `user`; how many there were. Recorded when any was."""
    revoked, _by_model = Token.objects.filter(user_id=user.pk).delete()
    if revoked:
        audit.record(by, "api_token.revoke", user, reason=reason, count=revoked)
    return revoked


@transaction.atomic
def revoke_own_api_token(*, user: User, key: str) -> bool:
    """The owner revokes one of their tokens (the account page); False if it is not theirs."""
    token = Token.objects.select_for_update().filter(user=user, key=key).first()
    if token is None:
        return False
    token.delete()
    audit.record(user, "api_token.revoke", user, reason=BY_OWNER, count=1)
    return True


def on_membership_ended(*, user_id: int) -> None:
    """A membership ended: with no active one left, the person's tokens stop working."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    if not Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).exists():
        revoke_api_tokens(user=user, by=None, reason=LAST_MEMBERSHIP_ENDED)


def on_credentials_changed(sender, *, user: User, reason: str, **kwargs) -> None:
    """Receiver of core.signals.credentials_changed: the old trust's tokens go."""
    revoke_api_tokens(user=user, by=None, reason=reason)


def on_membership_deleted(sender, *, instance: Membership, **kwargs) -> None:
    """Receiver of Membership's post_delete (an owner, staff, or a cascade removed it)."""
    on_membership_ended(user_id=instance.user_id)
