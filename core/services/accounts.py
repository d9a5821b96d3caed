"""Accounts and organizations: sign-up, email verification, invitations, join requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import rules
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from core import audit, tasks
from core.emails import queue_email
from core.errors import DomainError, NotAllowedError
from core.models import Consent, Industry, Invitation, Membership, Organization, User
from core.outbox import enqueue
from core.ratelimit import parse_rate

# Named before the move to core; kept so that links already emailed still verify.
VERIFY_SALT = "matchmaking.verify-email"


@dataclass(frozen=True)
class NewOrganization:
    name: str
    kind: str
    uscc: str
    industry: Industry | None = None
    district: str = ""
    website: str = ""
    description: str = ""


@transaction.atomic
def sign_up(
    *,
    email: str,
    full_name: str,
    password: str,
    language: str,
    organization: NewOrganization | None = None,
    join: Organization | None = None,
    invitation: Invitation | None = None,
    ip_address: str | None = None,
) -> User:
    """Create an account with its consent record and its place in an organization.

    Exactly one of `organization` (register a new one and own it), `join` (ask the
    owners of an existing one; pending until approved) or `invitation` (join directly
    with the invited role) says where the person belongs.
    """
    if sum(x is not None for x in (organization, join, invitation)) != 1:
        raise DomainError(_("Choose exactly one organization to register or join."))
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, language=language
    )
    Consent.objects.create(
        user=user, notice_version=settings.PRIVACY_NOTICE_VERSION, ip_address=ip_address
    )
    if organization is not None:
        org = Organization.objects.create(
            name=organization.name,
            kind=organization.kind,
            uscc=organization.uscc,
            industry=organization.industry,
            district=organization.district,
            website=organization.website,
            description=organization.description,
        )
        Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    elif invitation is not None:
        accept_invitation(user=user, invitation=invitation)
    else:
        request_to_join(user=user, organization=join)
    audit.record(user, "account.created", user)
    if organization is not None:
        audit.record(user, "organization.registered", org)
    send_verification_email(user=user)
    return user


def verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)


def send_verification_email(*, user: User) -> None:
    """Queue the email with the verification link (valid for three days)."""
    link = settings.SITE_URL + reverse("verify-email", args=[verification_token(user)])
    queue_email(
        to=user.email,
        user=user,
        template="verify_email",
        context={"link": link, "user": user},
    )


def request_password_reset(*, email: str) -> None:
    """Someone asked for a reset link for `email`: leave the look-up to the background.

    The request does the same work whether or not the address has an account — one
    outbox row — so neither its answer nor its time tells (ASVS 2.5.x, 3.x): the
    worker finds the account and sends the link (`send_password_reset`).
    """
    enqueue(tasks.send_password_reset, kwargs={"email": email})


def send_password_reset(*, email: str) -> int:
    """Email a reset link to the active accounts of `email` (any letter case) that have a
    password; returns how many. Run by the worker for `request_password_reset`."""
    users = [
        user
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password()
    ]
    for user in users:
        link = settings.SITE_URL + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        queue_email(to=user.email, user=user, template="password_reset", context={"link": link})
    return len(users)


def remember_language(*, user: User, language: str) -> None:
    """Save the language a user chose as theirs: pages after sign-in and emails use it."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)


@transaction.atomic
def verify_email(*, token: str) -> User:
    """Mark the address in a valid, unexpired token as verified."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError(_("This verification link has expired. Request a new one.")) from exc
    except signing.BadSignature as exc:
        raise DomainError(_("This verification link is not valid.")) from exc
    user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise DomainError(_("This verification link is not valid."))
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit.record(user, "account.email_verified", user)
    return user


@transaction.atomic
def update_profile(*, user: User, fields: dict[str, Any]) -> User:
    """A person changes their own name, phone or language.

    Compared with the stored account, not with `user`: a model form has already
    written its values onto the instance it was given.
    """
    stored = User.objects.select_for_update().get(pk=user.pk)
    changed = sorted(name for name, value in fields.items() if getattr(stored, name) != value)
    for name in changed:
        setattr(stored, name, fields[name])
        setattr(user, name, fields[name])
    if changed:
        stored.save(update_fields=changed)
        audit.record(user, "account.changed", stored, fields=changed)
    return user


def _require_owner(user: User, organization: Organization) -> None:
    if not rules.has_perm("core.manage_members", user, organization):
        raise NotAllowedError(_("Only an owner of the organization can do this."))


def _check_invitation_limits(by: User, organization: Organization) -> None:
    """Refuse an invitation past INVITATION_LIMITS (per organization, per inviter).

    Counted on the invitations themselves, in the transaction that holds the
    organization's row and the inviter's, so that parallel posts cannot slip past
    either limit (an owner of two organizations inviting through both at once). Kept
    in the database rather than the cache of core/ratelimit.py (which the invite view
    also passes, as a form): that one lets requests through when the cache is down,
    and this limit is what keeps the platform from mailing in bulk.
    """
    User.objects.select_for_update().values_list("pk", flat=True).get(pk=by.pk)
    now = timezone.now()
    for scope, filters in (
        ("per_organization", {"organization": organization}),
        ("per_user", {"invited_by": by}),
    ):
        rate = parse_rate(settings.INVITATION_LIMITS.get(scope, ""))
        if rate is None:
            continue
        since = now - timedelta(seconds=rate.seconds)
        if Invitation.objects.filter(created_at__gte=since, **filters).count() >= rate.limit:
            raise DomainError(_("Too many invitations were sent recently. Please try again later."))


@transaction.atomic
def invite_member(
    *, by: User, organization: Organization, email: str, role: str = Membership.Role.MEMBER
) -> Invitation:
    """Invite a colleague by email; the link lets them sign up straight into the organization.

    Limited per organization and per inviter (INVITATION_LIMITS): each invitation
    emails an address the owner chose, so the limits keep the platform from being used
    to send mail in bulk. The email's subject is fixed wording; the organization's name
    (its members' word) appears only in the body, marked as unverified until the
    programme office has checked it.
    """
    _require_owner(by, organization)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise DomainError(_("This person is already a member."))
    invitation = Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at__isnull=True
    ).first()
    if invitation is None or invitation.is_expired:
        if invitation is not None:
            invitation.delete()
        _check_invitation_limits(by, organization)
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=role, invited_by=by
        )
        audit.record(by, "invitation.send", organization, email=email, role=role)
    link = settings.SITE_URL + reverse("signup") + f"?invitation={invitation.token}"
    queue_email(
        to=email,
        template="invitation",
        language=by.language,
        context={"link": link, "organization": organization, "inviter": by, "email": email},
        key=f"invitation:{invitation.pk}",
    )
    return invitation


def open_invitation(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organization").filter(token=token).first()
        if token
        else None
    )
    return invitation if invitation is not None and invitation.is_open else None


@transaction.atomic
def accept_invitation(*, user: User, invitation: Invitation) -> Membership:
    """Join through an invitation; arriving by the emailed link proves the address."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise DomainError(_("This invitation has expired or was already used."))
    membership, _created = Membership.objects.update_or_create(
        user=user,
        organization=invitation.organization,
        defaults={"role": invitation.role, "status": Membership.Status.ACTIVE},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(user, "invitation.accepted", invitation)
    if user.email.lower() == invitation.email.lower() and user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return membership


@transaction.atomic
def request_to_join(*, user: User, organization: Organization) -> Membership:
    """Ask to join an existing organization; its owners are told and decide."""
    membership, _created = Membership.objects.get_or_create(
        user=user,
        organization=organization,
        defaults={"role": Membership.Role.MEMBER, "status": Membership.Status.PENDING},
    )
    if _created:
        audit.record(user, "membership.requested", membership)
    owners = User.objects.filter(
        memberships__organization=organization,
        memberships__role=Membership.Role.OWNER,
        memberships__status=Membership.Status.ACTIVE,
    )
    for owner in owners:
        queue_email(
            to=owner.email,
            user=owner,
            template="join_request",
            context={
                "organization": organization,
                "applicant": user,
                "link": settings.SITE_URL + reverse("organization"),
            },
            key=f"join-request:{membership.pk}:{owner.pk}",
        )
    return membership


@transaction.atomic
def decide_join_request(*, by: User, membership: Membership, approve: bool) -> None:
    """An owner approves (the person becomes a member) or declines (the request is removed)."""
    _require_owner(by, membership.organization)
    if membership.status != Membership.Status.PENDING:
        raise DomainError(_("This request was already decided."))
    if approve:
        membership.status = Membership.Status.ACTIVE
        membership.save(update_fields=["status"])
        audit.record(by, "membership.approved", membership)
    else:
        audit.record(by, "membership.declined", membership)
        membership.delete()
    queue_email(
        to=membership.user.email,
        user=membership.user,
        template="join_decision",
        context={
            "organization": membership.organization,
            "approved": approve,
            "link": settings.SITE_URL + reverse("workspace"),
        },
    )


@transaction.atomic
def remove_member(*, by: User, membership: Membership) -> None:
    """An owner removes a colleague; the last owner cannot leave the organization ownerless."""
    _require_owner(by, membership.organization)
    if membership.role == Membership.Role.OWNER:
        owners = Membership.objects.filter(
            organization=membership.organization,
            role=Membership.Role.OWNER,
            status=Membership.Status.ACTIVE,
        ).count()
        if owners <= 1:
            raise DomainError(_("An organization needs at least one owner."))
    audit.record(by, "membership.removed", membership)
    membership.delete()
