"""Saved searches and their digest emails.

A signed-in user saves a catalog search (query and filters) or follows "new needs that
match my solutions above a score", and chooses daily or weekly digests.
`send_due_digests` (a beat job, matchmaking.send_search_digests) sends each user ONE
email with what is new since they subscribed, over all their due searches, and never
the same record twice: every record sent is remembered in a SearchAlert row, unique per
user and record, written in the same transaction that queues the email through the
outbox — a worker that dies before commit leaves nothing behind, one that dies after
leaves a queued email the outbox delivers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.emails import queue_email
from core.errors import DomainError
from core.models import User
from core.selectors import member_org_ids
from matchmaking.models import Match, Need, SavedSearch, SearchAlert, Solution, Status

SALT = "saved-search-unsubscribe"
MAX_ITEMS = 30
# Filters a saved search keeps (the catalog filters' names).
FILTER_NAMES = (
    "industry",
    "capability",
    "deployment",
    "data_readiness",
    "maturity",
    "filed",
    "budget_from",
    "budget_to",
    "price_from",
    "price_to",
)
PERIOD = {
    SavedSearch.Frequency.DAILY: timedelta(hours=23),
    SavedSearch.Frequency.WEEKLY: timedelta(days=6, hours=23),
}


def clean_filters(data) -> dict[str, list[str]]:
    """The known catalog filters of a query string, as lists of non-empty values."""
    filters = {}
    for name in FILTER_NAMES:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        values = [values] if isinstance(values, str) else list(values)
        kept = sorted({_text(v)[:60] for v in values if _text(v)})[:20]
        if kept:
            filters[name] = kept
    return filters


def _text(value) -> str:
    """A user's text as the database can hold it (PostgreSQL refuses NUL characters)."""
    return str(value).replace("\x00", "").strip()


@transaction.atomic
def save_search(
    *,
    by: User,
    name: str,
    kind: str = SavedSearch.Kind.SEARCH,
    record_kind: str = "need",
    query: str = "",
    filters: dict[str, list[str]] | None = None,
    frequency: str = SavedSearch.Frequency.WEEKLY,
    min_score: int = 60,
) -> SavedSearch:
    """Follow a search (or the matches of one's solutions) from now on."""
    name, query = _text(name), _text(query)
    if kind == SavedSearch.Kind.SEARCH and not (query or filters):
        raise DomainError(_("Search for something or choose a filter before saving."))
    saved = SavedSearch.objects.create(
        user=by,
        name=(name.strip() or query.strip() or _("My search"))[:80],
        kind=kind,
        record_kind="need" if kind == SavedSearch.Kind.MATCHES else record_kind,
        query=query.strip()[:200],
        filters=filters or {},
        frequency=frequency,
        min_score=max(0, min(100, int(min_score))),
    )
    audit.record(by, "saved_search.created", saved, kind=kind, frequency=frequency)
    return saved


@transaction.atomic
def rename_search(*, by: User, saved: SavedSearch, name: str) -> SavedSearch:
    _require_owner(by, saved)
    name = _text(name)
    if not name:
        raise DomainError(_("Give the search a name."))
    saved.name = name[:80]
    saved.save(update_fields=["name"])
    audit.record(by, "saved_search.renamed", saved)
    return saved


@transaction.atomic
def delete_search(*, by: User | None, saved: SavedSearch) -> None:
    """Stop following a search (`by` None: through the unsubscribe link of an email)."""
    if by is not None:
        _require_owner(by, saved)
    audit.record(by, "saved_search.deleted", saved, via="link" if by is None else "account")
    saved.delete()


def _require_owner(by: User, saved: SavedSearch) -> None:
    if saved.user_id != by.pk:
        raise DomainError(_("This is not your saved search."))


def unsubscribe_token(saved: SavedSearch) -> str:
    return signing.dumps({"s": saved.pk, "u": saved.user_id}, salt=SALT)


def search_from_token(token: str) -> SavedSearch | None:
    """The saved search an unsubscribe link names, or None (bad, forged or gone)."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=data.get("s"), user_id=data.get("u")).first()


# --- digests ---------------------------------------------------------------------------


def _search_results(saved: SavedSearch) -> QuerySet:
    from matchmaking.filters import NeedFilter, SolutionFilter  # noqa: PLC0415

    model, filterset = (
        (Need, NeedFilter) if saved.record_kind == "need" else (Solution, SolutionFilter)
    )
    data = {name: values for name, values in saved.filters.items() if name in FILTER_NAMES}
    if saved.query:
        data["q"] = saved.query
    request = type("Request", (), {"user": saved.user})()
    found = filterset(_QueryData(data), queryset=model.objects.published(), request=request)
    return found.qs if found.is_valid() else model.objects.none()


class _QueryData(dict):
    """A dict that answers `getlist` as a QueryDict does (django-filter's forms use it)."""

    def getlist(self, key, default=None):
        value = self.get(key, default or [])
        return value if isinstance(value, list) else [value]


def _matched_needs(saved: SavedSearch) -> QuerySet:
    matched = Match.objects.active().filter(
        solution__organization_id__in=member_org_ids(saved.user),
        solution__status=Status.APPROVED,
        score__gte=saved.min_score / 100,
    )
    return Need.objects.published().filter(pk__in=matched.values("need_id"))


def new_records(saved: SavedSearch, *, exclude: set[int]) -> list:
    """Records of the search published since it was saved, not yet sent to the user."""
    records = (
        _matched_needs(saved) if saved.kind == SavedSearch.Kind.MATCHES else _search_results(saved)
    )
    field = "need" if saved.record_kind == "need" else "solution"
    already = SearchAlert.objects.filter(user=saved.user).exclude(**{f"{field}": None})
    records = (
        records.filter(published_at__gte=saved.created_at)
        .exclude(pk__in=already.values(f"{field}_id"))
        .exclude(pk__in=exclude)
        .select_related("organization")
    )
    return list(records.order_by("-published_at", "-pk")[:MAX_ITEMS])


def due_searches(now) -> QuerySet:
    due = Q()
    for frequency, period in PERIOD.items():
        due |= Q(frequency=frequency) & (
            Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - period)
        )
    return SavedSearch.objects.filter(due, user__is_active=True).select_related("user")


def send_due_digests(*, now=None) -> int:
    """One digest per user whose searches are due; returns the number of emails queued."""
    now = now or timezone.now()
    users = sorted(set(due_searches(now).values_list("user_id", flat=True)))
    return sum(1 for user_id in users if send_digest(user_id=user_id, now=now))


@transaction.atomic
def send_digest(*, user_id: int, now) -> bool:
    """The user's digest: new records of every due search, each record once."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    sections: list[dict[str, Any]] = []
    seen: dict[str, set[int]] = {"need": set(), "solution": set()}
    searches = list(due_searches(now).filter(user=user).order_by("pk"))
    for saved in searches:
        records = new_records(saved, exclude=seen[saved.record_kind])
        seen[saved.record_kind].update(r.pk for r in records)
        if records:
            sections.append(
                {
                    "search": saved,
                    "records": records,
                    "kind": saved.record_kind,
                    "unsubscribe": settings.SITE_URL
                    + reverse("saved-search-unsubscribe", args=[unsubscribe_token(saved)]),
                }
            )
    SavedSearch.objects.filter(pk__in=[s.pk for s in searches]).update(last_sent_at=now)
    if not sections:
        return False
    email = queue_email(
        to=user.email,
        user=user,
        template="search_digest",
        context={"sections": sections, "count": sum(len(s["records"]) for s in sections)},
        key=f"search-digest:{user.pk}:{now.isoformat()}",
    )
    SearchAlert.objects.bulk_create(
        [
            SearchAlert(user=user, email=email, **{section["kind"]: record})
            for section in sections
            for record in section["records"]
        ]
    )
    audit.record(
        None, "saved_search.digest_sent", user, records=sum(len(s["records"]) for s in sections)
    )
    return True
