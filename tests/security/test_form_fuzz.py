"""Hostile input on every form, filter, validator and form view: never a server error.

Three layers, each found by discovery so that a new one is fuzzed (or the test says
it must be classified):

- every form and filter class of the project, bound to generated data, is validated,
  its errors formatted and the form rendered;
- every public validator of core.validators takes any text (and attachments
  any bytes) and either returns or raises ValidationError;
- every page that takes a POST, or a query string, or a token in its path, is
  requested with generated data as a role that reaches it: the answer is never 5xx
  (the test client re-raises a view's exception, so a 500 fails with its traceback).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from urllib.parse import quote

import django_filters
import pytest
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser
from django.urls import get_resolver, reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import validators
from tests.security.conftest import client_as
from tests.security.world import ANONYMOUS, ENTERPRISE, PROVIDER, STAFF, World

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Bounded and repeatable in CI; SECURITY_FUZZ_SCALE=20 explores 20 times as many random
# examples (a new draw on each run) to look for more.
SCALE = int(os.environ.get("SECURITY_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=25 * SCALE,
    deadline=None,
    database=None,
    derandomize=SCALE == 1,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VIEW_FUZZ = settings(FUZZ, max_examples=15 * SCALE)
OURS = ("core.", "matchmaking.", "events.", "config.")

# --- values ----------------------------------------------------------------------------

# Text as a browser can send it (no lone surrogates: they cannot be encoded).
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1e309",
        "NaN",
        "-Infinity",
        "99999999999999999999999",
        "2027-02-30",
        "2027-13-01",
        "9999-12-31",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\x00",
        "a\x00b",
        "１２３",
        "٣",
        "13800138000",
        "+86 138 0013 8000",
        "91310104MA1FL0000X",
        "a@b.c",
        "x" * 5000,
        "[]",
        '{"a": 1}',
        '["2027-01-05"]',
        "true",
        "on",
    ]
)
NUMBERS = st.integers(min_value=-(2**70), max_value=2**70).map(str)
VALUE = st.one_of(TEXT, NASTY, NUMBERS)
ABSENT = None


def _choices(field: forms.Field) -> list[str]:
    choices = getattr(field, "choices", None)
    if not choices:
        return []
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            values += [str(inner) for inner, _label in label]
        else:
            values.append(str(getattr(value, "value", value)))
    return values[:50]


def _field_values(field: forms.Field) -> st.SearchStrategy:
    """What a hostile client may send for one field: nothing, junk, or valid choices."""
    if isinstance(field, forms.FileField):
        upload = st.builds(
            _upload,
            TEXT,
            st.one_of(
                st.binary(max_size=2000), st.just(b"%PDF-1.4 x"), st.just(b"\x89PNG\r\n\x1a\n")
            ),
        )
        return st.one_of(st.just(ABSENT), st.lists(upload, min_size=1, max_size=6))
    options = [VALUE]
    valid = _choices(field)
    if valid:
        options.append(st.sampled_from(valid))
    one = st.one_of(*options)
    return st.one_of(st.just(ABSENT), one.map(lambda value: [value]), st.lists(one, max_size=4))


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    """An uploaded file as the request parser hands it over (it drops path parts)."""
    name = MultiPartParser.sanitize_file_name(None, name)
    return SimpleUploadedFile(name or "file", content)


def _form_data(draw, fields: dict[str, forms.Field], prefix: str | None = None):
    data, files = QueryDict(mutable=True), MultiValueDict()
    for name, field in fields.items():
        key = f"{prefix}-{name}" if prefix else name
        values = draw(_field_values(field))
        if values is ABSENT:
            continue
        if isinstance(field, forms.FileField):
            files.setlist(key, values)
        else:
            data.setlist(key, values)
    return data, files


# --- every form and filter class ---------------------------------------------------------


def _subclasses(base: type) -> list[type]:
    get_resolver().url_patterns  # noqa: B018 — imports every view and admin module
    found, todo = [], [base]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith(OURS):
                found.append(sub)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _fresh(obj):
    """A copy from the database: a model form changes its instance while validating."""
    return type(obj)._default_manager.get(pk=obj.pk)


def _need_instance(world: World):
    from matchmaking.models import Need  # noqa: PLC0415

    return Need(organization=world["org:ent"])


def _solution_instance(world: World):
    from matchmaking.models import Solution  # noqa: PLC0415

    return Solution(organization=world["org:prov"])


def _outcome_form(cls, world: World, data, files):
    form = cls(data, files)
    form.request_user = world.user(STAFF)
    return form


def _filterset(cls, world: World, data, files):
    from core.models import Organization  # noqa: PLC0415
    from events.models import Event  # noqa: PLC0415
    from matchmaking.models import Match, Need, Solution  # noqa: PLC0415

    queryset = {
        "Need": Need,
        "Solution": Solution,
        "Match": Match,
        "Event": Event,
        "Organization": Organization,
    }
    model = cls._meta.model
    kwargs = {}
    if "organization_id" in inspect.signature(cls.__init__).parameters:
        kwargs["organization_id"] = world["org:prov"].pk
    return cls(data, queryset=queryset[model.__name__].objects.all(), **kwargs)


def _password_request():
    """The request a form that checks a password passes to the lockout."""
    from django.test import RequestFactory  # noqa: PLC0415

    return RequestFactory().post("/")


# How to make each form: (form class name → builder(cls, world, data, files)).
FORM_BUILDERS: dict[str, Callable] = {
    "core.forms.SignUpForm": lambda cls, w, d, f: cls(d),
    "core.forms.EmailAuthenticationForm": lambda cls, w, d, f: cls(None, d),
    "core.forms.PasswordResetRequestForm": lambda cls, w, d, f: cls(d),
    "core.forms.ProfileForm": lambda cls, w, d, f: cls(d, instance=_fresh(w.user(ENTERPRISE))),
    "core.forms.OrganizationForm": lambda cls, w, d, f: cls(d, instance=_fresh(w["org:ent"])),
    "core.forms.InviteForm": lambda cls, w, d, f: cls(d),
    "core.forms.DeleteAccountForm": lambda cls, w, d, f: cls(
        w.user(ENTERPRISE), d, request=_password_request()
    ),
    "core.forms.LockoutPasswordChangeForm": lambda cls, w, d, f: cls(
        w.user(ENTERPRISE), d, request=_password_request()
    ),
    "matchmaking.forms.catalog.NeedForm": lambda cls, w, d, f: cls(
        d, f, instance=_need_instance(w)
    ),
    "matchmaking.forms.catalog.SolutionForm": lambda cls, w, d, f: cls(
        d, f, instance=_solution_instance(w)
    ),
    "matchmaking.forms.catalog.RejectForm": lambda cls, w, d, f: cls(d),
    "matchmaking.admin.catalog_import.CatalogImportForm": lambda cls, w, d, f: cls(d, f),
    "matchmaking.admin.filings.FilingImportForm": lambda cls, w, d, f: cls(d, f),
    "matchmaking.forms.catalog.ReviewDecisionForm": lambda cls, w, d, f: cls(d),
    "matchmaking.forms.threads.MessageForm": lambda cls, w, d, f: cls(d, f),
    "events.views.rsvp.RsvpForm": lambda cls, w, d, f: cls(d),
    "events.views.rsvp.UnavailabilityForm": lambda cls, w, d, f: cls(d, event=w["event:published"]),
    "events.forms.FeedbackForm": lambda cls, w, d, f: cls(d),
    "events.admin.season.SeasonForm": lambda cls, w, d, f: cls(d),
    "events.admin.meetings.OutcomeForm": _outcome_form,
    "events.admin.meetings.MeetingRequestForm": lambda cls, w, d, f: cls(d),
}
# Abstract bases: never instantiated themselves, their subclasses are.
ABSTRACT_FORMS = {"matchmaking.forms.catalog.CatalogForm"}
# The REST API's filter sets are fuzzed through the API (test_api_fuzz.py).
API_FILTERS = (
    "matchmaking.api.",
    "events.api.",
)


def _forms() -> list[type]:
    return [cls for cls in _subclasses(forms.BaseForm) if _label(cls) not in ABSTRACT_FORMS]


def _filtersets() -> list[type]:
    return [
        cls
        for cls in _subclasses(django_filters.FilterSet)
        if cls._meta.model is not None and not _label(cls).startswith(API_FILTERS)
    ]


def test_every_form_has_a_builder():
    assert sorted({_label(cls) for cls in _forms()} - FORM_BUILDERS.keys()) == []


def _exercise(form) -> None:
    form.is_valid()
    form.errors.as_json()  # every message formatted with its parameters
    str(form)  # and the form rendered with its errors, as the page would


@pytest.mark.parametrize("form_class", _forms(), ids=_label)
@FUZZ
@given(data=st.data())
def test_form_never_fails(in_world, form_class, data):
    build = FORM_BUILDERS[_label(form_class)]
    unbound = build(form_class, in_world, None, None)
    form_data, files = _form_data(data.draw, unbound.fields, unbound.prefix)

    _exercise(build(form_class, in_world, form_data, files))


@pytest.mark.parametrize("filterset_class", _filtersets(), ids=_label)
@FUZZ
@given(data=st.data())
def test_filter_never_fails(in_world, filterset_class, data):
    unbound = _filterset(filterset_class, in_world, None, None)
    form_data, _files = _form_data(data.draw, unbound.form.fields)

    filterset = _filterset(filterset_class, in_world, form_data, None)
    _exercise(filterset.form)
    if filterset.is_valid():
        list(filterset.qs[:5])


# --- validators --------------------------------------------------------------------------


def _validators() -> list[Callable]:
    return [
        function
        for name, function in inspect.getmembers(validators, inspect.isfunction)
        if function.__module__ == validators.__name__
        and name.startswith(("normalize_", "validate_", "sanitize_"))
        and name != "validate_attachment"
    ]


@pytest.mark.parametrize("validator", _validators(), ids=lambda function: function.__name__)
@settings(FUZZ, max_examples=200 * SCALE)
@given(value=st.one_of(TEXT, NASTY, NUMBERS))
def test_validator_returns_or_raises_validation_error(validator, value):
    try:
        result = validator(value)
    except ValidationError as error:
        result = error.messages

    assert result is None or isinstance(result, str | list)


@settings(FUZZ, max_examples=100 * SCALE)
@given(
    name=TEXT,
    content=st.one_of(
        st.binary(max_size=4000),
        st.binary(max_size=200).map(lambda tail: b"%PDF-1.7\n" + tail),
        st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=200).map(lambda tail: b"\xff\xd8\xff\xe0" + tail),
    ),
)
def test_attachment_validator_returns_or_raises_validation_error(name, content):
    try:
        mime, safe_name = validators.validate_attachment(_upload(name, content))
    except ValidationError as error:
        mime, safe_name = None, "; ".join(error.messages)

    assert mime is None or mime in validators.ALLOWED_ATTACHMENT_TYPES
    assert "/" not in safe_name
    assert "\\" not in safe_name


# --- form views ----------------------------------------------------------------------------

ACTIONS = st.sampled_from(
    [
        "submit",
        "draft",
        "withdraw",
        "close",
        "remove_attachment",
        "interested",
        "not_interested",
        "undo",
        "accept",
        "decline",
        "cancel",
        "remove",
        "approve",
        "token",
        "check_in",
        "attend",
    ]
)
PK = st.one_of(NUMBERS, st.integers(min_value=-3, max_value=500).map(str), NASTY, TEXT)


def _keys(*names: str, **special: st.SearchStrategy) -> dict[str, st.SearchStrategy]:
    values = dict.fromkeys(names, VALUE)
    values.update(special)
    return values


# Each page that takes a POST: who posts (a role that reaches it), its URL arguments,
# and the fields it reads (a form class: its fields; else name → values).
POST_VIEWS = [
    ("signup", ANONYMOUS, {}, "core.forms.SignUpForm"),
    ("login", ANONYMOUS, {}, "core.forms.EmailAuthenticationForm"),
    ("password_reset", ANONYMOUS, {}, "core.forms.PasswordResetRequestForm"),
    ("password_change", ENTERPRISE, {}, "core.forms.LockoutPasswordChangeForm"),
    ("profile", ENTERPRISE, {}, "core.forms.ProfileForm"),
    ("delete-account", ENTERPRISE, {}, "core.forms.DeleteAccountForm"),
    ("organization", ENTERPRISE, {}, "core.forms.OrganizationForm"),
    ("organization-invite", ENTERPRISE, {}, "core.forms.InviteForm"),
    (
        "organization-member",
        ENTERPRISE,
        {"pk": "membership:ent_join_request"},
        _keys(action=st.one_of(ACTIONS, VALUE)),
    ),
    ("verify-email-resend", ENTERPRISE, {}, _keys("next")),
    ("set_language", ANONYMOUS, {}, _keys("language", "next")),
    ("my-need-new", ENTERPRISE, {}, "matchmaking.forms.catalog.NeedForm"),
    ("my-need-edit", ENTERPRISE, {"pk": "need:ent_draft"}, "matchmaking.forms.catalog.NeedForm"),
    (
        "my-need-action",
        ENTERPRISE,
        {"pk": "need:ent_draft"},
        _keys(action=st.one_of(ACTIONS, VALUE), attachment=PK),
    ),
    ("my-solution-new", PROVIDER, {}, "matchmaking.forms.catalog.SolutionForm"),
    (
        "my-solution-edit",
        PROVIDER,
        {"pk": "solution:prov_draft"},
        "matchmaking.forms.catalog.SolutionForm",
    ),
    (
        "my-solution-action",
        PROVIDER,
        {"pk": "solution:prov_draft"},
        _keys(action=st.one_of(ACTIONS, VALUE), attachment=PK),
    ),
    (
        "match-action",
        PROVIDER,
        {},
        _keys("message", "reason", "next", need=PK, solution=PK, action=st.one_of(ACTIONS, VALUE)),
    ),
    (
        "interest-action",
        ENTERPRISE,
        {"pk": "interest:incoming"},
        _keys("next", action=st.one_of(ACTIONS, VALUE)),
    ),
    (
        "saved-search-save",
        ENTERPRISE,
        {},
        _keys(
            "q",
            "name",
            "next",
            "frequency",
            "kind",
            "record_kind",
            "min_score",
            "industry",
            "capability",
            "budget_from",
        ),
    ),
    (
        "saved-search-action",
        ENTERPRISE,
        {"pk": "saved:ent"},
        _keys("name", action=st.one_of(ACTIONS, VALUE)),
    ),
    (
        "event-rsvp",
        ANONYMOUS,
        {"token": "registration:other_ent"},
        _keys("attendees", answer=st.one_of(st.sampled_from(["attend", "decline"]), VALUE)),
    ),
    (
        "event-rsvp-unavailability",
        ANONYMOUS,
        {"token": "registration:other_ent"},
        _keys(slots=PK),
    ),
    (
        "event-register",
        ENTERPRISE,
        {"pk": "event:published"},
        _keys("next", side=VALUE, organization=PK),
    ),
    (
        "event-request-meeting",
        ENTERPRISE,
        {"pk": "event:published"},
        _keys("message", to=PK, need=PK, solution=PK),
    ),
    (
        "meeting-request-action",
        ENTERPRISE,
        {"pk": "meetingrequest:own"},
        _keys(action=st.one_of(ACTIONS, VALUE)),
    ),
    ("calendar-link", ENTERPRISE, {}, _keys(event=PK)),
    ("calendar-rotate", ENTERPRISE, {}, {}),
    ("api-token-revoke", ENTERPRISE, {}, _keys("key")),
    (
        "event-check-in",
        STAFF,
        {"pk": "event:published"},
        _keys("q", token=VALUE, registration=PK, action=st.one_of(ACTIONS, VALUE)),
    ),
    ("event-feedback", ENTERPRISE, {"pk": "event:published"}, _keys("stage")),
]
# Pages that read a query string: who asks, and the parameters they read.
GET_VIEWS = [
    ("need-list", ANONYMOUS, "matchmaking.filters.NeedFilter", ("page",)),
    ("solution-list", ANONYMOUS, "matchmaking.filters.SolutionFilter", ("page",)),
    (
        "organization-list",
        ANONYMOUS,
        "matchmaking.filters.OrganizationDirectoryFilter",
        ("page",),
    ),
    ("matched-needs", PROVIDER, "matchmaking.filters.MatchedNeedFilter", ("page",)),
    ("my-need-list", ENTERPRISE, None, ("page",)),
    ("my-solution-list", PROVIDER, None, ("page",)),
    ("event-list", ANONYMOUS, None, ("page",)),
    ("dashboard", STAFF, None, ("season",)),
    ("event-check-in", STAFF, None, ("q",)),
    ("event-feedback", ENTERPRISE, None, ("stage",)),
    ("signup", ANONYMOUS, None, ("invitation",)),
]
GET_KWARGS = {"event-check-in": "event:published", "event-feedback": "event:published"}
# Pages with a token in their path: a forged token is a 404 (or the page's own refusal).
TOKEN_VIEWS = [
    ("event-rsvp", {}),
    ("event-rsvp-qr", {}),
    ("event-schedule-print", {}),
    ("event-rsvp-unavailability", {}),
    ("calendar-feed", {}),
    ("verify-email", {}),
    ("password_reset_confirm", {"uidb64": "MQ"}),
]


def _url(world: World, name: str, kwargs: dict) -> str:
    resolved = {}
    for key, ref in kwargs.items():
        obj = world[ref]
        resolved[key] = obj.rsvp_token if key == "token" else obj.pk
    return reverse(name, kwargs=resolved)


def _draw_post(draw, spec) -> tuple[QueryDict, MultiValueDict]:
    if isinstance(spec, str):
        form_class = next(cls for cls in _forms() if _label(cls) == spec)
        return _form_data(draw, dict(form_class.base_fields))
    data = QueryDict(mutable=True)
    for key, values in spec.items():
        chosen = draw(st.one_of(st.just(ABSENT), st.lists(values, min_size=1, max_size=3)))
        if chosen is not ABSENT:
            data.setlist(key, chosen)
    return data, MultiValueDict()


def _request(world: World, role: str, method: str, url: str, data=None):
    """One request as the role, in a savepoint undone afterwards, with fresh rate counts."""
    cache.clear()
    with transaction.atomic():
        client = client_as(world, role)
        response = getattr(client, method)(url, data or {})
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize(
    ("name", "role", "kwargs", "spec"), POST_VIEWS, ids=[view[0] for view in POST_VIEWS]
)
@VIEW_FUZZ
@given(data=st.data())
def test_form_view_never_answers_5xx(in_world, name, role, kwargs, spec, data):
    url = _url(in_world, name, kwargs)
    form_data, files = _draw_post(data.draw, spec)
    payload = {key: form_data.getlist(key) for key in form_data} | {
        key: files.getlist(key) for key in files
    }

    response = _request(in_world, role, "post", url, payload)

    assert response.status_code < 500


def _query_keys(filter_label: str | None, extra: tuple[str, ...]) -> dict:
    keys = dict.fromkeys(extra, VALUE)
    if filter_label:
        filterset_class = next(cls for cls in _filtersets() if _label(cls) == filter_label)
        for name, field in filterset_class.base_filters.items():
            keys[name] = st.one_of(
                VALUE, *([st.sampled_from(_choices(field.field))] if _choices(field.field) else [])
            )
    return keys


@pytest.mark.parametrize(
    ("name", "role", "filter_label", "extra"), GET_VIEWS, ids=[view[0] for view in GET_VIEWS]
)
@VIEW_FUZZ
@given(data=st.data())
def test_query_string_never_answers_5xx(in_world, name, role, filter_label, extra, data):
    kwargs = {"pk": GET_KWARGS[name]} if name in GET_KWARGS else {}
    url = _url(in_world, name, kwargs)
    query, _files = _draw_post(data.draw, _query_keys(filter_label, extra))

    response = _request(in_world, role, "get", f"{url}?{query.urlencode()}")

    assert response.status_code < 500


@pytest.mark.parametrize(("name", "kwargs"), TOKEN_VIEWS, ids=[view[0] for view in TOKEN_VIEWS])
@VIEW_FUZZ
@given(token=st.one_of(TEXT, NASTY).filter(lambda token: token.strip(". ") != ""))
def test_forged_token_never_answers_5xx(in_world, name, kwargs, token):
    placeholder = "TOKEN"
    url = reverse(name, kwargs={**kwargs, "token": placeholder}).replace(
        placeholder, quote(token, safe="")
    )

    response = _request(in_world, ANONYMOUS, "post" if "unavailability" in name else "get", url)

    assert response.status_code in (200, 302, 400, 404, 405)


# --- what the fuzzing found, kept as plain examples ------------------------------------

FOUND = [
    # A "next" that is no URL was taken for a view name (NoReverseMatch).
    ("verify-email-resend", ENTERPRISE, {}, {"next": "0"}),
    (
        "match-action",
        PROVIDER,
        {},
        {"need": "@need:ent", "solution": "@solution:prov", "action": "undo", "next": "0"},
    ),
    ("event-register", ENTERPRISE, {"pk": "event:published"}, {"next": "0"}),
    # Keys that are no numbers reached the database as primary keys (ValueError).
    ("match-action", PROVIDER, {}, {"need": "1e309", "solution": "x", "action": "interested"}),
    ("event-request-meeting", ENTERPRISE, {"pk": "event:published"}, {"to": "-Infinity"}),
    (
        "my-need-action",
        ENTERPRISE,
        {"pk": "need:ent_draft"},
        {"action": "remove_attachment", "attachment": "x"},
    ),
    ("event-check-in", STAFF, {"pk": "event:published"}, {"action": "undo", "registration": "x"}),
    # Digits that int() refuses: "²".isdigit() is True.
    ("event-register", ENTERPRISE, {"pk": "event:published"}, {"organization": "²"}),
    ("calendar-link", ENTERPRISE, {}, {"event": "²"}),
    # A key too large for a database integer, among the form's choices (OverflowError).
    ("my-need-new", ENTERPRISE, {}, {"title": "视觉质检", "capabilities": "9223372036854775808"}),
    (
        "my-solution-new",
        PROVIDER,
        {},
        {"title": "视觉质检", "industries": "9223372036854775808"},
    ),
]


@pytest.mark.parametrize(("name", "role", "kwargs", "data"), FOUND)
def test_hostile_value_found_by_fuzzing_is_refused_politely(in_world, name, role, kwargs, data):
    data = {
        key: in_world[value[1:]].pk if value.startswith("@") else value
        for key, value in data.items()
    }

    response = _request(in_world, role, "post", _url(in_world, name, kwargs), data)

    assert response.status_code in (200, 302, 400, 404)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_resend_verification_goes_back_only_to_this_site(in_world, target):
    url = reverse("verify-email-resend")

    response = _request(in_world, ENTERPRISE, "post", url, {"next": target})

    assert (response.status_code, response["Location"]) == (302, reverse("workspace"))


def test_resend_verification_goes_back_to_the_page_it_came_from(in_world):
    url = reverse("verify-email-resend")

    response = _request(in_world, ENTERPRISE, "post", url, {"next": "/needs/?page=2"})

    assert (response.status_code, response["Location"]) == (302, "/needs/?page=2")
