"""Admin for the machinery staff need to see: background jobs and emails."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from config.periodic import display_name
from core.models import AuditEntry, OutboxMessage, OutgoingEmail
from core.services.jobs import retry_jobs
from core.services.mail import resend_emails


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "task_name",
        "status",
        "attempts",
        "created_at",
        "completed_at",
        "short_error",
    ]
    list_filter = ["status", "task_name"]
    search_fields = ["task_name", "idempotency_key", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Retry the selected jobs now"))
    def retry_now(self, request, queryset):
        result = retry_jobs(by=request.user, jobs=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d job queued to run again.",
                "%(count)d jobs queued to run again.",
                result.done,
            )
            % {"count": result.done},
        )


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send the selected failed emails again"))
    def send_again(self, request, queryset):
        result = resend_emails(by=request.user, emails=queryset)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", result.done)
            % {"count": result.done},
        )


class ActorFilter(admin.SimpleListFilter):
    """Staff, members or the system: the office mostly reads its own actions."""

    title = _("by")
    parameter_name = "by"

    def lookups(self, request, model_admin):
        return [
            ("staff", _("Programme office staff")),
            ("members", _("Members of organizations")),
            ("system", _("The system (scheduled jobs)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "staff":
            return queryset.filter(actor__is_staff=True)
        if self.value() == "members":
            return queryset.filter(actor__is_staff=False)
        if self.value() == "system":
            return queryset.filter(actor_label="")
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Who did what, when: read-only, so the log can be trusted."""

    list_display = ["at", "actor_label", "action", "object_type", "object_label"]
    list_filter = [ActorFilter, "action", "object_type"]
    search_fields = ["actor_label", "object_label", "object_id", "action"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# django-celery-beat's own admin, with the platform's jobs named in the reader's language
# (their stored names are keys; see config.periodic) and schedules in words.
admin.site.unregister(PeriodicTask)


class TaskFilter(admin.AllValuesFieldListFilter):
    """By Celery task; django-celery-beat names the field “Task Name”, untranslated."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("task")


def schedule_in_words(job: PeriodicTask) -> str:
    """“every 5 minutes”, “daily at 03:40 (Asia/Shanghai)”; anything else as beat says it."""
    interval, crontab = job.interval, job.crontab
    if interval is not None and interval.period == "minutes":
        return ngettext("every %(count)d minute", "every %(count)d minutes", interval.every) % {
            "count": interval.every
        }
    if (
        crontab is not None
        and crontab.minute.isdigit()
        and crontab.hour.isdigit()
        and crontab.day_of_week == crontab.day_of_month == crontab.month_of_year == "*"
    ):
        return _("daily at %(time)s (%(zone)s)") % {
            "time": f"{int(crontab.hour):02d}:{int(crontab.minute):02d}",
            "zone": _("Beijing time")
            if str(crontab.timezone) == "Asia/Shanghai"
            else crontab.timezone,
        }
    return str(job.scheduler) if job.scheduler else ""


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    list_display = ("job_name", "enabled", "schedule", "start_time", "last_run_at", "one_off")
    list_filter = ["enabled", "one_off", ("task", TaskFilter), "start_time", "last_run_at"]
    list_select_related = ["interval", "crontab", "solar", "clocked"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "task" in form.base_fields:
            form.base_fields["task"].label = _("task")
        return form

    @admin.display(description=_("name"), ordering="name")
    def job_name(self, obj: PeriodicTask) -> str:
        return display_name(obj.name)

    @admin.display(description=_("when it runs"))
    def schedule(self, obj: PeriodicTask) -> str:
        return schedule_in_words(obj)
