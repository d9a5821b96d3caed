"""Searching a queryset, and what a result page shows: snippets and suggestions."""

from __future__ import annotations

import json
import re

from django.db import connection
from django.db.models import IntegerField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from core.models import Capability, Industry
from matchmaking.engine.search import matched, snippet
from matchmaking.search.index import FULL, MEMBERS, index_for, level_of

# Results of one search, best first; past these the next ones add nothing a reader
# would page to, and the ordering clause stays small.
MAX_RESULTS = 500
RANK = "search_rank"


def search(queryset: QuerySet, *, kind: str, query: str, user, restrict: bool) -> QuerySet:
    """The records of `queryset` that answer `query`, annotated with their rank (0 = best).

    `restrict`: the queryset is already narrowed by other filters, so the search looks
    only among its records (one id query); otherwise it takes the best results of the
    whole index and the queryset keeps those the caller may see.
    """
    index = index_for(kind, level_of(user))
    among = list(queryset.values_list("pk", flat=True)) if restrict else None
    hits = index.search(query, among=among, limit=MAX_RESULTS)
    if not hits:
        return queryset.none().annotate(**{RANK: Value(0, output_field=IntegerField())})
    keys = [hit.key for hit in hits]
    return queryset.filter(pk__in=_listed(keys)).annotate(**{RANK: _rank(queryset.model, keys)})


def _listed(keys: list[int]):
    """The ids as one parameter where the database can unpack it: a list of hundreds of
    ids costs Django more to prepare, value by value, than the search itself."""
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(keys),))
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (keys,))
    return keys


def _rank(model, keys: list[int]) -> RawSQL:
    """A record's position in `keys` (smaller = better): where its id appears in the
    comma-separated list. One string parameter, whatever the number of keys (a CASE of
    hundreds of WHENs cost more to build than the search itself)."""
    listed = "," + ",".join(str(key) for key in keys) + ","
    column = f'"{model._meta.db_table}"."{model._meta.pk.column}"'
    position = "strpos" if connection.vendor == "postgresql" else "instr"
    # Only our own table and column names are inlined; the key list is a parameter.
    sql = f"{position}(%s, ',' || {column} || ',')"
    return RawSQL(sql, (listed,), output_field=IntegerField())  # noqa: S611


def by_relevance(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(RANK, "-pk")


def highlight_terms(kind: str, query: str, user) -> tuple[str, ...]:
    return index_for(kind, level_of(user), checked=True).highlight_terms(query)


def record_snippet(record, terms, user) -> SafeString:
    """A short excerpt of what the viewer may read of the record, matched terms marked."""
    texts = [record.summary]
    if record.description and _readable_description(record, level_of(user)):
        texts.append(record.description)
    for text in texts:
        if text and matched(text, terms):
            return mark_safe(snippet(text, terms))  # noqa: S308 -- snippet() escapes the text
    return mark_safe(snippet(texts[0] or "", terms))  # noqa: S308 -- as above


def _readable_description(record, level: str) -> bool:
    if not hasattr(record, "confidentiality"):
        return True  # a published solution's description is public
    return level == FULL or (level == MEMBERS and record.confidentiality == "members")


def suggestions(kind: str, query: str, user) -> dict:
    """For a search without result: close terms of the synonym list, and the industries
    and capabilities whose names share a word or two characters with the query."""
    index = index_for(kind, level_of(user), checked=True)
    pieces = _pieces(query)
    terms: list[str] = []
    for group in index.groups:
        if len(terms) >= 8:
            break
        if any(_pieces(term) & pieces for term in group.zh + group.en):
            terms.extend(t for t in (group.zh[0], group.en[0] if group.en else "") if t)
    taxonomy = {}
    for name, model in (("industry", Industry), ("capability", Capability)):
        taxonomy[name] = [
            item
            for item in model.objects.order_by("sort_order")
            if _pieces(f"{item.name_zh} {item.name_en}") & pieces
        ]
    return {"terms": list(dict.fromkeys(terms))[:8], **taxonomy}


def _pieces(text: str) -> set[str]:
    """Latin words (3+ letters) and Chinese character pairs of a text, lowercased."""
    text = text.lower()
    words = set(re.findall(r"[a-z0-9]{3,}", text))
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        words.update(run[i : i + 2] for i in range(len(run) - 1))
    return words


def search_context(kind: str, query: str, user, page) -> dict:
    """What a result page adds for a search: each record's snippet, or suggestions."""
    terms = highlight_terms(kind, query, user)
    for record in page.object_list:
        record.search_snippet = record_snippet(record, terms, user)
    context = {"search_query": query}
    if not page.object_list:
        context["suggestions"] = suggestions(kind, query, user)
    return context
