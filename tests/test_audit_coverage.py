"""Every admin action and every service that changes a record's status writes an audit entry.

The office reads the audit log in admin to see who did what. Two enumerations keep it
complete: the admin site's registry (every declared action of every app) and the
service modules (every public function that writes a `status`, found by reading
their source). Each found action or service needs a scenario below, or an exemption
with its reason; a new one without either fails `test_every_..._has_a_scenario`.

The events app's cases live beside its tests, in tests/events/audit_scenarios.py.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Invitation, Membership, OutboxMessage, OutgoingEmail
from matchmaking.models import MatchRun, Need, Status
from tests.events import audit_scenarios as events_audit
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    SolutionFactory,
    StaffFactory,
    UserFactory,
    make_uscc,
    member_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_event_day")]

ROOT = Path(__file__).resolve().parent.parent


# --- admin actions ---------------------------------------------------------------------


def declared_actions() -> list[tuple[str, str]]:
    """(model label, action name) of every action declared on a registered ModelAdmin."""
    found = []
    for model, model_admin in admin.site._registry.items():  # noqa: SLF001 — the registry is the list
        for action in model_admin.actions or ():
            name = action if isinstance(action, str) else action.__name__
            found.append((model._meta.label, name))
    return sorted(found)


def _failed_email() -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        to="someone@example.com",
        subject="s",
        body_text="b",
        kind="verify_email",
        status=OutgoingEmail.Status.FAILED,
    )


def _periodic_task():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask  # noqa: PLC0415

    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.create(name="测试任务", task="core.sweep_outbox", interval=every)


def _access_attempt():
    from axes.models import AccessAttempt  # noqa: PLC0415

    return AccessAttempt.objects.create(
        username="someone@example.com", ip_address="10.0.0.1", failures_since_start=1
    )


# What each action is given, the extra form data it needs, and the entry it must write.
def _active_weight_set():
    from core.models import Industry  # noqa: PLC0415
    from matchmaking.engine.config import DEFAULT_NEED_WEIGHTS  # noqa: PLC0415
    from matchmaking.models import WeightSet  # noqa: PLC0415

    return WeightSet.objects.create(
        domain=Industry.objects.get(code="manufacturing"),
        need_weights=DEFAULT_NEED_WEIGHTS,
        solution_weights=DEFAULT_NEED_WEIGHTS,
        adopted=True,
        active=True,
    )


ADMIN_CASES: dict[tuple[str, str], tuple[Callable, dict, str | None]] = {
    ("core.Organization", "mark_verified"): (
        lambda: OrganizationFactory(verified=False),
        {},
        "organization.verified",
    ),
    ("core.OutboxMessage", "retry_now"): (
        lambda: OutboxMessage.objects.create(
            task_name="core.sweep_outbox", status=OutboxMessage.Status.FAILED
        ),
        {},
        "job.retried",
    ),
    ("core.OutgoingEmail", "send_again"): (_failed_email, {}, "email.resent"),
    ("matchmaking.Need", "approve_selected"): (
        lambda: NeedFactory(status=Status.SUBMITTED),
        {},
        "need.approved",
    ),
    ("matchmaking.Need", "reject_selected"): (
        lambda: NeedFactory(status=Status.SUBMITTED),
        {"reason": "请补充数据情况。"},
        "need.rejected",
    ),
    ("matchmaking.Need", "withdraw_selected"): (
        lambda: NeedFactory(status=Status.APPROVED),
        {},
        "need.withdrawn",
    ),
    ("matchmaking.Solution", "withdraw_selected"): (
        lambda: SolutionFactory(status=Status.APPROVED),
        {},
        "solution.withdrawn",
    ),
    ("matchmaking.Solution", "approve_selected"): (
        lambda: SolutionFactory(status=Status.SUBMITTED),
        {},
        "solution.approved",
    ),
    ("matchmaking.Solution", "reject_selected"): (
        lambda: SolutionFactory(status=Status.SUBMITTED),
        {"reason": "请补充案例。"},
        "solution.rejected",
    ),
    ("matchmaking.WeightSet", "roll_back"): (
        _active_weight_set,
        {},
        "weights.rolled_back",
    ),
    ("axes.AccessAttempt", "cleanup_expired_attempts"): (
        _access_attempt,
        {},
        "admin.cleanup_expired_attempts",
    ),
    **{
        ("django_celery_beat.PeriodicTask", name): (_periodic_task, {}, f"admin.{name}")
        for name in ("enable_tasks", "disable_tasks", "toggle_tasks", "run_tasks")
    },
}
ADMIN_CASES |= events_audit.ADMIN_CASES


def _admin_params():
    for key in declared_actions():
        yield pytest.param(*key, id=f"{key[0]}.{key[1]}")


def test_every_admin_action_has_a_scenario():
    assert sorted(ADMIN_CASES) == declared_actions()


def test_every_offered_admin_action_is_declared():
    """What the changelists offer (site-wide actions aside) is what the table covers."""
    request = RequestFactory().get("/admin/")
    request.user = StaffFactory()
    offered = sorted(
        (model._meta.label, name)
        for model, model_admin in admin.site._registry.items()  # noqa: SLF001
        for name in model_admin.get_actions(request)
        if name != "delete_selected"
    )
    assert offered == declared_actions()


@pytest.mark.parametrize(("model", "action"), list(_admin_params()))
def test_admin_action_writes_an_audit_entry(client, model, action):
    arrange, extra, expected = ADMIN_CASES[(model, action)]
    target = arrange()
    staff = StaffFactory()
    client.force_login(staff)
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name.lower()}_changelist")

    client.post(url, {"action": action, "_selected_action": [target.pk], **extra})

    entries = AuditEntry.objects.filter(actor=staff)
    if (model, action) in events_audit.ABOUT_OTHER_RECORDS:
        assert list(entries.values_list("action", flat=True).distinct()) == [expected]
    else:
        assert list(entries.values_list("action", "object_type", "object_id")) == [
            (expected, model, str(target.pk))
        ]


def test_admin_delete_selected_is_mirrored_to_the_audit_log(client):
    organization = OrganizationFactory(name="将被删除的公司")
    staff = StaffFactory()
    client.force_login(staff)

    client.post(
        reverse("admin:core_organization_changelist"),
        {"action": "delete_selected", "_selected_action": [organization.pk], "post": "yes"},
    )

    assert list(AuditEntry.objects.filter(actor=staff).values_list("action", "object_label")) == [
        ("admin.delete", "将被删除的公司")
    ]


# --- services that change a record's status --------------------------------------------

SERVICE_PACKAGES = {
    "core": ["core/services"],
    "matchmaking": ["matchmaking/services", "matchmaking/catalog_io"],
    "events": ["events/services"],
}
_WRITES = {"update", "create", "update_or_create", "get_or_create", "bulk_create", "bulk_update"}


# A record's status, and the status of the jobs an event or a season waits for.
STATUS_FIELDS = {"status", "schedule_status", "plan_status"}


def _has_status_key(node) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(key, ast.Constant) and key.value in STATUS_FIELDS for key in node.keys
    )


def _writes_status(node: ast.AST, helpers: set[str]) -> tuple[bool, set[str]]:
    """Whether the code writes a `status` itself, and which module helpers it calls."""
    direct, calls = False, set()
    for child in ast.walk(node):
        if isinstance(child, ast.Assign):
            if any(isinstance(t, ast.Attribute) and t.attr in STATUS_FIELDS for t in child.targets):
                direct = True
            direct = direct or _has_status_key(child.value)
        elif isinstance(child, ast.AnnAssign):
            direct = direct or _has_status_key(child.value)
        elif isinstance(child, ast.Call):
            func = child.func
            if isinstance(func, ast.Attribute) and func.attr == "move_to":
                direct = True  # core.transitions.StatusMachine: the checked way to move
            if isinstance(func, ast.Attribute) and func.attr in _WRITES:
                for keyword in child.keywords:
                    if keyword.arg in STATUS_FIELDS or (
                        keyword.arg == "defaults" and _has_status_key(keyword.value)
                    ):
                        direct = True
            if isinstance(func, ast.Name) and func.id in helpers:
                calls.add(func.id)
                direct = direct or any(keyword.arg in STATUS_FIELDS for keyword in child.keywords)
    return direct, calls


def status_services(app: str) -> list[str]:
    """The public functions of the app's service modules that change some `status`.

    Read from the source: a function counts if it (or a helper function or class of
    its module that it uses) assigns `.status`, passes `status=` to a write, or builds
    a dict with a "status" key.
    """
    found = []
    for folder in SERVICE_PACKAGES[app]:
        for path in sorted((ROOT / folder).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            units = {
                node.name: node
                for node in tree.body
                if isinstance(node, ast.FunctionDef | ast.ClassDef)
            }
            facts = {name: _writes_status(node, set(units)) for name, node in units.items()}

            def reaches(name: str, seen: frozenset[str], facts=facts) -> bool:
                direct, calls = facts[name]
                return direct or any(
                    reaches(other, seen | {other}) for other in calls if other not in seen
                )

            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found += [
                f"{module}.{name}"
                for name, node in units.items()
                if isinstance(node, ast.FunctionDef)
                and not name.startswith("_")
                and reaches(name, frozenset({name}))
            ]
    return sorted(found)


EXEMPT = {
    "matchmaking.services.matching.prepare_full_run": (
        "a run's progress (queued to running) is the machinery's bookkeeping; the run "
        "is logged when requested, finished and failed"
    ),
    "matchmaking.services.incremental.match_pending": (
        "an incremental update writes its own finished run row, with what it changed"
    ),
}


def _sign_up():
    from core.services import accounts  # noqa: PLC0415

    user = accounts.sign_up(
        email="new.person@example.com",
        full_name="新用户",
        password="a-long-passphrase-42",
        language="zh-hans",
        organization=accounts.NewOrganization(
            name="上海新注册企业有限公司", kind="enterprise", uscc=make_uscc(9001)
        ),
    )
    return user, "account.created", user


def _accept_invitation():
    from core.services import accounts  # noqa: PLC0415

    organization = OrganizationFactory()
    invitation = Invitation.objects.create(
        organization=organization, email="colleague@example.com", invited_by=member_of(organization)
    )
    user = UserFactory(email="colleague@example.com")
    accounts.accept_invitation(user=user, invitation=invitation)
    return user, "invitation.accepted", invitation


def _request_to_join():
    from core.services import accounts  # noqa: PLC0415

    user = UserFactory()
    membership = accounts.request_to_join(user=user, organization=OrganizationFactory())
    return user, "membership.requested", membership


def _decide_join_request():
    from core.services import accounts  # noqa: PLC0415

    organization = OrganizationFactory()
    owner = member_of(organization)
    membership = Membership.objects.create(
        user=UserFactory(), organization=organization, status=Membership.Status.PENDING
    )
    accounts.decide_join_request(by=owner, membership=membership, approve=True)
    return owner, "membership.approved", membership


def _retry_jobs():
    from core.services import jobs  # noqa: PLC0415

    staff = StaffFactory()
    job = OutboxMessage.objects.create(
        task_name="core.sweep_outbox", status=OutboxMessage.Status.FAILED
    )
    jobs.retry_jobs(by=staff, jobs=[job])
    return staff, "job.retried", job


def _deliver_email():
    from core.services import mail  # noqa: PLC0415

    email = OutgoingEmail.objects.create(to="a@example.com", subject="s", body_text="b")
    mail.deliver_email(email_id=email.pk)
    return None, "email.sent", email


def _fail_email():
    from core.services import mail  # noqa: PLC0415

    email = OutgoingEmail.objects.create(to="a@example.com", subject="s", body_text="b")
    mail.fail_email(email_id=email.pk, error="550 mailbox unavailable")
    return None, "email.failed", email


def _resend_emails():
    from core.services import mail  # noqa: PLC0415

    staff = StaffFactory()
    email = _failed_email()
    mail.resend_emails(by=staff, emails=[email])
    return staff, "email.resent", email


def _erase_account():
    from core.services import privacy  # noqa: PLC0415

    user = UserFactory()
    privacy.erase_account(user)
    return user, "account.erased", user


def _catalog():
    from matchmaking.services import catalog  # noqa: PLC0415

    return catalog


def _approve_records():
    staff, need = StaffFactory(), NeedFactory(status=Status.SUBMITTED)
    _catalog().approve_records(by=staff, records=[need])
    return staff, "need.approved", need


def _return_records():
    staff, need = StaffFactory(), NeedFactory(status=Status.SUBMITTED)
    _catalog().return_records(by=staff, records=[need], reason="请补充预算。")
    return staff, "need.rejected", need


def _withdraw_records():
    staff, solution = StaffFactory(), SolutionFactory()
    _catalog().withdraw_records(by=staff, records=[solution])
    return staff, "solution.withdrawn", solution


def _close_record():
    need = NeedFactory()
    owner = member_of(need.organization)
    _catalog().close_record(by=owner, record=need)
    return owner, "need.closed", need


def _close_expired_needs():
    need = NeedFactory(deadline=timezone.localdate() - timedelta(days=1))
    _catalog().close_expired_needs()
    return None, "need.closed", need


def _withdraw_record():
    solution = SolutionFactory()
    owner = member_of(solution.organization)
    _catalog().withdraw_record(by=owner, record=solution)
    return owner, "solution.withdrawn", solution


def _submit_for_review():
    need = NeedFactory(status=Status.DRAFT)
    owner = member_of(need.organization)
    _catalog().submit_for_review(by=owner, record=need)
    return owner, "need.submitted", need


def _save_record():
    organization = OrganizationFactory()
    owner = member_of(organization)
    need = _catalog().save_record(
        by=owner, record=Need(organization=organization), fields={"title": "仓储机器人调度"}
    )
    return owner, "need.created", need


def _transition():
    staff, need = StaffFactory(), NeedFactory()
    _catalog().transition(record=need, to=Status.CLOSED, by=staff)
    return staff, "need.closed", need


def _pair():
    need, solution = NeedFactory(), SolutionFactory()
    return need, solution, member_of(need.organization), member_of(solution.organization)


def _interests():
    from matchmaking.services import interests  # noqa: PLC0415

    return interests


def _express_interest():
    need, solution, enterprise, _provider = _pair()
    interest = _interests().express_interest(by=enterprise, need=need, solution=solution)
    return enterprise, "interest.pending", interest


def _respond():
    need, solution, enterprise, provider = _pair()
    interest = _interests().express_interest(by=enterprise, need=need, solution=solution)
    _interests().respond(by=provider, interest=interest, accept=True)
    return provider, "interest.accepted", interest


def _withdraw_interest():
    need, solution, enterprise, _provider = _pair()
    interest = _interests().express_interest(by=enterprise, need=need, solution=solution)
    _interests().withdraw(by=enterprise, interest=interest)
    return enterprise, "interest.withdrawn", interest


def _expire_interest(*, through_the_beat_job: bool = False):
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from matchmaking.services import nudges  # noqa: PLC0415

    need, solution, enterprise, _provider = _pair()
    interest = _interests().express_interest(by=enterprise, need=need, solution=solution)
    later = timezone.now() + timedelta(days=settings.INTRODUCTION_EXPIRY_DAYS, minutes=1)
    if through_the_beat_job:
        nudges.follow_up_interests(now=later)
    else:
        nudges.expire_interests(now=later)
    return None, "interest.expired", interest


def _mark_not_interested():
    need, solution, _enterprise, provider = _pair()
    feedback = _interests().mark_not_interested(by=provider, need=need, solution=solution)
    return provider, "match.not_interested", feedback


def _matching():
    from matchmaking.services import matching  # noqa: PLC0415

    return matching


def _start_full_run():
    staff = StaffFactory()
    run = _matching().start_full_run(by=staff)
    return staff, "matchrun.requested", run


def _fail_run():
    run = MatchRun.objects.create(kind=MatchRun.Kind.FULL)
    _matching().fail_run(run.pk, "worker lost")
    return None, "matchrun.failed", run


def _run_full_in_process():
    NeedFactory(), SolutionFactory()
    run = MatchRun.objects.create(kind=MatchRun.Kind.FULL)
    _matching().run_full_in_process(run.pk)
    return None, "matchrun.succeeded", run


def _finish_full_run():
    NeedFactory(), SolutionFactory()
    run = MatchRun.objects.create(kind=MatchRun.Kind.FULL)
    matching = _matching()
    for index in matching.prepare_full_run(run.pk):
        matching.compute_full_chunk(run.pk, index)
    matching.finish_full_run(run.pk)
    return None, "matchrun.succeeded", run


def _import_catalog():
    from matchmaking.catalog_io import import_catalog  # noqa: PLC0415

    staff = StaffFactory()
    import_catalog(
        {
            "format": "aiplus-catalog/1",
            "organizations": [
                {"key": "org-1", "name": "导入企业", "kind": "enterprise", "uscc": make_uscc(9002)}
            ],
        },
        by=staff,
    )
    return staff, "catalog.imported", None


EXEMPT |= events_audit.EXEMPT

SCENARIOS: dict[str, Callable[[], tuple]] = {
    "core.services.accounts.accept_invitation": _accept_invitation,
    "core.services.accounts.decide_join_request": _decide_join_request,
    "core.services.accounts.request_to_join": _request_to_join,
    "core.services.accounts.sign_up": _sign_up,
    "core.services.jobs.retry_jobs": _retry_jobs,
    "core.services.mail.deliver_email": _deliver_email,
    "core.services.mail.fail_email": _fail_email,
    "core.services.mail.resend_emails": _resend_emails,
    "core.services.privacy.erase_account": _erase_account,
    "matchmaking.services.catalog.approve_records": _approve_records,
    "matchmaking.services.catalog.close_expired_needs": _close_expired_needs,
    "matchmaking.services.catalog.close_record": _close_record,
    "matchmaking.services.catalog.return_records": _return_records,
    "matchmaking.services.catalog.save_record": _save_record,
    "matchmaking.services.catalog.submit_for_review": _submit_for_review,
    "matchmaking.services.catalog.transition": _transition,
    "matchmaking.services.catalog.withdraw_record": _withdraw_record,
    "matchmaking.services.catalog.withdraw_records": _withdraw_records,
    "matchmaking.catalog_io.importing.import_catalog": _import_catalog,
    "matchmaking.services.interests.express_interest": _express_interest,
    "matchmaking.services.interests.mark_not_interested": _mark_not_interested,
    "matchmaking.services.interests.respond": _respond,
    "matchmaking.services.interests.withdraw": _withdraw_interest,
    "matchmaking.services.nudges.expire_interests": _expire_interest,
    "matchmaking.services.nudges.follow_up_interests": lambda: _expire_interest(
        through_the_beat_job=True
    ),
    "matchmaking.services.matching.fail_run": _fail_run,
    "matchmaking.services.matching.finish_full_run": _finish_full_run,
    "matchmaking.services.matching.run_full_in_process": _run_full_in_process,
    "matchmaking.services.matching.start_full_run": _start_full_run,
}
SCENARIOS |= events_audit.SCENARIOS


@pytest.mark.parametrize(
    "app",
    [
        "core",
        "matchmaking",
        "events",
    ],
)
def test_every_status_service_has_a_scenario(app):
    covered = {name for name in [*SCENARIOS, *EXEMPT] if name.startswith(f"{app}.")}
    assert status_services(app) == sorted(covered)


def test_the_scan_finds_the_services_it_is_meant_to_find():
    """The source scan itself: a known status-changing service is found, a reader is not."""
    found = status_services("matchmaking")
    assert "matchmaking.services.catalog.approve_records" in found
    assert "matchmaking.services.catalog.completeness_errors" not in found


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_status_service_writes_an_audit_entry(name, django_capture_on_commit_callbacks):
    module, function = name.rsplit(".", 1)
    assert inspect.isfunction(getattr(importlib.import_module(module), function))

    actor, action, obj = SCENARIOS[name]()

    entries = AuditEntry.objects.filter(action=action)
    expected = (
        actor.pk if actor is not None else None,
        obj._meta.label if obj is not None else "",
        str(obj.pk) if obj is not None else "",
    )
    assert expected in set(entries.values_list("actor", "object_type", "object_id"))


def test_bulk_approval_counts_what_it_skipped_even_when_the_list_is_filtered(client):
    """The admin list filtered on “under review”: approving one record skips none.

    The count of skipped records used to be taken again after the approval, from the
    filtered list, which the approval had just emptied: “-1 records were not under
    review”.
    """
    need = NeedFactory(status=Status.SUBMITTED)
    client.force_login(StaffFactory())

    response = client.post(
        reverse("admin:matchmaking_need_changelist") + "?status__exact=submitted",
        {"action": "approve_selected", "_selected_action": [need.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["已发布 1 条记录。"]
    assert Need.objects.get(pk=need.pk).status == Status.APPROVED


def test_bulk_approval_reports_records_not_under_review():
    from matchmaking.services import catalog  # noqa: PLC0415

    submitted, draft = NeedFactory(status=Status.SUBMITTED), NeedFactory(status=Status.DRAFT)

    result = catalog.approve_records(by=StaffFactory(), records=[submitted, draft])

    assert (result.done, result.skipped) == (1, 1)
    assert list(Need.objects.filter(pk=draft.pk).values_list("status", flat=True)) == [Status.DRAFT]
