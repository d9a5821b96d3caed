"""A small, complete world for the security tests: every kind of object, own and foreign.

Four roles act in it: an anonymous visitor, a member of the enterprise "E1", a member
of the provider "P1", and programme-office staff. Two more organizations, the
enterprise "E2" and the provider "P2", own the *foreign* objects: their needs,
solutions, contacts, introductions, meeting requests, meetings, RSVP links and
calendar feeds. E1 and P1 agreed to an introduction (so each sees the other's
contact on that pair); P2 asked E1 for one and was not answered yet (so E1 sees the
request, not P2's contact).

Every private value is distinctive and listed in SECRETS with the roles that may see
it, so that a response body can be searched for what its role must not see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

ANONYMOUS = "anonymous"
ENTERPRISE = "enterprise"
PROVIDER = "provider"
STAFF = "staff"
ROLES = (ANONYMOUS, ENTERPRISE, PROVIDER, STAFF)

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass(frozen=True)
class Secret:
    """A private value and the roles allowed to see it (staff see everything)."""

    what: str
    value: str
    allowed: frozenset[str]


def _secret(what: str, value: str, *roles: str) -> Secret:
    return Secret(what, value, frozenset({STAFF, *roles}))


# Contacts and private texts. E1's published need and P1's solution are introduced
# to each other (accepted), so each side sees the other's contact on that pair only.
SECRETS = [
    _secret("E1 introduced need contact phone", "13911110001", ENTERPRISE, PROVIDER),
    _secret("E1 introduced need contact email", "e1.contact@ent-one.example", ENTERPRISE, PROVIDER),
    _secret("E1 private need contact phone", "13911110011", ENTERPRISE),
    _secret("E1 private need contact email", "e1.private@ent-one.example", ENTERPRISE),
    _secret("E1 draft need title", "甲方草稿需求·未公开", ENTERPRISE),
    _secret("E1 draft need contact email", "e1.draft@ent-one.example", ENTERPRISE),
    _secret("P1 solution contact phone", "13911110003", ENTERPRISE, PROVIDER),
    _secret("P1 solution contact email", "p1.contact@prov-one.example", ENTERPRISE, PROVIDER),
    _secret("P1 draft solution title", "乙方草稿方案·未公开", PROVIDER),
    _secret("E1–P1 conversation message", "甲乙对话·仅双方可见", ENTERPRISE, PROVIDER),
    _secret("E2–P2 conversation message", "丙丁对话·仅双方可见"),
    _secret("E2 need contact phone", "13911110002"),
    _secret("E2 need contact email", "e2.contact@ent-two.example"),
    _secret("E2 need contact name", "赵保密"),
    _secret("E2 draft need title", "丙方草稿需求·未公开"),
    _secret("P2 solution contact phone", "13911110004"),
    _secret("P2 solution contact email", "p2.contact@prov-two.example"),
    _secret("P2 solution contact name", "钱保密"),
    _secret("P2 draft solution title", "丁方草稿方案·未公开"),
    _secret("E2 owner email", "owner@ent-two.example"),
    _secret("E2 owner phone", "13911110020"),
    _secret("P2 owner email", "owner@prov-two.example"),
    _secret("P2 owner phone", "13911110040"),
    _secret("E1 owner email", "owner@ent-one.example", ENTERPRISE),
    _secret("E1 owner phone", "13911110010", ENTERPRISE),
    _secret("P1 owner email", "owner@prov-one.example", PROVIDER),
    _secret("P1 owner phone", "13911110030", PROVIDER),
    _secret("E2/P2 introduction message", "丙丁私下留言·勿外传"),
    _secret("E2/P2 meeting request message", "丙丁洽谈留言·勿外传"),
    _secret("E2 private attachment name", "e2-confidential-plan.pdf"),
    _secret("E1 join request email", "joiner@ent-one.example", ENTERPRISE),
]
# Tokens are secrets too; their values are known only once the world exists.
TOKEN_SECRETS = {
    "registration:other_ent": (),
    "registration:other_prov": (),
    "registration:ent": (ENTERPRISE,),
    "registration:prov": (PROVIDER,),
    "feed:other_ent": (),
    "feed:ent": (ENTERPRISE,),
    "invitation:other_ent": (),
}


@dataclass
class World:
    users: dict[str, object] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)
    secrets: list[Secret] = field(default_factory=list)

    def __getitem__(self, key: str):
        return self.objects[key]

    def user(self, role: str):
        return self.users.get(role)

    def forbidden_for(self, role: str) -> list[Secret]:
        return [secret for secret in self.secrets if role not in secret.allowed]

    def write_attachment_files(self) -> None:
        """Put the attachments' files where the current MEDIA_ROOT expects them.

        Each test gets its own MEDIA_ROOT (tests/conftest.py), while the world is
        built once per module.
        """
        for key, value in self.objects.items():
            if key.startswith(("attachment:", "message:")):
                path = Path(settings.MEDIA_ROOT) / value.file.name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(PDF_BYTES)


def build_world() -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: PLC0415
    from django.core.files.base import ContentFile  # noqa: PLC0415
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415
    from django_celery_beat.models import (  # noqa: PLC0415
        ClockedSchedule,
        IntervalSchedule,
        SolarSchedule,
    )
    from rest_framework.authtoken.models import Token  # noqa: PLC0415

    from core.enums import Side  # noqa: PLC0415
    from core.models import (  # noqa: PLC0415
        AuditEntry,
        Invitation,
        Membership,
        OutboxMessage,
        OutgoingEmail,
    )
    from events.models import (  # noqa: PLC0415
        CalendarFeed,
        Event,
        Meeting,
        MeetingRequest,
        Outcome,
        Registration,
        Season,
    )
    from matchmaking.models import (  # noqa: PLC0415
        Attachment,
        Confidentiality,
        Interest,
        Match,
        MatchFeedback,
        Status,
        StatusChange,
    )
    from matchmaking.services.threads import post_message, thread_for_interest  # noqa: PLC0415
    from tests.factories import (  # noqa: PLC0415
        EventFactory,
        MembershipFactory,
        NeedFactory,
        OrganizationFactory,
        ProviderFactory,
        SolutionFactory,
        StaffFactory,
        UserFactory,
        active_run,
        member_of,
    )

    world = World(secrets=list(SECRETS))
    o = world.objects

    # --- organizations and people --------------------------------------------------
    o["org:ent"] = OrganizationFactory(name="甲精密制造有限公司")
    o["org:prov"] = ProviderFactory(name="乙智能科技有限公司")
    o["org:other_ent"] = OrganizationFactory(name="丙医疗器械有限公司")
    # Verified, with a published solution: listed in the organizations directory.
    o["org:other_prov"] = ProviderFactory(name="丁数据科技有限公司", verified=True)
    world.users[ENTERPRISE] = member_of(
        o["org:ent"], email="owner@ent-one.example", phone="13911110010"
    )
    world.users[PROVIDER] = member_of(
        o["org:prov"], email="owner@prov-one.example", phone="13911110030"
    )
    world.users[STAFF] = StaffFactory(email="office@programme.example")
    o["user:other_ent"] = member_of(
        o["org:other_ent"], email="owner@ent-two.example", phone="13911110020"
    )
    o["user:other_prov"] = member_of(
        o["org:other_prov"], email="owner@prov-two.example", phone="13911110040"
    )
    o["membership:ent_join_request"] = MembershipFactory(
        organization=o["org:ent"],
        user=UserFactory(email="joiner@ent-one.example"),
        role=Membership.Role.MEMBER,
        status=Membership.Status.PENDING,
    )
    o["membership:other_ent"] = o["user:other_ent"].memberships.get()
    o["invitation:other_ent"] = Invitation.objects.create(
        organization=o["org:other_ent"],
        email="invitee@ent-two.example",
        invited_by=o["user:other_ent"],
    )
    world.secrets.append(_secret("E2 invitation email", "invitee@ent-two.example"))
    world.secrets += [
        _secret("E2 USCC", o["org:other_ent"].uscc),
        _secret("P2 USCC", o["org:other_prov"].uscc),
        _secret("E1 USCC", o["org:ent"].uscc, ENTERPRISE),
        _secret("P1 USCC", o["org:prov"].uscc, PROVIDER),
    ]

    # --- needs and solutions ---------------------------------------------------------
    def contact(name: str, phone: str, email: str) -> dict:
        return {"contact_name": name, "contact_phone": phone, "contact_email": email}

    o["need:ent"] = NeedFactory(
        organization=o["org:ent"],
        confidentiality=Confidentiality.MEMBERS,
        **contact("孙经理", "13911110001", "e1.contact@ent-one.example"),
    )
    o["need:ent_private"] = NeedFactory(
        organization=o["org:ent"],
        confidentiality=Confidentiality.SUMMARY,
        **contact("孙经理", "13911110011", "e1.private@ent-one.example"),
    )
    o["need:ent_draft"] = NeedFactory(
        organization=o["org:ent"],
        status=Status.DRAFT,
        published_at=None,
        title="甲方草稿需求·未公开",
        **contact("孙经理", "13911110011", "e1.draft@ent-one.example"),
    )
    o["need:other"] = NeedFactory(
        organization=o["org:other_ent"],
        confidentiality=Confidentiality.SUMMARY,
        share_attachments=False,
        **contact("赵保密", "13911110002", "e2.contact@ent-two.example"),
    )
    o["need:other_draft"] = NeedFactory(
        organization=o["org:other_ent"],
        status=Status.DRAFT,
        published_at=None,
        title="丙方草稿需求·未公开",
        **contact("赵保密", "13911110002", "e2.contact@ent-two.example"),
    )
    o["solution:prov"] = SolutionFactory(
        organization=o["org:prov"],
        **contact("李博士", "13911110003", "p1.contact@prov-one.example"),
    )
    o["solution:prov_draft"] = SolutionFactory(
        organization=o["org:prov"],
        status=Status.DRAFT,
        published_at=None,
        title="乙方草稿方案·未公开",
        **contact("李博士", "13911110003", "p1.contact@prov-one.example"),
    )
    o["solution:other"] = SolutionFactory(
        organization=o["org:other_prov"],
        share_attachments=True,
        **contact("钱保密", "13911110004", "p2.contact@prov-two.example"),
    )
    o["solution:other_draft"] = SolutionFactory(
        organization=o["org:other_prov"],
        status=Status.DRAFT,
        published_at=None,
        title="丁方草稿方案·未公开",
        **contact("钱保密", "13911110004", "p2.contact@prov-two.example"),
    )
    StatusChange.objects.create(
        need=o["need:other"],
        from_status=Status.SUBMITTED,
        to_status=Status.APPROVED,
        by=world.users[STAFF],
    )

    def attach(key: str, name: str, **record) -> None:
        attachment = Attachment(
            original_name=name, content_type="application/pdf", size=len(PDF_BYTES), **record
        )
        attachment.file.save(name, ContentFile(PDF_BYTES), save=False)
        attachment.save()
        o[key] = attachment

    attach("attachment:ent", "e1-plan.pdf", need=o["need:ent_private"])
    attach("attachment:other", "e2-confidential-plan.pdf", need=o["need:other"])
    attach("attachment:other_shared", "p2-brochure.pdf", solution=o["solution:other"])

    # --- search --------------------------------------------------------------------
    from matchmaking.models import SavedSearch, SearchSynonym  # noqa: PLC0415

    o["synonym"] = SearchSynonym.objects.create(chinese="质检, 质量检测", english="qc")
    o["saved:ent"] = SavedSearch.objects.create(
        user=world.users[ENTERPRISE], name="质检", query="质检", filters={}
    )

    # --- matches and introductions --------------------------------------------------
    run = active_run()
    pairs = {
        "match:own": ("need:ent", "solution:prov"),
        "match:ent_other_prov": ("need:ent", "solution:other"),
        "match:other_ent_prov": ("need:other", "solution:prov"),
        "match:foreign": ("need:other", "solution:other"),
    }
    for rank, (key, (need, solution)) in enumerate(pairs.items(), start=1):
        o[key] = Match.objects.create(
            need=o[need],
            solution=o[solution],
            run=run,
            score=0.9 - rank / 10,
            rank_for_need=rank,
            rank_for_solution=rank,
            algorithm_version="test",
            computed_at=timezone.now(),
        )
    o["interest:own"] = Interest.objects.create(
        need=o["need:ent"],
        solution=o["solution:prov"],
        initiated_by_side=Side.PROVIDER,
        status=Interest.Status.ACCEPTED,
        created_by=world.users[PROVIDER],
        responded_by=world.users[ENTERPRISE],
        responded_at=timezone.now(),
    )
    o["interest:incoming"] = Interest.objects.create(
        need=o["need:ent"],
        solution=o["solution:other"],
        initiated_by_side=Side.PROVIDER,
        status=Interest.Status.PENDING,
        created_by=o["user:other_prov"],
        message="希望交流",
    )
    o["interest:foreign"] = Interest.objects.create(
        need=o["need:other"],
        solution=o["solution:other"],
        initiated_by_side=Side.ENTERPRISE,
        status=Interest.Status.ACCEPTED,
        created_by=o["user:other_ent"],
        message="丙丁私下留言·勿外传",
    )
    for key, interest, author, text in (
        ("own", "interest:own", world.users[PROVIDER], "甲乙对话·仅双方可见"),
        ("foreign", "interest:foreign", o["user:other_ent"], "丙丁对话·仅双方可见"),
    ):
        o[f"thread:{key}"] = thread_for_interest(interest=o[interest])
        o[f"message:{key}"] = post_message(
            by=author,
            thread=o[f"thread:{key}"],
            body=text,
            upload=SimpleUploadedFile(f"{key}.pdf", PDF_BYTES),
        )
    MatchFeedback.objects.create(
        need=o["need:other"],
        solution=o["solution:prov"],
        side=Side.ENTERPRISE,
        reason="不合适",
        by=o["user:other_ent"],
    )

    # --- events ---------------------------------------------------------------------
    o["event:published"] = EventFactory()
    o["event:draft"] = EventFactory(status=Event.Status.DRAFT, title_zh="草稿活动·未公布")
    sides = {
        "ent": ("org:ent", Side.ENTERPRISE),
        "prov": ("org:prov", Side.PROVIDER),
        "other_ent": ("org:other_ent", Side.ENTERPRISE),
        "other_prov": ("org:other_prov", Side.PROVIDER),
    }
    for name, (org, side) in sides.items():
        o[f"registration:{name}"] = Registration.objects.create(
            event=o["event:published"],
            organization=o[org],
            side=side,
            status=Registration.Status.REGISTERED,
            attendees=f"{name} 代表",
        )
    o["registration:draft"] = Registration.objects.create(
        event=o["event:draft"], organization=o["org:ent"], side=Side.ENTERPRISE
    )
    o["meetingrequest:own"] = MeetingRequest.objects.create(
        event=o["event:published"],
        enterprise=o["org:ent"],
        provider=o["org:prov"],
        requested_by_side=Side.PROVIDER,
        need=o["need:ent"],
        solution=o["solution:prov"],
        created_by=world.users[PROVIDER],
    )
    o["meetingrequest:foreign"] = MeetingRequest.objects.create(
        event=o["event:published"],
        enterprise=o["org:other_ent"],
        provider=o["org:other_prov"],
        requested_by_side=Side.ENTERPRISE,
        message="丙丁洽谈留言·勿外传",
        created_by=o["user:other_ent"],
    )
    o["meeting:own"] = Meeting.objects.create(
        event=o["event:published"],
        enterprise=o["org:ent"],
        provider=o["org:prov"],
        slot=0,
        table=0,
        published=True,
    )
    o["meeting:foreign"] = Meeting.objects.create(
        event=o["event:published"],
        enterprise=o["org:other_ent"],
        provider=o["org:other_prov"],
        slot=1,
        table=1,
        published=True,
    )
    o["feed:ent"] = CalendarFeed.objects.create(
        user=world.users[ENTERPRISE], organization=o["org:ent"]
    )
    o["feed:other_ent"] = CalendarFeed.objects.create(
        user=o["user:other_ent"], organization=o["org:other_ent"]
    )
    o["season"] = Season.objects.create(
        name="安全测试季", start=dt.date(2027, 1, 4), end=dt.date(2027, 12, 24)
    )
    o["outcome:foreign"] = Outcome.objects.create(
        meeting=o["meeting:foreign"],
        side=Side.ENTERPRISE,
        stage=Outcome.Stage.EVENT,
        rating=4,
        next_step=Outcome.NextStep.FOLLOW_UP,
    )

    for key, roles in TOKEN_SECRETS.items():
        value = o[key].rsvp_token if key.startswith("registration:") else o[key].token
        world.secrets.append(_secret(f"{key} token", value, *roles))

    # --- rows that only the admin lists ---------------------------------------------
    o["group"] = Group.objects.create(name="审核员")
    o["token"] = Token.objects.create(user=o["user:other_ent"])
    world.secrets.append(_secret("E2 owner's API token", o["token"].key))
    o["clocked"] = ClockedSchedule.objects.create(clocked_time=timezone.now())
    o["solar"] = SolarSchedule.objects.create(event="sunrise", latitude=31.2, longitude=121.5)
    IntervalSchedule.objects.get_or_create(every=10, period=IntervalSchedule.MINUTES)
    AccessAttempt.objects.create(
        username="someone@example.com", ip_address="10.0.0.9", failures_since_start=1
    )
    AccessLog.objects.create(username="someone@example.com", ip_address="10.0.0.9")
    AccessFailureLog.objects.create(username="someone@example.com", ip_address="10.0.0.9")
    OutboxMessage.objects.create(task_name="matchmaking.match_need", kwargs={"need_id": 1})
    OutgoingEmail.objects.create(
        to="owner@ent-two.example", subject="意向通知", body_text="丙方您好"
    )
    AuditEntry.objects.create(action="test", object_type="need", actor=world.users[STAFF])
    from core.models import Industry  # noqa: PLC0415
    from matchmaking.models import (  # noqa: PLC0415
        CatalogImport,
        FilingEntry,
        FilingList,
        WeightSet,
    )

    CatalogImport.objects.create(
        file="catalog-imports/security.xlsx",
        file_name="security.xlsx",
        record_status="submitted",
        state=CatalogImport.State.IMPORTED,
        created_by=world.users[STAFF],
    )

    filing_list = FilingList.objects.create(
        kind=FilingList.Kind.NATIONAL, source="国家网信办", list_date=timezone.localdate()
    )
    FilingEntry.objects.create(
        filing_list=filing_list, row_number=2, service_name="测试模型",
        organization_name="测试公司", filing_number="Test-1", number_key="TEST-1",
        organization_key="测试",
    )  # fmt: skip
    WeightSet.objects.create(
        domain=Industry.objects.get_or_create(code="manufacturing")[0],
        need_weights={}, solution_weights={}, active=False,
    )  # fmt: skip
    return world
