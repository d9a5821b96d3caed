"""The organizations directory's search (docs/SEARCH.md).

An organization answers a query by its own profile — name in both languages,
description, district, industry (the "organization" index) — or by one of its
published needs and solutions: their titles and texts as the viewer may read them,
their capabilities and industries by their labels in both languages (the catalog's
indexes, at the viewer's reading level). Its rank is its best score in either, so
"质检" finds the provider whose solution offers 缺陷检测 although its profile never
says so. Unpublished records are never searched: hits are read back through the
published records of the listed organizations only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

from matchmaking.engine.search import matched, snippet
from matchmaking.models import Need, Solution
from matchmaking.search.index import index_for, level_of
from matchmaking.search.queries import MAX_RESULTS, highlight_terms


@dataclass(frozen=True)
class Via:
    """The published record through which an organization answered the query."""

    kind: str
    pk: int
    title: str


@dataclass
class DirectoryResults:
    ids: list[int]  # the organizations found, best first
    via: dict[int, Via] = field(default_factory=dict)  # those found through a record


def search_directory(organizations: QuerySet, query: str, user) -> DirectoryResults:
    """The organizations of `organizations` that answer `query`, best first."""
    listed = list(organizations.values_list("pk", flat=True))
    if not listed:
        return DirectoryResults(ids=[])
    best = {
        hit.key: hit.score
        for hit in index_for("organization").search(query, among=listed)[:MAX_RESULTS]
    }
    via: dict[int, tuple[float, Via]] = {}
    level = level_of(user)
    for kind, model in (("need", Need), ("solution", Solution)):
        hits = index_for(kind, level).search(query)[:MAX_RESULTS]
        records = {
            pk: (owner, title)
            for pk, owner, title in model.objects.published()
            .filter(pk__in=[hit.key for hit in hits], organization_id__in=listed)
            .values_list("pk", "organization_id", "title")
        }
        for hit in hits:
            if hit.key not in records:
                continue
            owner, title = records[hit.key]
            best[owner] = max(best.get(owner, hit.score), hit.score)
            if owner not in via or hit.score > via[owner][0]:
                via[owner] = (hit.score, Via(kind, hit.key, title))
    ids = sorted(best, key=lambda pk: (-best[pk], -pk))
    return DirectoryResults(ids=ids, via={pk: found for pk, (_score, found) in via.items()})


def directory_context(query: str, user, organizations, results: DirectoryResults) -> None:
    """Mark what matched on each organization of a result page: a snippet of its
    description where it matches, and the best published record it was found through."""
    terms = highlight_terms("organization", query, user)
    for organization in organizations:
        if organization.description and matched(organization.description, terms):
            organization.search_snippet = _snippet(organization.description, terms)
        found = results.via.get(organization.pk)
        if found is not None:
            organization.search_via = found
            organization.search_via_title = _snippet(found.title, terms)


def _snippet(text: str, terms) -> SafeString:
    return mark_safe(snippet(text or "", terms))  # noqa: S308 -- snippet() escapes the text
