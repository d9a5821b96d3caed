"""The access matrix: every URL of the site × every role → the expected answer, and no leak.

The table below classifies every named URL the resolver knows (the admin by one rule
with listed exceptions); `test_every_url_is_classified` fails as soon as a URL exists
that the table does not name, so a new page or endpoint cannot go untested. Each row
is requested as each role in the world of tests/security/world.py — own objects
(the enterprise E1's, the provider P1's) and foreign ones (E2's, P2's) — and then the
response body is searched for every private value that role must not see.

Expected answers, in role order (anonymous, enterprise member, provider member, staff):
a status code, LOGIN (a redirect to the sign-in page), ADMIN_LOGIN (to the admin's
sign-in page) or REDIRECT (any other redirect: a form or action that went through).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from tests.security.conftest import body_of, client_as
from tests.security.csp import csp_problems
from tests.security.routes import (
    ADMIN_VIEWS,
    admin_kwargs,
    admin_model,
    is_admin,
    named_routes,
    walk,
)
from tests.security.world import ROLES, STAFF, World

pytestmark = pytest.mark.django_db

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
REDIRECT = "redirect"

ALL_200 = (200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200)
STAFF_ONLY_PAGE = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)
STAFF_ONLY_API = (403, 404, 404, 200)
NOBODY_BUT_STAFF = (404, 404, 404, 200)
ALL_404 = (404, 404, 404, 404)


@dataclass(frozen=True)
class Ref:
    """A value taken from the world: an object's attribute (its pk by default)."""

    key: str
    attr: str = "pk"

    def resolve(self, world: World):
        return getattr(world[self.key], self.attr)


@dataclass(frozen=True)
class Row:
    name: str
    expect: tuple
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: dict = field(default_factory=dict)
    label: str = ""
    # Secrets this request rightly reveals (accepting an introduction shows the contact).
    reveals: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name


def _obj(name: str, key: str, expect: tuple, **extra) -> Row:
    """A row about one object of the world, identified by its pk."""
    return Row(name, expect, kwargs={"pk": Ref(key)}, label=key, **extra)


def _token(name: str, key: str, expect: tuple, attr: str = "rsvp_token", **extra) -> Row:
    return Row(name, expect, kwargs={"token": Ref(key, attr)}, label=key, **extra)


def _post(name: str, expect: tuple, data: dict | None = None, **extra) -> Row:
    return Row(name, expect, method="post", data=data or {}, **extra)


MATRIX: list[Row] = [
    # --- site ---------------------------------------------------------------------------
    Row("home", ALL_200),
    Row("workspace", SIGNED_IN),
    Row("privacy", ALL_200),
    Row("dashboard", STAFF_ONLY_PAGE),
    Row("security-txt", ALL_200),
    Row("healthz", ALL_200),
    Row("readyz", ALL_200),
    _post("set_language", (REDIRECT,) * 4, {"language": "en"}),
    Row("javascript-catalog", ALL_200),
    Row("api-schema", ALL_200),
    Row("api-docs", ALL_200),
    # --- accounts -----------------------------------------------------------------------
    Row("signup", (200, REDIRECT, REDIRECT, REDIRECT)),
    Row("signup-done", ALL_200),
    _post("verify-email-resend", (LOGIN, REDIRECT, REDIRECT, REDIRECT)),
    Row("verify-email", (400,) * 4, kwargs={"token": "not-a-signed-token"}),
    Row("login", (200, REDIRECT, REDIRECT, REDIRECT)),
    _post("logout", (REDIRECT,) * 4),
    Row("password_change", SIGNED_IN),
    Row("password_change_done", SIGNED_IN),
    Row("password_reset", ALL_200),
    Row("password_reset_done", ALL_200),
    Row(
        "password_reset_confirm",
        ALL_200,  # an invalid link answers with a page that says so
        kwargs={"uidb64": "MQ", "token": "invalid-token"},
    ),
    Row("password_reset_complete", ALL_200),
    Row("profile", SIGNED_IN),
    # An unknown key: nothing is revoked, the account page says so.
    _post("api-token-revoke", (LOGIN, REDIRECT, REDIRECT, REDIRECT), {"key": "not-a-token"}),
    Row("export-data", SIGNED_IN),
    Row("delete-account", SIGNED_IN),
    Row("organization", SIGNED_IN),
    # Acting for E1: its members may, anyone else is refused (core/acting.py).
    _post(
        "organization-switch",
        (LOGIN, REDIRECT, 403, 403),
        {"organization": Ref("org:ent")},
        label="org:ent",
    ),
    _post(
        "organization-invite",
        (LOGIN, REDIRECT, REDIRECT, 404),  # staff belong to no organization
        {"email": "colleague@example.com", "role": "member"},
    ),
    _obj(
        "organization-member",
        "membership:ent_join_request",
        (LOGIN, REDIRECT, 404, 404),
        method="post",
        data={"action": "approve"},
    ),
    _obj(
        "organization-member",
        "membership:other_ent",
        (LOGIN, 404, 404, 404),
        method="post",
        data={"action": "remove"},
    ),
    # --- catalog ------------------------------------------------------------------------
    Row("need-list", ALL_200),
    _obj("need-detail", "need:other", ALL_200),
    _obj("need-detail", "need:other_draft", NOBODY_BUT_STAFF),
    _obj("need-detail", "need:ent_draft", (404, 200, 404, 200)),
    Row("solution-list", ALL_200),
    _obj("solution-detail", "solution:other", ALL_200),
    _obj("solution-detail", "solution:other_draft", NOBODY_BUT_STAFF),
    _obj("solution-detail", "solution:prov_draft", (404, 404, 200, 200)),
    # The directory lists verified organizations with a published record (P2); an
    # unlisted one's page is for its members and staff. Published records only.
    Row("organization-list", ALL_200),
    Row("organization-list", ALL_200, data={"q": "草稿"}, label="search"),
    _obj("organization-detail", "org:other_prov", ALL_200),
    _obj("organization-detail", "org:ent", (404, 200, 404, 200)),
    _obj("organization-detail", "org:other_ent", NOBODY_BUT_STAFF),
    _obj("attachment-download", "attachment:ent", (LOGIN, 200, 404, 200)),
    _obj("attachment-download", "attachment:other", (LOGIN, 404, 404, 200)),
    _obj("attachment-download", "attachment:other_shared", SIGNED_IN),
    # my records: only the organization's members, whatever the record's status
    Row("my-need-list", (LOGIN, 200, 404, 404)),
    Row("my-need-new", (LOGIN, 200, 404, 404)),
    _obj("my-need-detail", "need:ent", (LOGIN, 200, 404, 404)),
    _obj("my-need-detail", "need:other", (LOGIN, 404, 404, 404)),
    _obj("my-need-edit", "need:ent_draft", (LOGIN, 200, 404, 404)),
    _obj("my-need-edit", "need:other_draft", (LOGIN, 404, 404, 404)),
    _obj(
        "my-need-action",
        "need:ent_draft",
        (LOGIN, REDIRECT, 404, 404),
        method="post",
        data={"action": "submit"},
    ),
    _obj(
        "my-need-action",
        "need:other_draft",
        (LOGIN, 404, 404, 404),
        method="post",
        data={"action": "submit"},
    ),
    Row("my-solution-list", (LOGIN, 404, 200, 404)),
    Row("my-solution-new", (LOGIN, 404, 200, 404)),
    _obj("my-solution-detail", "solution:prov", (LOGIN, 404, 200, 404)),
    _obj("my-solution-detail", "solution:other", (LOGIN, 404, 404, 404)),
    _obj("my-solution-edit", "solution:prov_draft", (LOGIN, 404, 200, 404)),
    _obj("my-solution-edit", "solution:other_draft", (LOGIN, 404, 404, 404)),
    _obj(
        "my-solution-action",
        "solution:prov_draft",
        (LOGIN, 404, REDIRECT, 404),
        method="post",
        data={"action": "submit"},
    ),
    _obj(
        "my-solution-action",
        "solution:other",
        (LOGIN, 404, 404, 404),
        method="post",
        data={"action": "withdraw"},
    ),
    # Capability suggestions while a need is written: any signed-in user, text only.
    _post("need-suggestions", (LOGIN, 200, 200, 200), {"title": "划痕全靠肉眼看"}),
    # --- matches and introductions ---------------------------------------------------
    Row("matched-needs", (LOGIN, 404, 200, 404)),
    _post(
        "match-action",
        (LOGIN, REDIRECT, REDIRECT, REDIRECT),
        {"need": Ref("need:ent"), "solution": Ref("solution:prov"), "action": "not_interested"},
        label="own pair",
    ),
    _post(
        "match-action",
        # Refused by the service with a message on the page the form came from.
        (LOGIN, REDIRECT, REDIRECT, REDIRECT),
        {"need": Ref("need:other"), "solution": Ref("solution:other"), "action": "interested"},
        label="foreign pair",
    ),
    Row("interests", SIGNED_IN),
    _obj(
        "interest-action",
        "interest:incoming",
        (LOGIN, REDIRECT, 404, 404),
        method="post",
        data={"action": "accept"},
    ),
    _obj(
        "interest-action",
        "interest:foreign",
        (LOGIN, 404, 404, 404),
        method="post",
        data={"action": "withdraw"},
    ),
    # --- conversations ---------------------------------------------------------------
    Row("threads", SIGNED_IN),
    _obj("thread-detail", "thread:own", (LOGIN, 200, 200, 200)),
    _obj("thread-detail", "thread:foreign", (LOGIN, 404, 404, 200)),
    _obj(
        "thread-detail",
        "thread:foreign",
        (LOGIN, 404, 404, 404),
        method="post",
        data={"body": "intruding"},
    ),
    _obj("thread-message-file", "message:own", (LOGIN, 200, 200, 200)),
    _obj("thread-message-file", "message:foreign", (LOGIN, 404, 404, 200)),
    _obj("interest-thread", "interest:own", (LOGIN, REDIRECT, REDIRECT, 404), method="post"),
    _obj("interest-thread", "interest:foreign", (LOGIN, 404, 404, 404), method="post"),
    # --- saved searches -----------------------------------------------------------------
    _post("saved-search-save", (LOGIN, REDIRECT, REDIRECT, REDIRECT), {"q": "质检"}),
    _obj(
        "saved-search-action",
        "saved:ent",
        (LOGIN, REDIRECT, 404, 404),
        method="post",
        data={"action": "rename", "name": "质检周报"},
    ),
    Row("saved-search-unsubscribe", ALL_200, kwargs={"token": "not-a-signed-token"}),
    # --- events -------------------------------------------------------------------------
    Row("event-list", ALL_200),
    Row("my-events", SIGNED_IN),
    _obj("event-detail", "event:published", ALL_200),
    _obj("event-detail", "event:draft", ALL_404),
    _obj("event-register", "event:published", (LOGIN, REDIRECT, REDIRECT, 404), method="post"),
    _obj("event-register", "event:draft", (LOGIN, 404, 404, 404), method="post"),
    _obj(
        "event-request-meeting",
        "event:published",
        (LOGIN, REDIRECT, REDIRECT, 404),
        method="post",
        data={"to": Ref("org:prov"), "message": "想约个时间"},
    ),
    _obj("event-schedule-ics", "event:published", (LOGIN, 200, 200, 404)),
    _obj("event-schedule-ics", "event:draft", (LOGIN, 404, 404, 404)),
    _obj(
        "meeting-request-action",
        "meetingrequest:own",
        (LOGIN, REDIRECT, REDIRECT, 404),
        method="post",
        data={"action": "accept"},
    ),
    _obj(
        "meeting-request-action",
        "meetingrequest:foreign",
        (LOGIN, 404, 404, 404),
        method="post",
        data={"action": "accept"},
    ),
    _post("calendar-link", (LOGIN, REDIRECT, REDIRECT, 404)),
    _post("calendar-rotate", (LOGIN, REDIRECT, REDIRECT, 404)),
    _obj("event-check-in", "event:published", STAFF_ONLY_PAGE),
    _obj("event-feedback", "event:published", SIGNED_IN),
    _obj("event-feedback", "event:draft", (LOGIN, 404, 404, 404)),
    # Links by token: the token is the key, whoever holds it (an invitation's RSVP link,
    # a calendar subscription); a draft event's RSVP link does not open yet.
    _token("event-rsvp", "registration:other_ent", ALL_200),
    _token("event-rsvp", "registration:draft", ALL_404),
    _token(
        "event-rsvp-unavailability",
        "registration:other_ent",
        (REDIRECT,) * 4,
        method="post",
        data={"slots": [0, 1]},
    ),
    _token("event-rsvp-qr", "registration:other_ent", ALL_200),
    _token("event-schedule-print", "registration:other_ent", ALL_200),
    _token("event-schedule-print", "registration:draft", ALL_404),
    # A check-in code's QR image (for the HTML emails): the code is the key.
    Row(
        "event-check-in-qr",
        ALL_200,
        kwargs={"code": Ref("registration:other_ent", "check_in_code")},
        label="registration:other_ent",
    ),
    _token("calendar-feed", "feed:other_ent", ALL_200, attr="token"),
    # --- REST API (anonymous writes and private lists: 403, as DRF answers) --------------
    Row("api:api-root", ALL_200),
    Row("api:auth-token-list", (405,) * 4),
    _post(
        "api:auth-token-list",
        (400,) * 4,
        {"email": "owner@ent-two.example", "password": "not-the-password"},
        label="wrong password",
    ),
    Row("api:organization-list", ALL_200),
    _obj("api:organization-detail", "org:other_ent", ALL_200),
    Row("api:need-list", ALL_200),
    _obj("api:need-detail", "need:other", ALL_200),
    _obj("api:need-detail", "need:other_draft", NOBODY_BUT_STAFF),
    _obj("api:need-detail", "need:ent_draft", (404, 200, 404, 200)),
    _obj("api:need-submit", "need:ent_draft", (403, 200, 404, 200), method="post"),
    _obj("api:need-submit", "need:other_draft", STAFF_ONLY_API, method="post"),
    _obj("api:need-withdraw", "need:ent", (403, 200, 404, 200), method="post"),
    _obj("api:need-close", "need:other", STAFF_ONLY_API, method="post"),
    Row("api:solution-list", ALL_200),
    _obj("api:solution-detail", "solution:other", ALL_200),
    _obj("api:solution-detail", "solution:other_draft", NOBODY_BUT_STAFF),
    _obj("api:solution-detail", "solution:prov_draft", (404, 404, 200, 200)),
    _obj("api:solution-submit", "solution:prov_draft", (403, 404, 200, 200), method="post"),
    _obj("api:solution-withdraw", "solution:other", STAFF_ONLY_API, method="post"),
    _obj("api:solution-close", "solution:prov", (403, 404, 200, 200), method="post"),
    Row("api:match-list", (403, 200, 200, 200)),
    _obj("api:match-detail", "match:own", (403, 200, 200, 200)),
    _obj("api:match-detail", "match:foreign", STAFF_ONLY_API),
    Row("api:interest-list", (403, 200, 200, 200)),
    _obj("api:interest-detail", "interest:own", (403, 200, 200, 200)),
    _obj("api:interest-detail", "interest:foreign", STAFF_ONLY_API),
    # Staff see every introduction but answer none: only a side answers (403).
    _obj(
        "api:interest-accept",
        "interest:incoming",
        (403, 200, 404, 403),
        method="post",
        reveals=("P2 solution contact",),
    ),
    _obj("api:interest-decline", "interest:foreign", (403, 404, 404, 403), method="post"),
    _obj("api:interest-withdraw", "interest:own", (403, 200, 200, 403), method="post"),
    Row("api:event-list", ALL_200),
    _obj("api:event-detail", "event:published", ALL_200),
    _obj("api:event-detail", "event:draft", NOBODY_BUT_STAFF),
    Row("api:thread-list", (403, 200, 200, 200)),
    _obj("api:thread-detail", "thread:own", (403, 200, 200, 200)),
    _obj("api:thread-detail", "thread:foreign", STAFF_ONLY_API),
    _obj("api:thread-messages", "thread:own", (403, 200, 200, 200)),
    _obj("api:thread-messages", "thread:foreign", STAFF_ONLY_API),
    _obj(
        "api:thread-messages",
        "thread:foreign",
        (403, 404, 404, 403),
        method="post",
        data={"body": "intruding"},
    ),
    _post(
        "api:thread-list",
        (403, 200, 200, 404),
        {"interest": Ref("interest:own")},
        label="open own",
    ),
    _obj(
        "meeting-video-link",
        "meeting:own",
        (LOGIN, REDIRECT, REDIRECT, REDIRECT),
        method="post",
        data={"video_url": "https://meeting.example.com/j/1"},
    ),
    _obj(
        "meeting-video-link",
        "meeting:foreign",
        (LOGIN, 404, 404, REDIRECT),
        method="post",
        data={"video_url": "https://meeting.example.com/j/1"},
    ),
    Row("api:meeting-list", (403, 200, 200, 200)),
    _obj("api:meeting-detail", "meeting:own", (403, 200, 200, 200)),
    _obj("api:meeting-detail", "meeting:foreign", STAFF_ONLY_API),
]

# The admin: staff 200, everyone else to the admin's sign-in page — except these.
ADMIN_DEFAULT = STAFF_ONLY_PAGE
STAFF_REFUSED = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403)
ADMIN_EXCEPTIONS: dict[str, tuple] = {
    "admin:login": (200, 200, 200, REDIRECT),
    # Without its query parameters the autocomplete answers 403 to staff too.
    "admin:autocomplete": STAFF_REFUSED,
    # No model of the site has a public URL to jump to.
    "admin:view_on_site": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404),
    # Rows written by the system, never typed in: no "add" (and for some no "delete").
    "admin:axes_accessattempt_add": STAFF_REFUSED,
    "admin:axes_accessfailurelog_add": STAFF_REFUSED,
    "admin:axes_accesslog_add": STAFF_REFUSED,
    "admin:events_meeting_add": STAFF_REFUSED,
    "admin:events_meetingrequest_add": STAFF_REFUSED,
    # Outcomes are recorded on their meeting's page, never by typing a meeting id.
    "admin:events_outcome_add": STAFF_REFUSED,
    "admin:core_auditentry_add": STAFF_REFUSED,
    "admin:core_auditentry_delete": STAFF_REFUSED,
    "admin:matchmaking_interest_add": STAFF_REFUSED,
    "admin:matchmaking_match_add": STAFF_REFUSED,
    "admin:matchmaking_match_delete": STAFF_REFUSED,
    "admin:matchmaking_matchfeedback_add": STAFF_REFUSED,
    "admin:matchmaking_matchrun_add": STAFF_REFUSED,
    "admin:matchmaking_matchrun_delete": STAFF_REFUSED,
    "admin:core_outboxmessage_add": STAFF_REFUSED,
    "admin:core_outgoingemail_add": STAFF_REFUSED,
    "admin:matchmaking_statuschange_add": STAFF_REFUSED,
    # Rows made only by their import or fitting command: nobody adds one by hand ...
    "admin:matchmaking_catalogimport_add": STAFF_REFUSED,
    "admin:matchmaking_filingentry_add": STAFF_REFUSED,
    "admin:matchmaking_weightset_add": STAFF_REFUSED,
    # ... and adding a filing list is uploading one: the add page leads to the import.
    "admin:matchmaking_filinglist_add": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, REDIRECT),
}
# Admin URLs that act on POST only (a GET answers 405), requested by POST.
ADMIN_POST_ONLY: dict[str, tuple] = {
    # Signing out of the admin when not signed in to it leads to the admin's index.
    "admin:logout": (REDIRECT,) * 4,
    "admin:matchmaking_matchrun_start": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, REDIRECT),
    # A review decision: staff only; an empty one changes nothing and leads back to the record.
    "admin:matchmaking_need_review": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, REDIRECT),
    "admin:matchmaking_solution_review": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, REDIRECT),
}


def _admin_rows() -> list[Row]:
    rows = []
    for name in sorted(named_routes()):
        if is_admin(name):
            method = "post" if name in ADMIN_POST_ONLY else "get"
            expect = ADMIN_POST_ONLY.get(name) or ADMIN_EXCEPTIONS.get(name, ADMIN_DEFAULT)
            rows.append(Row(name, expect, method=method))
    return rows


def _rows() -> list:
    return [pytest.param(row, id=row.id) for row in [*MATRIX, *_admin_rows()]]


def _resolve(value, world: World):
    if isinstance(value, Ref):
        return value.resolve(world)
    if isinstance(value, list):
        return [_resolve(item, world) for item in value]
    return value


def _url(row: Row, world: World) -> str:
    if is_admin(row.name):
        kwargs = admin_kwargs(row.name, named_routes()[row.name], world)
    else:
        kwargs = {key: _resolve(value, world) for key, value in row.kwargs.items()}
    return reverse(row.name, kwargs=kwargs)


def _request(client, row: Row, url: str, world: World):
    data = {key: _resolve(value, world) for key, value in row.data.items()}
    if row.method == "get":
        return client.get(url)
    if row.name.startswith("api:"):
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def _outcome(response) -> str | int:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("login") + "?next="):
        return LOGIN
    if location.startswith(reverse("admin:login") + "?next="):
        return ADMIN_LOGIN
    return REDIRECT


def _as(world: World, role: str, row: Row, url: str):
    """The role's answer and the secrets it shows, with what it changed undone after.

    An HTML answer that breaks its Content-Security-Policy (no policy, or inline code
    the policy blocks: tests/security/csp.py) counts as a leak of that name.
    """
    cache.clear()
    with transaction.atomic():
        response = _request(client_as(world, role), row, url, world)
        body = body_of(response)
        transaction.set_rollback(True)
    csp = [f"CSP: {problem}" for problem in csp_problems(response)]
    leaks = [
        secret.what
        for secret in world.forbidden_for(role)
        if secret.value not in url
        and not secret.what.startswith(row.reveals)
        and secret.value.encode() in body
    ]
    return _outcome(response), leaks + csp


@pytest.mark.parametrize("row", _rows())
def test_access(in_world, row):
    url = _url(row, in_world)

    answers = {role: _as(in_world, role, row, url) for role in ROLES}

    assert {role: outcome for role, (outcome, _) in answers.items()} == dict(
        zip(ROLES, row.expect, strict=True)
    )
    assert {role: leaks for role, (_, leaks) in answers.items() if leaks} == {}


def test_every_url_is_classified():
    """A URL the table does not name fails here: classify it in MATRIX (or the admin's)."""
    site = {name for name in named_routes() if not is_admin(name)}

    assert sorted(site - {row.name for row in MATRIX}) == []
    assert sorted({row.name for row in MATRIX} - site) == []


def test_every_admin_url_has_its_arguments(world, db):
    """Admin URLs are covered by one rule; each must be reversible with the world's objects."""
    missing = []
    for name, route in named_routes().items():
        if not is_admin(name):
            continue
        try:
            admin_kwargs(name, route, world)
        except LookupError as error:
            missing.append(str(error))

    assert missing == []


def test_every_model_admin_has_the_five_views():
    names = set(named_routes())
    incomplete = []
    for name in names:
        model = admin_model(name)
        if model is None:
            continue
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        incomplete += [f"{base}_{view}" for view in ADMIN_VIEWS if f"{base}_{view}" not in names]

    assert sorted(set(incomplete)) == []


def test_staff_is_the_only_role_that_may_see_everything(world, db):
    """The leak check would be vacuous for a role allowed every secret."""
    assert [role for role in ROLES if not world.forbidden_for(role)] == [STAFF]


def test_unnamed_urls_are_only_the_admins_own():
    """An unnamed pattern cannot be put in the table: name it (the admin's are redirects)."""
    unnamed = [route.pattern for route in walk() if route.name is None]

    assert [pattern for pattern in unnamed if not pattern.startswith("admin/")] == []


@pytest.mark.parametrize(
    ("role", "name", "key", "value"),
    [
        ("enterprise", "my-need-detail", "need:ent_private", "13911110011"),
        ("provider", "need-detail", "need:ent", "13911110001"),
        ("enterprise", "solution-detail", "solution:prov", "p1.contact@prov-one.example"),
        ("staff", "need-detail", "need:other", "e2.contact@ent-two.example"),
    ],
)
def test_the_leak_check_finds_contacts_where_they_are_shown(in_world, role, name, key, value):
    """A control: the pages do show contacts to those allowed, so the search above can fail."""
    url = reverse(name, args=[in_world[key].pk])

    body = client_as(in_world, role).get(url).content.decode()

    assert value in body
