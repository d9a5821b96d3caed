"""Matching in the admin: runs and their progress, the matches and why, introductions, feedback.

Everything here is read-only: matches are written by the matching jobs, introductions
and feedback by the two sides. Staff start a full re-match from the run list; the
list reloads itself while a run is queued or computing.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from matchmaking.models import Interest, Match, MatchFeedback, MatchingState, MatchRun
from matchmaking.services import matching
from matchmaking.templatetags.aiplus import COMPONENT_LABELS

UNFINISHED = (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING)
STATUS_COLOURS = {
    MatchRun.Status.QUEUED: "#5b6675",
    MatchRun.Status.RUNNING: "#1d5fbf",
    MatchRun.Status.SUCCEEDED: "#17703a",
    MatchRun.Status.FAILED: "#b3261e",
    MatchRun.Status.SUPERSEDED: "#5b6675",
}
# Count and timing keys of full and incremental runs, in the order a reader wants them.
COUNT_LABELS = {
    "needs": _("needs"),
    "solutions": _("solutions"),
    "pairs": _("pairs stored"),
    "lists_changed": _("lists changed"),
    "lists_refilled": _("lists refilled"),
    "rows_written": _("rows written"),
}
# Stored beside the six components (engine.scoring.COMPONENT_NAMES): the score is the
# harmonic mean of the two sides' blends.
MORE_COMPONENT_LABELS = {
    "capabilities_offer": _("Share of the offer used"),
    "need_side": _("Fit for the enterprise"),
    "solution_side": _("Fit for the provider"),
    "capabilities_inferred": _("Capabilities inferred from the description (1 = yes)"),
}
TIMING_LABELS = {
    "load": _("load"),
    "fit": _("fit"),
    "chunks": _("chunks (sum)"),
    "merge": _("merge"),
    "persist": _("persist"),
    "score_and_write": _("score and write"),
    "save_model": _("save model"),
    "total": _("total"),
}


def _ordered(values: dict, labels: dict) -> list[tuple[str, object]]:
    known = [(labels[key], values[key]) for key in labels if key in values]
    return known + [(key, value) for key, value in values.items() if key not in labels]


def _count(value) -> object:
    # Incremental runs list the ids of the records they updated.
    if isinstance(value, list):
        shown = ", ".join(f"#{pk}" for pk in value[:5]) + (" …" if len(value) > 5 else "")
        return f"{len(value)} ({shown})" if value else 0
    return value


# --- runs ----------------------------------------------------------------------------


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "is_active",
        "status_label",
        "progress_bar",
        "chunks",
        "counts_summary",
        "timings_summary",
        "started_at",
        "finished_at",
        "short_error",
    ]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "is_active",
        "status_label",
        "progress_bar",
        "chunks",
        "subject_id",
        "algorithm_version",
        "requested_by",
        "created_at",
        "snapshot_at",
        "started_at",
        "finished_at",
        "counts_table",
        "timings_table",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A run owns its generation of matches: deleting the active one empties every list.
        return False

    def get_queryset(self, request):
        active = MatchingState.objects.filter(active_run_id=OuterRef("pk"))
        return super().get_queryset(request).annotate(active=Exists(active))

    @admin.display(description=_("active generation"), boolean=True, ordering="-active")
    def is_active(self, run: MatchRun) -> bool:
        return run.active

    def get_urls(self):
        view = self.admin_site.admin_view(self.start_full_run_view)
        return [
            path("start/", view, name="matchmaking_matchrun_start"),
            *super().get_urls(),
        ]

    def may_start(self, request: HttpRequest) -> bool:
        return request.user.has_perm("matchmaking.add_matchrun")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_start_run": self.may_start(request),
            # While a run is computing, the list reloads itself to show its progress.
            "refresh_seconds": 5 if MatchRun.objects.filter(status__in=UNFINISHED).exists() else 0,
        }
        return super().changelist_view(request, extra_context)

    def start_full_run_view(self, request: HttpRequest):
        """Queue a full re-match (the job the nightly schedule runs) and go back to the list."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.may_start(request):
            raise PermissionDenied
        existing = set(
            MatchRun.objects.filter(kind=MatchRun.Kind.FULL, status__in=UNFINISHED).values_list(
                "pk", flat=True
            )
        )
        run = matching.start_full_run(by=request.user)
        run.refresh_from_db()
        if run.pk in existing:
            self.message_user(
                request,
                _("A full re-match is already under way (run #%(id)d); it was not started twice.")
                % {"id": run.pk},
                messages.WARNING,
            )
        elif run.status == MatchRun.Status.SUCCEEDED:
            pairs = run.counts.get("pairs", 0)
            self.message_user(
                request,
                ngettext(
                    "Full re-match #%(id)d finished: %(pairs)d pair stored.",
                    "Full re-match #%(id)d finished: %(pairs)d pairs stored.",
                    pairs,
                )
                % {"id": run.pk, "pairs": pairs},
                messages.SUCCESS,
            )
        elif run.status == MatchRun.Status.FAILED:
            self.message_user(
                request,
                _("Full re-match #%(id)d failed: %(error)s") % {"id": run.pk, "error": run.error},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _(
                    "Full re-match #%(id)d queued. The workers compute it; this page shows its "
                    "progress and reloads until it is done."
                )
                % {"id": run.pk},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:matchmaking_matchrun_changelist"))

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, run: MatchRun) -> str:
        return format_html(
            '<strong style="color:{}">{}</strong>',
            STATUS_COLOURS.get(run.status, "#5b6675"),
            run.get_status_display(),
        )

    @admin.display(description=_("progress"), ordering="progress")
    def progress_bar(self, run: MatchRun) -> str:
        colour = STATUS_COLOURS.get(run.status, "#1d5fbf")
        return format_html(
            '<div class="matchrun-progress" title="{}%" style="display:inline-block;width:120px;'
            'height:10px;background:#e3e7ed;border-radius:5px;overflow:hidden;vertical-align:middle">'
            '<div style="width:{}%;height:100%;background:{}"></div></div> {}%',
            run.progress,
            min(run.progress, 100),
            colour,
            run.progress,
        )

    @admin.display(description=_("chunks done"))
    def chunks(self, run: MatchRun) -> str:
        if run.kind != MatchRun.Kind.FULL:
            return "–"
        return f"{run.chunks_done} / {run.chunks_total}"

    @admin.display(description=_("counts"))
    def counts_summary(self, run: MatchRun) -> str:
        return _items((label, _count(value)) for label, value in _ordered(run.counts, COUNT_LABELS))

    @admin.display(description=_("timings"))
    def timings_summary(self, run: MatchRun) -> str:
        timings = {k: v for k, v in run.timings.items() if k != "persist_rows_per_s"}
        return _items(
            (label, f"{value:.2f} s") for label, value in _ordered(timings, TIMING_LABELS)
        )

    @admin.display(description=_("counts"))
    def counts_table(self, run: MatchRun) -> str:
        return _table((label, _count(value)) for label, value in _ordered(run.counts, COUNT_LABELS))

    @admin.display(description=_("phase timings"))
    def timings_table(self, run: MatchRun) -> str:
        timings = dict(run.timings)
        speed = timings.pop("persist_rows_per_s", None)
        rows = [(label, f"{value:.3f} s") for label, value in _ordered(timings, TIMING_LABELS)]
        if speed is not None:
            rows.append((_("rows persisted per second"), f"{speed:,}"))
        return _table(rows)

    @admin.display(description=_("error"))
    def short_error(self, run: MatchRun) -> str:
        return run.error[:80]


def _items(pairs) -> str:
    """Label–value pairs on a line, wrapped between pairs only."""
    items = format_html_join(" · ", '<span style="white-space:nowrap">{} {}</span>', pairs)
    return items or "–"


def _table(rows) -> str:
    body = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows)
    return format_html("<table>{}</table>", body) if body else "–"


# --- matches -------------------------------------------------------------------------


class GenerationFilter(admin.SimpleListFilter):
    """The generation readers see by default; the one being computed and older ones on request."""

    title = _("generation")
    parameter_name = "generation"

    def lookups(self, request, model_admin):
        return [("all", _("All generations"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Active generation"),
        }
        yield {
            "selected": self.value() == "all",
            "query_string": changelist.get_query_string({self.parameter_name: "all"}),
            "display": _("All generations"),
        }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.active()


class RankFilter(admin.SimpleListFilter):
    title = _("in whose list")
    parameter_name = "ranked"

    def lookups(self, request, model_admin):
        return [
            ("need", _("In the need's list")),
            ("solution", _("In the solution's list")),
            ("both", _("In both lists")),
            ("need_only", _("Only in the need's list")),
            ("solution_only", _("Only in the solution's list")),
        ]

    def queryset(self, request, queryset):
        conditions = {
            "need": Q(rank_for_need__isnull=False),
            "solution": Q(rank_for_solution__isnull=False),
            "both": Q(rank_for_need__isnull=False, rank_for_solution__isnull=False),
            "need_only": Q(rank_for_need__isnull=False, rank_for_solution__isnull=True),
            "solution_only": Q(rank_for_need__isnull=True, rank_for_solution__isnull=False),
        }
        condition = conditions.get(self.value())
        return queryset if condition is None else queryset.filter(condition)


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = [
        "need",
        "solution",
        "provider",
        "score_percent",
        "rank_for_need",
        "rank_for_solution",
        "component_summary",
    ]
    list_filter = [
        GenerationFilter,
        RankFilter,
        "algorithm_version",
        ("need__industry", admin.RelatedOnlyFieldListFilter),
        ("solution__organization", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["need__title", "solution__title"]
    list_select_related = ["need", "solution", "solution__organization"]
    list_per_page = 50
    fields = [
        "need",
        "solution",
        "run",
        "score_percent",
        "rank_for_need",
        "rank_for_solution",
        "explanation",
        "shared_terms",
        "algorithm_version",
        "computed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("provider"), ordering="solution__organization__name")
    def provider(self, match: Match) -> str:
        return match.solution.organization.name

    @admin.display(description=_("score (%)"), ordering="score")
    def score_percent(self, match: Match) -> str:
        return f"{match.score * 100:.1f}"

    @admin.display(description=_("why"))
    def component_summary(self, match: Match) -> str:
        return _items(
            (label, round(match.components[key] * 100))
            for key, label in COMPONENT_LABELS.items()
            if key in match.components
        )

    @admin.display(description=_("explanation"))
    def explanation(self, match: Match) -> str:
        labels = {**COMPONENT_LABELS, **MORE_COMPONENT_LABELS}
        keys = [key for key in labels if key in match.components]
        keys += sorted(set(match.components) - set(labels))
        rows = []
        for key in keys:
            value = match.components[key]
            rows.append((labels.get(key, key), f"{value:.4f}", round(value * 100)))
        body = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td>"
            "<td><div style='width:{}px;height:8px;background:#1d5fbf'></div></td></tr>",
            rows,
        )
        return format_html(
            "<table id='match-explanation'><thead><tr><th>{}</th><th>{}</th><th></th></tr>"
            "</thead><tbody>{}</tbody></table><p class='help'>{}</p>",
            _("component"),
            _("value (0–1)"),
            body,
            _(
                "Each side blends the components with its own weights; the score is the "
                "harmonic mean of the two fits, so a pair must suit both sides."
            ),
        )

    @admin.display(description=_("shared terms"))
    def shared_terms(self, match: Match) -> str:
        if not match.terms:
            return "–"
        return format_html_join(" ", "<mark>{}</mark>", ((term,) for term in match.terms))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("need", "solution", "solution__organization", "run")
        )


# --- introductions and feedback ------------------------------------------------------


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = [
        "need",
        "enterprise",
        "solution",
        "provider",
        "status",
        "initiated_by_side",
        "score_percent",
        "created_at",
        "responded_at",
    ]
    list_filter = ["status", "initiated_by_side", "created_at"]
    search_fields = [
        "need__title",
        "solution__title",
        "need__organization__name",
        "solution__organization__name",
        "message",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["need__organization", "solution__organization"]
    fields = [
        "need",
        "solution",
        "status",
        "initiated_by_side",
        "message",
        "score_percent",
        "created_by",
        "created_at",
        "responded_by",
        "responded_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Each side answers for itself (and is told by email); staff only look.
        return False

    @admin.display(description=_("score (%)"), ordering="score")
    def score_percent(self, interest: Interest) -> str:
        # The site's one scale (matchmaking.templatetags.aiplus.score).
        return "" if interest.score is None else f"{interest.score * 100:.1f}"

    @admin.display(description=_("enterprise"), ordering="need__organization__name")
    def enterprise(self, interest: Interest) -> str:
        return interest.need.organization.name

    @admin.display(description=_("provider"), ordering="solution__organization__name")
    def provider(self, interest: Interest) -> str:
        return interest.solution.organization.name


@admin.register(MatchFeedback)
class MatchFeedbackAdmin(admin.ModelAdmin):
    list_display = ["need", "solution", "side", "reason", "by", "created_at"]
    list_filter = ["side", "created_at"]
    search_fields = ["need__title", "solution__title", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["need", "solution", "by"]
    fields = ["need", "solution", "side", "reason", "by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
