"""The account page's list of saved searches (rename, delete)."""

from __future__ import annotations

from django import template

from matchmaking.models import SavedSearch

register = template.Library()


@register.inclusion_tag("account/saved_searches.html", takes_context=True)
def saved_searches(context) -> dict:
    user = context["request"].user
    return {
        "searches": list(SavedSearch.objects.filter(user=user).order_by("name", "pk")),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("account/followed_topics.html")
def followed_topics() -> dict:
    """The staff dashboard's table of what users follow."""
    from matchmaking.selectors import followed_topics as topics  # noqa: PLC0415

    return {"topics": topics()}
