"""Invitations: who is emailed, why, with which link, and never twice."""

from __future__ import annotations

import pytest
from django.core import mail

from core.errors import InvalidTransitionError
from core.models import Membership
from events.models import Event, Registration
from events.services import registration as services
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    RegistrationFactory,
    SolutionFactory,
    StaffFactory,
    UserFactory,
    add_match,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited():
    """A published event with two enterprises and three providers invited to it."""
    event = EventFactory()
    enterprise = OrganizationFactory(name="漕河泾精密制造")
    owner = member_of(enterprise, email="owner@ent.example")
    author = MembershipFactory(
        organization=enterprise,
        user=UserFactory(email="author@ent.example"),
        role=Membership.Role.MEMBER,
    ).user
    former = UserFactory(email="former@ent.example")  # posted a need, no longer a member
    need = NeedFactory(organization=enterprise, created_by=author, title="冲压件表面缺陷检测")
    old_need = NeedFactory(organization=enterprise, created_by=former, title="仓储盘点")
    quiet = OrganizationFactory()  # its need has no author: the owners hear
    member_of(quiet, email="owner@quiet.example")
    quiet_need = NeedFactory(organization=quiet, title="能耗预测")
    event.needs.set([need, old_need, quiet_need])

    provider = ProviderFactory(name="书衡智能")
    member_of(provider, email="owner@prov.example")
    sales = MembershipFactory(
        organization=provider,
        user=UserFactory(email="sales@prov.example", language="en"),
        role=Membership.Role.MEMBER,
    ).user
    solution = SolutionFactory(organization=provider, created_by=sales)
    add_match(quiet_need, solution, rank=2, score=0.7)
    add_match(need, solution, rank=1, score=0.8)
    add_match(NeedFactory(title="别的活动的需求"), solution, rank=1, score=0.9)
    lonely = ProviderFactory()  # nobody to email
    other = ProviderFactory()
    member_of(other, email="owner@other.example")
    return {
        "event": event,
        "enterprise": RegistrationFactory(invited=True, event=event, organization=enterprise),
        "quiet": RegistrationFactory(invited=True, event=event, organization=quiet),
        "provider": RegistrationFactory(
            invited=True, provider=True, event=event, organization=provider
        ),
        "lonely": RegistrationFactory(
            invited=True, provider=True, event=event, organization=lonely
        ),
        "other": RegistrationFactory(invited=True, provider=True, event=event, organization=other),
        "owner": owner,
    }


def mail_to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def test_send_invitations_emails_the_authors_else_the_owners(invited, run_on_commit):
    with run_on_commit():
        count = services.send_invitations(invited["event"], by=StaffFactory())

    assert count == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "author@ent.example",
        "owner@other.example",
        "owner@quiet.example",
        "sales@prov.example",
    ]


def test_invitation_carries_the_rsvp_link_and_why_the_organization_is_invited(
    invited, run_on_commit
):
    event = invited["event"]
    with run_on_commit():
        services.send_invitations(event, by=None)

    enterprise = mail_to("author@ent.example")
    token = invited["enterprise"].rsvp_token
    assert f"http://testserver/events/rsvp/{token}/" in enterprise.body
    assert event.title_zh in enterprise.subject
    assert event.date.strftime("%Y-%m-%d") in enterprise.subject
    assert "冲压件表面缺陷检测" in enterprise.body
    assert "仓储盘点" in enterprise.body
    assert "能耗预测" not in enterprise.body
    assert event.venue.name in enterprise.body

    provider = mail_to("sales@prov.example")  # English-speaking recipient
    assert provider.subject.endswith(f"Invitation: {event.title_en} on {event.date:%Y-%m-%d}")
    assert "Scenario needs in this event that match your solutions:" in provider.body
    assert provider.body.index("冲压件表面缺陷检测") < provider.body.index("能耗预测")
    assert "别的活动的需求" not in provider.body
    assert invited["provider"].rsvp_token in provider.body
    html = provider.alternatives[0][0]
    assert f"/events/rsvp/{invited['provider'].rsvp_token}/" in html


def test_send_invitations_marks_who_was_invited(invited, run_on_commit):
    event = invited["event"]
    with run_on_commit():
        services.send_invitations(event, by=None)

    sent = dict(Registration.objects.values_list("organization_id", "invited_at"))
    assert sent[invited["lonely"].organization_id] is None
    assert all(sent[invited[k].organization_id] for k in ("enterprise", "quiet", "provider"))
    event.refresh_from_db()
    assert event.invitations_sent_at is not None


def test_send_invitations_twice_sends_nothing_new(invited, run_on_commit):
    event = invited["event"]
    with run_on_commit():
        services.send_invitations(event, by=None)
    first = dict(Registration.objects.values_list("pk", "invited_at"))

    with run_on_commit():
        again = services.send_invitations(event, by=None)

    assert again == 0
    assert len(mail.outbox) == 4
    assert dict(Registration.objects.values_list("pk", "invited_at")) == first


def test_send_invitations_invites_organizations_added_later(invited, run_on_commit):
    event = invited["event"]
    with run_on_commit():
        services.send_invitations(event, by=None)
    newcomer = OrganizationFactory()
    member_of(newcomer, email="new@ent.example")
    RegistrationFactory(
        invited=True, event=event, organization=newcomer, source=Registration.Source.STAFF
    )

    with run_on_commit():
        again = services.send_invitations(event, by=None)

    assert again == 1
    assert mail.outbox[-1].to == ["new@ent.example"]


def test_send_invitations_leaves_answered_registrations_alone(invited, run_on_commit):
    Registration.objects.filter(pk=invited["enterprise"].pk).update(
        status=Registration.Status.REGISTERED
    )
    with run_on_commit():
        count = services.send_invitations(invited["event"], by=None)
    assert count == 3
    assert "author@ent.example" not in [m.to[0] for m in mail.outbox]


@pytest.mark.parametrize(
    "status",
    [Event.Status.DRAFT, Event.Status.REGISTRATION_CLOSED, Event.Status.CANCELLED],
)
def test_send_invitations_only_for_events_open_for_registration(invited, status):
    event = invited["event"]
    Event.objects.filter(pk=event.pk).update(status=status)

    with pytest.raises(InvalidTransitionError):
        services.send_invitations(event, by=None)

    assert Registration.objects.filter(invited_at__isnull=False).count() == 0
    assert mail.outbox == []
