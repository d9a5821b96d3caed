"""The season plan's report in the reader's language: its quality and its notes.

The planner (events.planning) imports no Django: it writes its notes as an English
msgid and the figures that fill it (planning.Note), which the season keeps one JSON
object a line (services.season.store_notes). Here they are worded when shown, in the
language of whoever reads them, with industries by name, and the quality figures in
words an office uses (percentages, “needs”, “events”), not the planner's own terms.
"""

from __future__ import annotations

import json
from dataclasses import fields

from django.utils.translation import get_language, gettext, ngettext

from core.models import Industry
from events import planning
from events.models import Season

# Needs without an industry are planned together under this code.
OTHER_INDUSTRY = "other"
OTHER_INDUSTRY_NAMES = ("其他行业", "Other industries")


def stored_quality(season: Season) -> planning.PlanQuality | None:
    """The plan quality stored on the season, as the planner's dataclass (for display)."""
    names = {f.name for f in fields(planning.PlanQuality)}
    if not season.plan_quality or not names <= season.plan_quality.keys():
        return None
    return planning.PlanQuality(**{k: season.plan_quality[k] for k in names})


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _industry_names(codes: list[str], names: dict[str, tuple[str, str]]) -> str:
    index = 1 if _english() else 0
    shown = [names.get(code, (code, code))[index] for code in codes]
    return (" + " if _english() else "、").join(shown)


def _word(line: str, names: dict[str, tuple[str, str]]) -> str:
    try:
        note = json.loads(line)
        message, values = note["message"], dict(note["values"])
    except (ValueError, KeyError, TypeError):
        return line  # written before notes were stored as data
    for key, value in values.items():
        if key.endswith("_industries") and isinstance(value, list):
            values[key] = _industry_names(value, names)
    try:
        return gettext(message) % values
    except (KeyError, TypeError, ValueError):
        return message


def plan_notes(season: Season) -> list[str]:
    """The planner's notes for this season, in the active language."""
    lines = [line for line in (season.plan_notes or "").splitlines() if line.strip()]
    if not lines:
        return []
    names = {
        i.code: (i.name_zh, i.name_en) for i in Industry.objects.only("code", "name_zh", "name_en")
    }
    names[OTHER_INDUSTRY] = OTHER_INDUSTRY_NAMES
    names[planning.MIXED] = planning.MIXED_NAMES
    return [_word(line, names) for line in lines]


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def quality_lines(season: Season) -> list[tuple[str, bool | None]]:
    """The plan's figures against their targets: (sentence, met or not; None for facts)."""
    q = stored_quality(season)
    if q is None:
        return []
    return [
        (
            gettext(
                "Needs covered: %(share)s — %(covered)d of %(total)d needs meet at least "
                "%(minimum)d of their %(top)d best-matched providers at their event "
                "(target: at least %(target)s)."
            )
            % {
                "share": _percent(q.coverage),
                "covered": q.needs_covered,
                "total": q.needs_total,
                "minimum": planning.COVER_MIN,
                "top": planning.TOP_K,
                "target": _percent(planning.COVERAGE_TARGET),
            },
            q.coverage >= planning.COVERAGE_TARGET,
        ),
        (
            gettext(
                "Events of even size: the largest has %(largest)d needs, the smallest "
                "%(smallest)d — %(ratio).1f times as many (target: at most %(target).1f)."
            )
            % {
                "largest": q.largest_event,
                "smallest": q.smallest_event,
                "ratio": q.balance,
                "target": planning.BALANCE_TARGET,
            },
            q.balance <= planning.BALANCE_TARGET,
        ),
        (
            gettext(
                "Agreed introductions kept together: %(share)s — %(together)d of %(total)d "
                "pairs that agreed to meet are invited to the same event (target: at least "
                "%(target)s)."
            )
            % {
                "share": _percent(q.intro_cohesion),
                "together": q.introductions_cohesive,
                "total": q.introductions_total,
                "target": _percent(planning.COHESION_TARGET),
            },
            q.intro_cohesion >= planning.COHESION_TARGET,
        ),
        (
            ngettext(
                "%(planned)d event planned (target %(target)d); ",
                "%(planned)d events planned (target %(target)d); ",
                q.events_planned,
            )
            % {"planned": q.events_planned, "target": q.events_target}
            + gettext(
                "%(placed)d of %(total)d needs placed (%(thin)d with fewer than %(minimum)d "
                "matched providers); %(providers)d providers invited, %(invitations)d "
                "invitations in all."
            )
            % {
                "placed": q.needs_placed,
                "total": q.needs_total,
                "thin": q.needs_uncoverable,
                "minimum": planning.COVER_MIN,
                "providers": q.providers_invited,
                "invitations": q.invitations,
            },
            None,
        ),
    ]
