"""The account page's calendar section: my personal feed link, and a way to replace it."""

from __future__ import annotations

from django import template

from events.models import CalendarFeed

register = template.Library()


@register.inclusion_tag("events/account_calendar.html", takes_context=True)
def calendar_feed_settings(context) -> dict:
    request = context["request"]
    membership = request.user.primary_membership
    feed = (
        CalendarFeed.objects.filter(user=request.user, organization=membership.organization)
        .only("token")
        .first()
        if membership is not None
        else None
    )
    return {
        "membership": membership,
        "feed_url": request.build_absolute_uri(feed.get_absolute_url()) if feed else None,
        "csrf_token": context.get("csrf_token"),
    }
