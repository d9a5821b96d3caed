"""One search index per kind of record and reading level, rebuilt when the catalog changes.

The index of a process is kept in memory with the state it was built from: the
number of records and their latest change (one small aggregate query per search)
and the synonym list's version (bumped when staff save a synonym). A search that
finds another state rebuilds the index first, so an approval, an edit or a
withdrawal is searchable at once — and a withdrawn record never shows anyway,
because results are always read through the caller's own queryset.

What a record's document holds depends on what the viewer may read
(matchmaking/rules.py): a need's full description is searched for signed-in
members only when the need shares it, and for staff always; anonymous visitors
search the public part (title, summary, organization, taxonomy labels).
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Max

from core.models import Capability, Industry, Organization
from matchmaking.engine.search import (
    SearchDocument,
    SearchIndex,
    SynonymGroup,
    build_glossary,
    file_synonyms,
    parse_group,
)
from matchmaking.models import Confidentiality, Need, SearchSynonym, Solution

PUBLIC, MEMBERS, FULL = "public", "members", "full"
KINDS = ("need", "solution", "organization")
_SYNONYMS_VERSION_KEY = "search:synonyms-version"
_lock = threading.Lock()
_indexes: dict[tuple[str, str], tuple[tuple, SearchIndex]] = {}
_glossary: dict[str, tuple] = {}


def level_of(user) -> str:
    """How much of a record's text the viewer may search."""
    if user is None or not user.is_authenticated:
        return PUBLIC
    return FULL if user.is_staff else MEMBERS


def synonyms_changed() -> None:
    """Staff changed the synonym list: every process rebuilds its indexes."""
    cache.set(_SYNONYMS_VERSION_KEY, uuid.uuid4().hex, None)


def synonym_groups() -> tuple[SynonymGroup, ...]:
    """The file's groups and the active ones staff added in the admin."""
    extra = []
    for chinese, english in SearchSynonym.objects.filter(active=True).values_list(
        "chinese", "english"
    ):
        group = parse_group(chinese, english)
        if group is not None:
            extra.append(group)
    return file_synonyms() + tuple(extra)


def _glossary_for(version: str):
    cached = _glossary.get("current")
    if cached is None or cached[0] != version:
        groups = synonym_groups()
        cached = (version, build_glossary(groups), groups)
        _glossary["current"] = cached
    return cached[1], cached[2]


def _labels(model) -> dict[int, str]:
    return {
        pk: f"{zh} {en}" for pk, zh, en in model.objects.values_list("pk", "name_zh", "name_en")
    }


def _m2m(through, owner: str, target: str, labels: dict[int, str]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for owner_id, target_id in through.objects.values_list(owner, target):
        found[owner_id].append(labels.get(target_id, ""))
    return found


def _need_documents(level: str) -> list[SearchDocument]:
    capabilities = _m2m(Need.capabilities.through, "need_id", "capability_id", _labels(Capability))
    rows = Need.objects.values_list(
        "pk",
        "title",
        "summary",
        "description",
        "confidentiality",
        "organization__name",
        "organization__name_en",
        "industry__name_zh",
        "industry__name_en",
    )
    documents = []
    for pk, title, summary, description, confidentiality, *labels in rows:
        readable = level == FULL or (
            level == MEMBERS and confidentiality == Confidentiality.MEMBERS
        )
        texts = (summary, description if readable else "", *(x or "" for x in labels))
        documents.append(SearchDocument(pk, title, texts + tuple(capabilities.get(pk, ()))))
    return documents


def _solution_documents(level: str) -> list[SearchDocument]:
    capability_labels = _labels(Capability)
    industry_labels = _labels(Industry)
    capabilities = _m2m(
        Solution.capabilities.through, "solution_id", "capability_id", capability_labels
    )
    industries = _m2m(Solution.industries.through, "solution_id", "industry_id", industry_labels)
    rows = Solution.objects.values_list(
        "pk",
        "title",
        "summary",
        "description",
        "cases",
        "base_model",
        "organization__name",
        "organization__name_en",
    )
    return [
        SearchDocument(
            pk,
            title,
            tuple(texts) + tuple(capabilities.get(pk, ())) + tuple(industries.get(pk, ())),
        )
        for pk, title, *texts in rows
    ]


def _organization_documents(level: str) -> list[SearchDocument]:
    rows = Organization.objects.values_list(
        "pk", "name", "name_en", "description", "district", "industry__name_zh", "industry__name_en"
    )
    return [SearchDocument(pk, name, tuple(x or "" for x in texts)) for pk, name, *texts in rows]


_SOURCES = {
    "need": (Need, _need_documents),
    "solution": (Solution, _solution_documents),
    "organization": (Organization, _organization_documents),
}


def index_for(kind: str, level: str = PUBLIC) -> SearchIndex:
    """The current index of `kind` at the viewer's reading level (see the module docstring)."""
    model, documents = _SOURCES[kind]
    if kind != "need":
        level = PUBLIC  # what solutions and organizations show is the same for everyone
    state = model.objects.aggregate(n=Count("pk"), changed=Max("updated_at"), last=Max("pk"))
    synonyms = cache.get(_SYNONYMS_VERSION_KEY) or ""
    version = (state["n"], state["changed"], state["last"], synonyms)
    cached = _indexes.get((kind, level))
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _indexes.get((kind, level))
        if cached is not None and cached[0] == version:
            return cached[1]
        glossary, groups = _glossary_for(synonyms)
        index = SearchIndex(documents(level), glossary=glossary, groups=groups)
        _indexes[(kind, level)] = (version, index)
        return index
