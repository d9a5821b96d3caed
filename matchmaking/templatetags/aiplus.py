"""Template helpers: money in 万元 per language, status badges, query strings."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

register = template.Library()

STATUS_STYLE = {
    "draft": "grey",
    "submitted": "warn",
    "approved": "ok",
    "rejected": "err",
    "closed": "grey",
    "withdrawn": "grey",
}


def _amount(value: int) -> str:
    """One amount given in 万元: “50 万元” in Chinese, “CNY 500k” in English."""
    if (get_language() or "").startswith("en"):
        cny = value * 10_000
        if cny >= 1_000_000:
            return f"{cny / 1_000_000:g}M"
        return f"{cny // 1000:g}k"
    return number_format(value, force_grouping=True)


@register.filter
def score(value) -> str:
    """A match score on the one scale the site uses, 0–100 (the engine's 0–1 × 100):
    the same scale as the chips' percentages and the “minimum score” filter."""
    if value is None or value == "":
        return ""
    return str(round(float(value) * 100))


@register.simple_tag
def money_range(low: int | None, high: int | None) -> str:
    english = (get_language() or "").startswith("en")
    unit = "CNY " if english else ""
    suffix = "" if english else " 万元"
    if low is None and high is None:
        return _("to be discussed")
    if low is not None and high is not None:
        if low == high:
            return f"{unit}{_amount(low)}{suffix}"
        return f"{unit}{_amount(low)}–{_amount(high)}{suffix}"
    if low is not None:
        return f"≥ {unit}{_amount(low)}{suffix}"
    return f"≤ {unit}{_amount(high)}{suffix}"


@register.simple_tag
def status_badge(record) -> str:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_STYLE.get(record.status, "grey"),
        record.get_status_display(),
    )


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"


# The components a page explains, in the order users read them. (Spelled `gettext_lazy`:
# makemessages only extracts the standard names, so an alias would leave them untranslated.)
COMPONENT_LABELS = {
    "industry": gettext_lazy("Industry"),
    "capabilities": gettext_lazy("Capabilities"),
    "deployment": gettext_lazy("Deployment"),
    "budget": gettext_lazy("Budget"),
    "maturity": gettext_lazy("Maturity"),
    "text": gettext_lazy("Text similarity"),
}


@register.inclusion_tag("includes/match_chips.html")
def match_chips(match, need=None) -> dict:
    """Component chips (with a colour by strength) and the shared terms of one match.

    With the match's need, the explanation also says when the need accepts filed
    services only (the engine then never keeps an unverified solution).
    """
    chips = []
    for key, label in COMPONENT_LABELS.items():
        value = match.components.get(key)
        if value is None:
            continue
        shown = min(1.0, value / 0.5) if key == "text" else value  # text saturates at 0.5
        style = "ok" if shown >= 0.8 else "warn" if shown >= 0.4 else "grey"
        chips.append({"label": label, "percent": round(shown * 100), "style": style, "key": key})
    solution = match.solution
    return {
        "chips": chips,
        "terms": match.terms,
        "score": round(match.score * 100),
        "filing_verified_on": solution.filing_verified_on if solution.filing_verified else None,
        "requires_filing": bool(need is not None and need.requires_filing),
        # The need said "not sure" or named a capability its text contradicts.
        "inferred": bool(match.components.get("capabilities_inferred")),
    }
