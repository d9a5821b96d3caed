"""Reads of needs, solutions and matches for the pages and the API.

Who may see which record and which of its fields is decided in matchmaking/rules.py;
this module answers the queries those rules and the pages need.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from core.selectors import member_org_ids
from matchmaking.models import Attachment, Need, Solution, Status, StatusChange, Thread, ThreadRead


def introduced(user, record: Need | Solution) -> bool:
    """Whether the user's organization and the record's side agreed to be introduced.

    One query per request and record type (cached on the user object), so that lists
    stay at a constant number of queries.
    """
    if not user.is_authenticated:
        return False
    kind = "need" if isinstance(record, Need) else "solution"
    cache = user.__dict__.setdefault("_introduced_ids", {})
    if kind not in cache:
        cache[kind] = _introduced_ids(user, kind)
    return record.pk in cache[kind]


def _introduced_ids(user, kind: str) -> frozenset[int]:
    try:
        interest_model = apps.get_model("matchmaking", "Interest")
    except LookupError:
        return frozenset()
    accepted = interest_model.objects.filter(status="accepted")
    mine = member_org_ids(user)
    if kind == "need":
        ids = accepted.filter(solution__organization_id__in=mine).values_list("need_id", flat=True)
    else:
        ids = accepted.filter(need__organization_id__in=mine).values_list("solution_id", flat=True)
    return frozenset(ids)


def _catalog_prefetch(queryset: QuerySet, *, many_industries: bool) -> QuerySet:
    related = ["capabilities"] + (["industries"] if many_industries else [])
    queryset = queryset.select_related("organization").prefetch_related(*related)
    if not many_industries:
        queryset = queryset.select_related("industry")
    return queryset


def published_needs() -> QuerySet[Need]:
    return _catalog_prefetch(Need.objects.published(), many_industries=False)


def published_solutions() -> QuerySet[Solution]:
    return _catalog_prefetch(Solution.objects.published(), many_industries=True)


def needs_of(organization_id: int) -> QuerySet[Need]:
    return _catalog_prefetch(
        Need.objects.filter(organization_id=organization_id), many_industries=False
    ).order_by("-updated_at")


def solutions_of(organization_id: int) -> QuerySet[Solution]:
    return _catalog_prefetch(
        Solution.objects.filter(organization_id=organization_id), many_industries=True
    ).order_by("-updated_at")


def visible_records(model: type[Need] | type[Solution], user) -> QuerySet:
    """The records of `model` the user may open, with their organization and attachments."""
    return with_attachments(model.objects.visible_to(user)).select_related("organization")


def visible_attachment(user, pk: int) -> Attachment | None:
    """An attachment of a record the user may open (whether they may download it is a rule)."""
    attachment = Attachment.objects.select_related("need", "solution").filter(pk=pk).first()
    if attachment is None:
        return None
    record = attachment.record
    visible = type(record).objects.visible_to(user).filter(pk=record.pk).exists()
    return attachment if visible else None


def history_of(record: Need | Solution) -> QuerySet:
    """A record's status changes, oldest first, with who made them."""
    return record.status_changes.select_related("by")


def with_attachments(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )


# --- matches -----------------------------------------------------------------------------


def _with_interest_state(queryset: QuerySet) -> QuerySet:
    """Annotate each match with its introduction's status and who started it."""
    from django.db.models import OuterRef, Subquery  # noqa: PLC0415

    from matchmaking.models import Interest  # noqa: PLC0415

    pair = Interest.objects.filter(need=OuterRef("need_id"), solution=OuterRef("solution_id"))
    return queryset.annotate(
        interest_status=Subquery(pair.values("status")[:1]),
        interest_side=Subquery(pair.values("initiated_by_side")[:1]),
        interest_id=Subquery(pair.values("pk")[:1]),
    )


def _without_feedback(queryset: QuerySet, side: str) -> QuerySet:
    from django.db.models import Exists, OuterRef  # noqa: PLC0415

    from matchmaking.models import MatchFeedback  # noqa: PLC0415

    hidden = MatchFeedback.objects.filter(
        need=OuterRef("need_id"), solution=OuterRef("solution_id"), side=side
    )
    return queryset.exclude(Exists(hidden))


def matched_needs_for_provider(organization_id: int) -> QuerySet:
    """The needs matched to any of a provider's published solutions (its lists' entries)."""
    from matchmaking.models import Match  # noqa: PLC0415

    queryset = Match.objects.active().filter(
        solution__organization_id=organization_id,
        rank_for_solution__isnull=False,
        need__status=Status.APPROVED,
        solution__status=Status.APPROVED,
    )
    queryset = _without_feedback(queryset, "provider")
    return (
        _with_interest_state(queryset)
        .select_related("need", "need__organization", "need__industry", "solution")
        .prefetch_related("need__capabilities")
    )


def ranked_solutions_for_need(need: Need) -> QuerySet:
    """A need's ranked solutions, best first, without those the enterprise turned down."""
    from matchmaking.models import Match  # noqa: PLC0415

    queryset = Match.objects.active().filter(
        need=need, rank_for_need__isnull=False, solution__status=Status.APPROVED
    )
    queryset = _without_feedback(queryset, "enterprise")
    return (
        _with_interest_state(queryset)
        .select_related("solution", "solution__organization")
        .prefetch_related("solution__capabilities", "solution__industries")
        .order_by("rank_for_need")
    )


# --- introductions -------------------------------------------------------------------------


def interests_of(organization_ids) -> QuerySet:
    """Introductions involving any of the organizations, newest first."""
    from matchmaking.models import Interest  # noqa: PLC0415

    return (
        Interest.objects.involving(organization_ids)
        .select_related("need", "need__organization", "solution", "solution__organization")
        .order_by("-created_at")
    )


def inbox(organization_id: int | None, *, closed_shown: int = 20) -> dict[str, list]:
    """An organization's introductions, sorted for the inbox page.

    `incoming` wait for its answer, `outgoing` for the other side's, `accepted` show
    contacts, `closed` (declined or withdrawn, the latest `closed_shown`). Each
    introduction carries `my_side`, `counterpart`, `my_record` and `their_record`.
    """
    from matchmaking.models import Interest  # noqa: PLC0415

    sorted_: dict[str, list] = {"incoming": [], "outgoing": [], "accepted": [], "closed": []}
    if organization_id is None:
        return sorted_
    for interest in interests_of([organization_id]):
        mine_is_need = interest.need.organization_id == organization_id
        interest.my_side = "enterprise" if mine_is_need else "provider"
        interest.counterpart = (
            interest.solution.organization if mine_is_need else interest.need.organization
        )
        interest.their_record = interest.solution if mine_is_need else interest.need
        interest.my_record = interest.need if mine_is_need else interest.solution
        if interest.status == Interest.Status.ACCEPTED:
            sorted_["accepted"].append(interest)
        elif interest.status == Interest.Status.PENDING:
            started = interest.initiated_by_side == interest.my_side
            sorted_["outgoing" if started else "incoming"].append(interest)
        else:
            sorted_["closed"].append(interest)
    sorted_["closed"] = sorted_["closed"][:closed_shown]
    return sorted_


def has_published_solutions(organization_id: int) -> bool:
    return Solution.objects.filter(organization_id=organization_id, status=Status.APPROVED).exists()


def under_review(model: type[Need] | type[Solution]) -> QuerySet:
    """Submissions waiting for review, oldest first, each marked if it was returned before.

    The workbench lists them in this order (config/workbench.py), and the review page
    opens the next one in it (matchmaking/admin/review.py)."""
    returned = StatusChange.objects.filter(
        **{model._meta.model_name: OuterRef("pk")}, to_status=Status.REJECTED
    )
    return (
        model.objects.filter(status=Status.SUBMITTED)
        .select_related("organization")
        .annotate(resubmitted=Exists(returned))
        .order_by("submitted_at", "pk")
    )


# --- conversation threads ------------------------------------------------------------


def visible_threads(user) -> QuerySet:
    """The threads a person may open: their organizations' (staff: every thread), each
    with `unread`, the messages by others newer than what the person read."""
    threads = Thread.objects.all()
    if not user.is_staff:
        threads = threads.involving(member_org_ids(user))
    last_read = ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user.pk).values(
        "last_read_id"
    )[:1]
    return (
        threads.select_related("enterprise", "provider", "interest__need", "interest__solution")
        .annotate(last_read_id=Coalesce(Subquery(last_read, output_field=IntegerField()), 0))
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__pk__gt=F("last_read_id")) & ~Q(messages__author_id=user.pk),
            )
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at", "-pk")
    )


def thread_messages(thread) -> QuerySet:
    return thread.messages.select_related("author", "organization").order_by("created_at", "pk")


def unread_thread_count(user) -> int:
    """How many of the person's threads have messages they have not read (the nav badge)."""
    if not user.is_authenticated:
        return 0
    return sum(1 for unread in visible_threads(user).values_list("unread", flat=True) if unread)


# --- saved searches ----------------------------------------------------------------------


def followed_topics(limit: int = 20) -> list[dict]:
    """What users follow (the staff dashboard): each search term, industry and capability
    of their saved searches, and "new needs matching my solutions", with how many users
    follow it, most followed first."""
    from core.models import Capability, Industry  # noqa: PLC0415
    from matchmaking.models import SavedSearch  # noqa: PLC0415

    industries = {i.code: i.name for i in Industry.objects.all()}
    capabilities = {c.code: c.name for c in Capability.objects.all()}
    followers: dict[tuple[str, str], set[int]] = {}
    rows = SavedSearch.objects.values_list("user_id", "kind", "query", "filters")
    for user_id, kind, query, filters in rows:
        topics = []
        if kind == SavedSearch.Kind.MATCHES:
            topics.append(("matches", str(SavedSearch.Kind.MATCHES.label)))
        if query:
            topics.append(("query", " ".join(query.lower().split())))
        topics.extend(
            ("industry", industries.get(c, c)) for c in (filters or {}).get("industry", [])
        )
        topics.extend(
            ("capability", capabilities.get(c, c)) for c in (filters or {}).get("capability", [])
        )
        for topic in topics:
            followers.setdefault(topic, set()).add(user_id)
    ranked = sorted(followers.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        {"kind": kind, "topic": topic, "users": len(users)}
        for (kind, topic), users in ranked[:limit]
    ]


# --- the organizations directory -------------------------------------------------------


def _published_of_organization(model: type[Need] | type[Solution]) -> QuerySet:
    return model.objects.published().filter(organization_id=OuterRef("pk"))


def directory_organizations() -> QuerySet:
    """The organizations the public directory lists: verified by the programme office
    and with at least one published need or solution. An organization whose records
    are all drafts, under review or withdrawn is not shown, nor one the office has not
    checked (its name is only its members' word)."""
    organization_model = apps.get_model("core", "Organization")
    return organization_model.objects.filter(verified=True).filter(
        Exists(_published_of_organization(Need)) | Exists(_published_of_organization(Solution))
    )


def is_in_directory(organization) -> bool:
    return directory_organizations().filter(pk=organization.pk).exists()


def with_published_counts(queryset: QuerySet) -> QuerySet:
    """Annotate organizations with their numbers of published needs and solutions."""

    def count(model):
        published = _published_of_organization(model).order_by().values("organization_id")
        return Coalesce(
            Subquery(published.annotate(n=Count("pk")).values("n")[:1]),
            0,
            output_field=IntegerField(),
        )

    return queryset.select_related("industry").annotate(
        published_needs=count(Need), published_solutions=count(Solution)
    )


def published_capabilities_of(organization_ids) -> dict[int, list]:
    """Per organization, the AI capabilities its published needs and solutions name
    (each once, in the taxonomy's order): two queries, whatever the number."""
    found: dict[int, dict] = {pk: {} for pk in organization_ids}
    for model, owner in ((Need, "need"), (Solution, "solution")):
        rows = (
            model.capabilities.through.objects.filter(
                **{
                    f"{owner}__organization_id__in": organization_ids,
                    f"{owner}__status": Status.APPROVED,
                }
            )
            .select_related("capability")
            .annotate(organization_id=F(f"{owner}__organization_id"))
        )
        for row in rows:
            found[row.organization_id][row.capability.pk] = row.capability
    return {
        pk: sorted(capabilities.values(), key=lambda c: (c.sort_order, c.pk))
        for pk, capabilities in found.items()
    }
