"""Every URL pattern of the site, found by walking the resolver, and how to fill its kwargs.

The access matrix and the CSRF test both start here, so that a new URL is tested as
soon as it exists: the walk finds it, and the tests fail until it is classified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.world import World


@dataclass(frozen=True)
class Route:
    name: str | None  # "namespace:name", or None for an unnamed pattern
    pattern: str  # the full pattern, for messages
    kwargs: tuple[str, ...]  # the names of its captured arguments
    view: Callable | None = field(default=None, compare=False, repr=False)


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every pattern under the root URLconf, with its namespaced name."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            routes += walk(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            kwargs = tuple(sorted(entry.pattern.regex.groupindex))
            routes.append(Route(name, pattern, kwargs, entry.callback))
    return routes


def named_routes() -> dict[str, Route]:
    """Named patterns by name; of DRF's format-suffix twins, the one without `format`."""
    routes: dict[str, Route] = {}
    for route in walk():
        if route.name is None:
            continue
        if route.name in routes and "format" in route.kwargs:
            continue
        routes[route.name] = route
    return routes


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


# --- admin URLs: their kwargs come from the model admin they belong to ---------------

ADMIN_VIEWS = ("changelist", "add", "history", "delete", "change")


def admin_model(name: str):
    """The model of a model-admin URL name (admin:<app>_<model>_<view>), else None."""
    for model in admin.site._registry:  # noqa: SLF001 — the admin's public registry
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def admin_kwargs(name: str, route: Route, world: World) -> dict:
    """Fill an admin URL's kwargs: an existing object of its model, or the values below."""
    if name == "admin:app_list":
        return {"app_label": "matchmaking"}
    if name == "admin:view_on_site":
        need = world["need:other"]
        return {
            "content_type_id": ContentType.objects.get_for_model(need).pk,
            "object_id": need.pk,
        }
    kwargs = {}
    model = admin_model(name)
    for kwarg in route.kwargs:
        if kwarg == "object_id" and model is not None:
            kwargs[kwarg] = _admin_object(model, world).pk
        elif (name, kwarg) in ADMIN_KWARG_VALUES:
            value = ADMIN_KWARG_VALUES[name, kwarg]
            kwargs[kwarg] = value(world) if callable(value) else value
        else:
            msg = f"{name}: no value for the URL argument {kwarg!r}; add it to ADMIN_KWARG_VALUES"
            raise LookupError(msg)
    return kwargs


ADMIN_KWARG_VALUES = {
    ("admin:auth_user_password_change", "id"): lambda world: world["user:other_ent"].pk,
    ("admin:events_event_export", "kind"): "attendees",
    ("admin:events_event_export", "fmt"): "csv",
}
# The world's object for a model, where one kind of row would be less telling.
ADMIN_OBJECTS = {
    "matchmaking.need": "need:other",
    "matchmaking.solution": "solution:other",
    "core.organization": "org:other_ent",
    "matchmaking.interest": "interest:foreign",
    "events.event": "event:published",
}


def _admin_object(model, world: World):
    key = ADMIN_OBJECTS.get(model._meta.label_lower)
    if key is not None:
        return world[key]
    found = model._default_manager.order_by("pk").first()
    if found is None:
        msg = f"the world has no {model._meta.label}; create one in tests/security/world.py"
        raise LookupError(msg)
    return found
