"""One factory per model (factory_boy)."""

from __future__ import annotations

import factory
from django.utils import timezone

from core.models import Capability, Industry, Membership, Organization, User
from core.validators import USCC_ALPHABET, uscc_check_character
from matchmaking.models import Need, Solution, Status

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


class NeedFactory(factory.django.DjangoModelFactory):
    """A complete, published need (use status="draft" etc. for other states)."""

    class Meta:
        model = Need
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"产线外观缺陷视觉检测 {n}")
    summary = "冲压件表面划痕、凹坑的自动检测，替代人工目检。"
    description = "现有 6 条产线，人工目检漏检率约 3%，希望引入视觉大模型实现在线检测。"
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="manufacturing"))
    deployment = "on_premise"
    data_readiness = "ready"
    budget_min = 50
    budget_max = 200
    contact_name = "王工"
    contact_phone = "13800138000"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.com")
    status = Status.APPROVED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["computer_vision"]
            self.capabilities.set(Capability.objects.filter(code__in=codes))


class SolutionFactory(factory.django.DjangoModelFactory):
    """A complete, published solution."""

    class Meta:
        model = Solution
        skip_postgeneration_save = True

    organization = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"工业视觉质检大模型 {n}")
    summary = "基于视觉大模型的表面缺陷检测，支持小样本训练与产线私有化部署。"
    description = "已在 60 余家制造企业落地，检出率 99.5% 以上。"
    deploy_on_premise = True
    deploy_edge = True
    maturity = "product"
    price_min = 30
    price_max = 150
    base_model = "InternLM-XComposer"
    contact_name = "陈博士"
    contact_phone = "13900139000"
    contact_email = factory.Sequence(lambda n: f"sales{n}@example.com")
    status = Status.APPROVED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["computer_vision"]
            self.capabilities.set(Capability.objects.filter(code__in=codes))

    @factory.post_generation
    def industries(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["manufacturing"]
            self.industries.set(Industry.objects.filter(code__in=codes))
