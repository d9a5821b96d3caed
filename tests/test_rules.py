"""Permissions as named predicates (core/rules.py, matchmaking/rules.py)."""

from __future__ import annotations

import pytest
import rules
from django.contrib.auth.models import AnonymousUser, Permission

from matchmaking.models import Confidentiality, Interest, Status
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SolutionFactory,
    StaffFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def test_no_rule_repeats_a_model_permission():
    """The admin asks the same backends for model permissions: a rule must not answer."""
    ours = {name for name in rules.permissions.permissions if "." in name}
    codenames = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    assert ours & codenames == set()
    assert sorted(ours) == [
        "core.act_for_organization",
        "core.edit_organization",
        "core.manage_members",
        "core.register_organization",
        "core.see_organization_private",
        "events.answer_meeting_request",
        "events.override_event_day",
        "events.report_outcome_for",
        "events.set_meeting_link",
        "events.withdraw_meeting_request",
        "matchmaking.edit_record",
        "matchmaking.post_need",
        "matchmaking.post_solution",
        "matchmaking.see_organization_page",
        "matchmaking.see_record_attachments",
        "matchmaking.see_record_contact",
        "matchmaking.see_record_description",
        "matchmaking.see_record_private",
        "matchmaking.see_thread",
        "matchmaking.write_in_thread",
    ]


@pytest.fixture
def people():
    enterprise, provider = OrganizationFactory(), ProviderFactory()
    return {
        "anonymous": AnonymousUser(),
        "outsider": member_of(OrganizationFactory()),
        "insider": member_of(enterprise),
        "provider": member_of(provider),
        "staff": StaffFactory(),
        "enterprise_org": enterprise,
        "provider_org": provider,
    }


@pytest.mark.parametrize(
    ("who", "status", "confidentiality", "expected"),
    [
        ("anonymous", Status.APPROVED, Confidentiality.MEMBERS, (False, False, False)),
        ("outsider", Status.APPROVED, Confidentiality.MEMBERS, (False, True, False)),
        ("outsider", Status.APPROVED, Confidentiality.SUMMARY, (False, False, False)),
        ("outsider", Status.SUBMITTED, Confidentiality.MEMBERS, (False, False, False)),
        ("insider", Status.DRAFT, Confidentiality.SUMMARY, (True, True, True)),
        ("staff", Status.SUBMITTED, Confidentiality.SUMMARY, (True, True, True)),
    ],
)
def test_need_private_description_and_contact(people, who, status, confidentiality, expected):
    need = NeedFactory(
        organization=people["enterprise_org"], status=status, confidentiality=confidentiality
    )
    user = people[who]

    seen = tuple(
        rules.has_perm(f"matchmaking.see_record_{what}", user, need)
        for what in ("private", "description", "contact")
    )

    assert seen == expected


def test_an_accepted_introduction_shows_the_other_sides_contact_and_full_text(people):
    need = NeedFactory(
        organization=people["enterprise_org"], confidentiality=Confidentiality.SUMMARY
    )
    solution = SolutionFactory(organization=people["provider_org"])
    provider = people["provider"]
    assert not rules.has_perm("matchmaking.see_record_contact", provider, need)

    Interest.objects.create(
        need=need, solution=solution, initiated_by_side="enterprise", status="accepted"
    )
    provider = type(provider).objects.get(pk=provider.pk)  # the per-request cache starts empty

    assert rules.has_perm("matchmaking.see_record_contact", provider, need)
    assert rules.has_perm("matchmaking.see_record_description", provider, need)
    assert not rules.has_perm("matchmaking.see_record_private", provider, need)


@pytest.mark.parametrize(
    ("who", "need", "solution"),
    [
        ("anonymous", False, False),
        ("insider", True, False),
        ("provider", False, True),
        ("staff", True, True),
    ],
)
def test_who_may_post(people, who, need, solution):
    user = people[who]
    assert (
        rules.has_perm("matchmaking.post_need", user),
        rules.has_perm("matchmaking.post_solution", user),
    ) == (need, solution)


def test_organization_rules(people):
    organization = people["enterprise_org"]
    owner = people["insider"]
    colleague = UserFactory()
    organization.memberships.create(user=colleague, role="member")

    table = {
        name: [
            rules.has_perm(f"core.{name}", user, organization)
            for user in (owner, colleague, people["outsider"], people["staff"])
        ]
        for name in ("act_for_organization", "edit_organization", "manage_members")
    }

    assert table == {
        "act_for_organization": [True, True, False, True],
        "edit_organization": [True, False, False, True],
        "manage_members": [True, False, False, False],
    }


def test_organization_page_is_public_once_listed_and_for_insiders_before():
    organization = OrganizationFactory(verified=True)
    member, staff, outsider = member_of(organization), StaffFactory(), UserFactory()
    draft = NeedFactory(organization=organization, status=Status.DRAFT, published_at=None)
    see = "matchmaking.see_organization_page"

    assert [rules.has_perm(see, u, organization) for u in (AnonymousUser(), outsider)] == [
        False,
        False,
    ]
    assert [rules.has_perm(see, u, organization) for u in (member, staff)] == [True, True]
    draft.status = Status.APPROVED
    draft.save(update_fields=["status"])
    assert rules.has_perm(see, AnonymousUser(), organization) is True
