"""Member invitations are limited per organization and per inviter; their wording is safe."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEntry, Invitation, OutgoingEmail
from core.services import accounts
from tests.factories import MembershipFactory, OrganizationFactory, member_of
from tests.helpers import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "form": ""}
    settings.INVITATION_LIMITS = {"per_organization": "5/day", "per_user": "3/hour"}
    return member_of(OrganizationFactory(name='=HYPERLINK("http://x") 紧急通知'))


def test_sixty_quick_invitations_send_only_as_many_emails_as_the_limit(client, owner):
    client.force_login(owner)

    for n in range(60):
        client.post(
            reverse("organization-invite"), {"email": f"target{n}@example.com", "role": "member"}
        )

    assert Invitation.objects.count() == 3
    assert OutgoingEmail.objects.filter(kind="invitation").count() == 3
    assert AuditEntry.objects.filter(action="invitation.send").count() == 3


def test_the_limit_per_organization_counts_every_owner(owner):
    organization = owner.primary_membership.organization
    second = MembershipFactory(organization=organization).user
    for n in range(3):
        accounts.invite_member(by=owner, organization=organization, email=f"a{n}@example.com")
    for n in range(2):
        accounts.invite_member(by=second, organization=organization, email=f"b{n}@example.com")

    with pytest.raises(accounts.DomainError):
        accounts.invite_member(by=second, organization=organization, email="c@example.com")

    assert Invitation.objects.count() == 5


def test_inviting_again_the_same_address_sends_no_second_email(owner):
    organization = owner.primary_membership.organization
    for _ in range(10):
        accounts.invite_member(by=owner, organization=organization, email="same@example.com")

    assert OutgoingEmail.objects.filter(kind="invitation").count() == 1


def test_the_subject_is_fixed_and_the_body_says_the_name_is_unverified(owner):
    organization = owner.primary_membership.organization
    owner.language = "en"  # the email is in the inviter's language

    accounts.invite_member(by=owner, organization=organization, email="new@example.com")

    email = OutgoingEmail.objects.get(kind="invitation")
    assert email.subject == "[AI+] An invitation to the AI+ Supply–Demand Platform"
    assert organization.name not in email.subject
    assert owner.email in email.body_text
    assert "has not verified it yet" in email.body_text
    assert "This invitation is for new@example.com only" in email.body_text


def test_a_forwarded_invitation_signs_up_only_the_invited_address(client, owner):
    organization = owner.primary_membership.organization
    invitation = accounts.invite_member(
        by=owner, organization=organization, email="invited@example.com"
    )
    password = "Violet-Lantern-Harbour-58"

    client.post(
        reverse("signup") + f"?invitation={invitation.token}",
        {
            "invitation": invitation.token,
            "email": "someone.else@example.com",
            "full_name": "转发收件人",
            "password1": password,
            "password2": password,
            "consent": "on",
        },
    )

    members = set(organization.memberships.values_list("user__email", flat=True))
    assert members == {owner.email, "invited@example.com"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_invitations_through_two_organizations_keep_the_per_person_limit(settings):
    settings.INVITATION_LIMITS = {"per_organization": "", "per_user": "3/hour"}
    owner = member_of(OrganizationFactory())
    second = MembershipFactory(user=owner).organization
    organizations = [owner.primary_membership.organization, second] * 4

    errors = run_together(
        [
            lambda n=n, org=org: accounts.invite_member(
                by=owner, organization=org, email=f"p{n}@example.com"
            )
            for n, org in enumerate(organizations)
        ],
        expected=(accounts.DomainError,),
        timeout=60,
    )

    assert errors == []
    assert Invitation.objects.filter(invited_by=owner).count() == 3
