"""Numbers no database integer can hold are a 400 — never a query, never a 500.

On SQLite (the embedded default) such a number in a foreign-key or `in` lookup was
a server error ("Python int too large to convert to SQLite INTEGER"); on PostgreSQL it
was a pointless query. Filters refuse it (config/filtering.py), path parameters too
(config/middleware.py IntegerRangeMiddleware), and the ORM lookups that would pass it
to the driver treat it as matching nothing (core/lookups.py). The module runs on the
suite's database and, with the schema fuzzer, on SQLite in a subprocess
(tests/security/test_api_schema_fuzz.py).
"""

from __future__ import annotations

import inspect
import re

import django_filters
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.test import APIClient

from config.api_router import router
from config.filtering import FilterBackend, FilterSet
from config.forms import MAX_DB_INTEGER
from core.models import Organization
from events.models import Meeting
from matchmaking.models import Interest, Need
from tests.security.conftest import client_as
from tests.security.routes import walk
from tests.security.world import ROLES, STAFF

pytestmark = pytest.mark.django_db

HUGE = [MAX_DB_INTEGER + 1, -(MAX_DB_INTEGER + 1), 10**25, -2255082649622419505745494016]


def _api_client(world, role: str) -> APIClient:
    client = APIClient()
    user = world.user(role)
    if user is not None:
        client.force_authenticate(user)
    return client


# --- what the outside tester sent -------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_huge_need_filter_on_introductions_is_a_400(in_world, role):
    response = _api_client(in_world, role).get(
        "/api/v1/interests/", {"need": "-2255082649622419505745494016"}
    )

    assert response.status_code in (400, 403)  # 403: the anonymous visitor, before filtering


def test_a_25_digit_organization_filter_on_meetings_is_a_400(in_world):
    response = _api_client(in_world, STAFF).get(
        "/api/v1/meetings/", {"organization": "1234567890123456789012345"}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["organization"]


# --- every integer filter of the API ----------------------------------------------------


def _number_filters() -> list[tuple[str, str]]:
    found = []
    for prefix, viewset, _basename in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is None and getattr(viewset, "filterset_fields", None):
            view = viewset(request=None, format_kwarg=None, action="list")
            filterset_class = FilterBackend().get_filterset_class(view, viewset.queryset)
        for name, declared in (filterset_class.base_filters if filterset_class else {}).items():
            if isinstance(declared, django_filters.NumberFilter):
                found.append((prefix, name))
    return found


NUMBER_FILTERS = _number_filters()


def test_the_api_has_integer_filters_to_check():
    assert {("interests", "need"), ("meetings", "organization"), ("matches", "solution")} <= set(
        NUMBER_FILTERS
    )


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(("prefix", "name"), NUMBER_FILTERS)
def test_every_number_filter_refuses_what_no_column_holds(in_world, prefix, name, value):
    response = _api_client(in_world, STAFF).get(f"/api/v1/{prefix}/", {name: str(value)})

    assert response.status_code == 400
    assert name in response.json()


@pytest.mark.parametrize("value", ["1.5", "1e30", "0x10", "0", "-3"])
def test_an_id_filter_takes_whole_numbers_only(in_world, value):
    response = _api_client(in_world, STAFF).get("/api/v1/meetings/", {"event": value})

    assert response.status_code == 400


# --- every path parameter -------------------------------------------------------------


def _int_routes() -> list[str]:
    """Patterns whose parameters are all integers, with them replaced by `{n}`."""
    patterns = []
    for route in walk():
        pattern = route.pattern
        if "<int:" not in pattern or route.name is None or ":" in route.name:
            continue
        if re.search(r"<(?!int:)[^>]+>", pattern):
            continue
        patterns.append("/" + re.sub(r"<int:\w+>", "{n}", pattern).lstrip("^").rstrip("$"))
    return sorted(set(patterns))


INT_ROUTES = _int_routes()
API_DETAIL_ROUTES = sorted(
    f"/api/v1/{prefix}/{{n}}/" for prefix, *_ in router.registry if prefix != "auth/token"
)


def test_the_site_has_integer_path_parameters_to_check():
    assert "/needs/{n}/" in INT_ROUTES
    assert len(INT_ROUTES) >= 10


@pytest.mark.parametrize("route", INT_ROUTES)
def test_every_integer_path_parameter_refuses_what_no_column_holds(in_world, route):
    client = client_as(in_world, STAFF)

    response = client.get(route.format(n=10**25))

    assert response.status_code == 400


@pytest.mark.parametrize("route", API_DETAIL_ROUTES)
def test_every_api_id_refuses_what_no_column_holds(in_world, route):
    response = _api_client(in_world, STAFF).get(route.format(n=10**25))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_an_api_url_of_no_route_answers_in_json(in_world):
    response = _api_client(in_world, STAFF).post("/api/v1/needs/0.5/submit/")

    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}


# --- the net under every other query ------------------------------------------------------


@pytest.mark.parametrize("value", HUGE)
def test_lookups_with_out_of_range_numbers_match_nothing(db, value):
    assert list(Interest.objects.filter(need_id=value)) == []
    assert list(Interest.objects.filter(need=value)) == []
    assert list(Need.objects.filter(pk__in=[value])) == []
    assert list(Interest.objects.filter(need__in=[value, -1])) == []
    assert Meeting.objects.filter(enterprise_id=value).count() == 0
    assert Organization.objects.exclude(pk=value).count() == Organization.objects.count()


def test_an_in_lookup_keeps_the_numbers_that_fit(db):
    organization = Organization.objects.create(
        name="测试", kind="enterprise", uscc="91310104MA1FL0TL8W"
    )

    assert list(Organization.objects.filter(pk__in=[10**25, organization.pk])) == [organization]


# --- in one place ----------------------------------------------------------------------------


def _project_filtersets() -> list[type]:
    found, todo = [], [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        module = inspect.getmodule(cls).__name__
        if module.split(".")[0] in ("config", "core", "matchmaking", "events"):
            found.append(cls)
    return found


def test_every_filterset_of_the_project_is_range_checked():
    filtersets = _project_filtersets()

    assert len(filtersets) >= 6
    assert [cls.__qualname__ for cls in filtersets if not issubclass(cls, FilterSet)] == []


def test_the_api_refuses_a_filterset_that_is_not_range_checked():
    class Unchecked(django_filters.FilterSet):
        class Meta:
            model = Need
            fields = ["status"]

    class View:
        filterset_class = Unchecked

    with pytest.raises(ImproperlyConfigured):
        FilterBackend().get_filterset_class(View(), Need.objects.all())


def test_the_catalog_pages_refuse_a_huge_budget_without_an_error(client, db):
    response = client.get(reverse("need-list"), {"budget_from": str(10**30)})

    assert response.status_code == 200
    assert "budget_from" in response.content.decode()
