"""The programme office's admin: Django admin, its index and sidebar grouped by task.

Django lists models by app (core, matchmaking, events, and the third-party apps), which
puts the office's daily work — review, matching, events — among thirty models in no
order it would choose. Here the same models are grouped by what the office does with
them: 审核 · 匹配 · 活动 · 机构与用户 · 系统. The grouping is data (`TASK_GROUPS`); a model
that no group names lands in “System”, so nothing registered ever disappears, and a
test fails until it is placed deliberately (tests/test_admin_site.py).

Why no admin theme package: docs/ADMIN.md records what django-unfold and
django-simpleui were measured at (Python version, CSP, page weight, what of our admin
survives) and why Django's own admin, with this grouping, a stylesheet and the
workbench page, serves the office better.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog


@dataclass(frozen=True)
class TaskGroup:
    key: str
    name: Promise
    models: tuple[str, ...]  # "app_label.ModelName", in the order the office uses them


TASK_GROUPS: tuple[TaskGroup, ...] = (
    TaskGroup(
        "review",
        pgettext_lazy("admin task", "Review"),
        (
            "matchmaking.Need",
            "matchmaking.Solution",
            "matchmaking.CatalogImport",
            "matchmaking.FilingList",
            "matchmaking.FilingEntry",
            "matchmaking.ReturnReason",
            "matchmaking.StatusChange",
        ),
    ),
    TaskGroup(
        "matching",
        pgettext_lazy("admin task", "Matching"),
        (
            "matchmaking.MatchRun",
            "matchmaking.Match",
            "matchmaking.Interest",
            "matchmaking.MatchFeedback",
            "matchmaking.SearchSynonym",
            "matchmaking.WeightSet",
        ),
    ),
    TaskGroup(
        "events",
        pgettext_lazy("admin task", "Events"),
        (
            "events.Season",
            "events.Event",
            "events.Registration",
            "events.MeetingRequest",
            "events.Meeting",
            "events.Outcome",
            "events.Venue",
            "events.CalendarDay",
        ),
    ),
    TaskGroup(
        "people",
        pgettext_lazy("admin task", "Organizations and users"),
        (
            "core.Organization",
            "core.Membership",
            "core.Invitation",
            "core.User",
            "auth.Group",
            "authtoken.TokenProxy",
        ),
    ),
    TaskGroup(
        "system",
        pgettext_lazy("admin task", "System"),
        (
            "core.OutboxMessage",
            "core.OutgoingEmail",
            "core.AuditEntry",
            "core.Industry",
            "core.Capability",
            "django_celery_beat.PeriodicTask",
            "django_celery_beat.CrontabSchedule",
            "django_celery_beat.IntervalSchedule",
            "django_celery_beat.ClockedSchedule",
            "django_celery_beat.SolarSchedule",
            "axes.AccessAttempt",
            "axes.AccessFailureLog",
            "axes.AccessLog",
        ),
    ),
)
FALLBACK_GROUP = "system"


def _label(model_entry: dict) -> str:
    return model_entry["model"]._meta.label


# Words of the admin's JavaScript that Django 5.2's own Chinese catalog lacks (the
# two-box selector of many-to-many fields, filter_horizontal, was reworded in 5.x):
# translated in our catalog and added to the admin's JavaScript catalog below.
ADMIN_JS_WORDS = (
    gettext_noop('Choose %s by selecting them and then select the "Choose" arrow button.'),
    gettext_noop('Remove %s by selecting them and then select the "Remove" arrow button.'),
    gettext_noop("Choose all %s"),
    gettext_noop("Choose selected %s"),
    gettext_noop("Remove all %s"),
    gettext_noop("Remove selected %s"),
    gettext_noop("(click to clear)"),
)


class AdminJavaScriptCatalog(JavaScriptCatalog):
    """Django admin's JavaScript catalog, completed with ADMIN_JS_WORDS."""

    def get_catalog(self):
        catalog = super().get_catalog()
        for msgid in ADMIN_JS_WORDS:
            translated = gettext(msgid)
            if catalog.get(msgid, msgid) == msgid and translated != msgid:
                catalog[msgid] = translated
        return catalog


class ProgrammeAdminSite(admin.AdminSite):
    site_header = _("AI+ Supply–Demand Platform · Programme office")
    site_title = _("AI+ Programme office")
    index_title = _("Programme administration")

    def i18n_javascript(self, request, extra_context=None):
        return AdminJavaScriptCatalog.as_view(packages=["django.contrib.admin"])(request)

    def get_app_list(self, request, app_label=None):
        """Task groups for the index and the sidebar; an app's own page stays per app."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        entries = {
            _label(model): model
            for app in self._build_app_dict(request).values()
            for model in app["models"]
        }
        groups = []
        placed: set[str] = set()
        for group in TASK_GROUPS:
            models = [entries[label] for label in group.models if label in entries]
            placed.update(group.models)
            if group.key == FALLBACK_GROUP:
                models += sorted(
                    (entry for label, entry in entries.items() if label not in placed),
                    key=lambda entry: str(entry["name"]),
                )
            if models:
                groups.append(
                    {
                        "name": group.name,
                        "app_label": f"task-{group.key}",
                        # A group is no app: its caption links nowhere (admin/app_list.html).
                        "app_url": "",
                        "has_module_perms": True,
                        "models": models,
                        "is_task_group": True,
                    }
                )
        return groups

    def index(self, request, extra_context=None):
        """The workbench (待办) above the task groups: the first page staff see."""
        from config.workbench import workbench  # noqa: PLC0415 — models load after the admin

        context = {"workbench": workbench(request.user), **(extra_context or {})}
        return super().index(request, context)
