"""Factories of core's models: users, staff, organizations, memberships."""

from __future__ import annotations

import factory
from django.utils import timezone

from core.models import Membership, Organization, User
from core.validators import USCC_ALPHABET, uscc_check_character

DEFAULT_PASSWORD = "correct-horse-battery-9"


def make_uscc(n: int) -> str:
    """A valid, unique USCC for the n-th test organization."""
    body = "91310104"
    serial = ""
    value = n
    for _ in range(9):
        serial = USCC_ALPHABET[value % 31] + serial
        value //= 31
    first17 = body + serial
    return first17 + uscc_check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        # factory_boy passes the built instance as the first argument.
        if create:
            self.save()


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"上海测试企业{n}有限公司")
    kind = Organization.Kind.ENTERPRISE
    uscc = factory.Sequence(lambda n: make_uscc(n + 1000))
    district = "徐汇区"


class ProviderFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"上海测试智能科技{n}有限公司")
    kind = Organization.Kind.PROVIDER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.OWNER
    status = Membership.Status.ACTIVE


def member_of(organization: Organization, **user_fields) -> User:
    """A user who owns `organization` (the usual shape of a test actor)."""
    return MembershipFactory(organization=organization, user=UserFactory(**user_fields)).user
