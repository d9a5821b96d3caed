"""Matches, the jobs that compute them, and the introductions they lead to.

A full recompute writes a new *generation* of Match rows (tagged with its MatchRun)
and then flips `MatchingState.active_run` in one transaction: readers always see one
complete generation, never half of a new run mixed with the old one. Incremental jobs
edit the active generation in place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.enums import Side


class MatchRun(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Full re-match")
        INCREMENTAL = "incremental", _("Incremental update")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("run status", "Queued")
        RUNNING = "running", pgettext_lazy("run status", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("run status", "Succeeded")
        FAILED = "failed", pgettext_lazy("run status", "Failed")
        SUPERSEDED = "superseded", pgettext_lazy("run status", "Superseded")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    subject_id = models.PositiveBigIntegerField(_("need or solution"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    timings = models.JSONField(_("phase timings (s)"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    algorithm_version = models.CharField(_("algorithm version"), max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # Records approved or edited after this moment are caught up after the flip.
    snapshot_at = models.DateTimeField(_("data as of"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moves whenever a step finishes: a running run whose heartbeat stops has lost
    # its worker, and the resume job dispatches its missing chunks again.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class PendingMatch(models.Model):
    """A record whose matches must be brought up to date (written with the change itself).

    Rows are drained in batches by the `match_pending` job, so a solicitation round
    of hundreds of approvals loads the engine model once, not hundreds of times.
    """

    kind = models.CharField(max_length=10, verbose_name=_("kind"))
    record_id = models.PositiveBigIntegerField(verbose_name=_("record id"))
    requested_at = models.DateTimeField(auto_now=True, verbose_name=_("requested at"))

    class Meta:
        verbose_name = _("pending match update")
        verbose_name_plural = _("pending match updates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="pending_match_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}"


class MatchRunChunk(models.Model):
    """One chunk task's partial result of a full recompute (idempotent to redo)."""

    run = models.ForeignKey(
        MatchRun, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("run")
    )
    index = models.PositiveIntegerField(verbose_name=_("index"))
    done = models.BooleanField(default=False, verbose_name=_("done"))
    result = models.BinaryField(null=True, blank=True, verbose_name=_("result"))
    seconds = models.FloatField(default=0, verbose_name=_("seconds"))

    class Meta:
        verbose_name = _("matching chunk")
        verbose_name_plural = _("matching chunks")
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="chunk_unique")]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.index}"


class FittedVocabulary(models.Model):
    """The engine's fitted model (vocabulary, weights) of a full run, reused incrementally."""

    run = models.OneToOneField(
        MatchRun, on_delete=models.CASCADE, related_name="vocabulary", verbose_name=_("run")
    )
    data = models.BinaryField(verbose_name=_("data"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("fitted vocabulary")
        verbose_name_plural = _("fitted vocabularies")

    def __str__(self) -> str:
        return f"vocabulary of run {self.run_id}"


class MatchingState(models.Model):
    """A single row: which generation of matches readers see."""

    active_run = models.ForeignKey(
        MatchRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("active run"),
    )
    # The engine model of the active generation plus every incremental change since:
    # what the next incremental job scores against.
    model_blob = models.BinaryField(
        null=True, blank=True, editable=False, verbose_name=_("model blob")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("matching state")
        verbose_name_plural = _("matching state")

    def __str__(self) -> str:
        return f"active run {self.active_run_id}"

    @classmethod
    def load(cls) -> MatchingState:
        state, _created = cls.objects.get_or_create(pk=1)
        return state


class MatchQuerySet(models.QuerySet):
    def active(self):
        """The generation readers see (empty before the first run)."""
        return self.filter(
            run_id=models.Subquery(MatchingState.objects.filter(pk=1).values("active_run_id")[:1])
        )


class Match(models.Model):
    need = models.ForeignKey(
        "matchmaking.Need", on_delete=models.CASCADE, related_name="matches", verbose_name=_("need")
    )
    solution = models.ForeignKey(
        "matchmaking.Solution",
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("solution"),
    )
    # No index of its own: the two rank indexes and the unique constraint start with
    # the run, and every row written or ranked paid for a redundant third one.
    run = models.ForeignKey(
        MatchRun,
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
        verbose_name=_("run"),
    )
    score = models.FloatField(_("score"))
    components = models.JSONField(_("components"), default=dict)
    terms = models.JSONField(_("shared terms"), default=list)
    rank_for_need = models.PositiveSmallIntegerField(_("rank for the need"), null=True, blank=True)
    rank_for_solution = models.PositiveSmallIntegerField(
        _("rank for the solution"), null=True, blank=True
    )
    algorithm_version = models.CharField(_("algorithm version"), max_length=40)
    computed_at = models.DateTimeField(_("computed at"))

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["run", "need", "solution"], name="match_unique_in_run")
        ]
        indexes = [
            models.Index(fields=["run", "need", "rank_for_need"], name="match_need_rank_idx"),
            models.Index(
                fields=["run", "solution", "rank_for_solution"], name="match_sol_rank_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.solution_id}: {self.score:.2f}"


class MatchFeedback(models.Model):
    """A side marked a pair “not interested”: hidden for that side, kept as feedback."""

    need = models.ForeignKey(
        "matchmaking.Need", on_delete=models.CASCADE, related_name="+", verbose_name=_("need")
    )
    solution = models.ForeignKey(
        "matchmaking.Solution",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("solution"),
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("not-interested feedback")
        verbose_name_plural = _("not-interested feedback")
        constraints = [
            models.UniqueConstraint(fields=["need", "solution", "side"], name="feedback_unique")
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.solution_id} ({self.side})"


class InterestQuerySet(models.QuerySet):
    def involving(self, organization_ids):
        return self.filter(
            Q(need__organization_id__in=organization_ids)
            | Q(solution__organization_id__in=organization_ids)
        )

    def accepted_between(self, user, record):
        """Accepted introductions linking the user's organization to the record's side."""
        from core.selectors import member_org_ids  # noqa: PLC0415
        from matchmaking.models.catalog import Need  # noqa: PLC0415

        mine = member_org_ids(user)
        accepted = self.filter(status=Interest.Status.ACCEPTED)
        if isinstance(record, Need):
            return accepted.filter(need=record, solution__organization_id__in=mine)
        return accepted.filter(solution=record, need__organization_id__in=mine)


class Interest(models.Model):
    """A double opt-in introduction between a need and a solution.

    One side says “interested”; the other side accepts or declines. Only an accepted
    interest reveals each side's contact details to the other; withdrawing or
    declining hides them again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("interest status", "Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("interest status", "Accepted")
        DECLINED = "declined", pgettext_lazy("interest status", "Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("interest status", "Withdrawn")
        EXPIRED = "expired", pgettext_lazy("interest status", "Expired")

    TRANSITIONS = {
        Status.PENDING: frozenset(
            {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED}
        ),
        Status.ACCEPTED: frozenset({Status.WITHDRAWN}),
        Status.DECLINED: frozenset({Status.PENDING}),
        Status.WITHDRAWN: frozenset({Status.PENDING}),
        Status.EXPIRED: frozenset({Status.PENDING}),
    }

    need = models.ForeignKey(
        "matchmaking.Need",
        on_delete=models.CASCADE,
        related_name="interests",
        verbose_name=_("need"),
    )
    solution = models.ForeignKey(
        "matchmaking.Solution",
        on_delete=models.CASCADE,
        related_name="interests",
        verbose_name=_("solution"),
    )
    initiated_by_side = models.CharField(_("initiated by"), max_length=12, choices=Side.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    score = models.FloatField(_("match score"), null=True, blank=True)
    nudged_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    objects = InterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["need", "solution"], name="interest_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.solution} ({self.get_status_display()})"

    @property
    def responding_side(self) -> str:
        return Side.PROVIDER if self.initiated_by_side == Side.ENTERPRISE else Side.ENTERPRISE
