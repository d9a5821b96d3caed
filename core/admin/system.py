"""Admin for the machinery staff need to see: background jobs and emails."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import AuditEntry, OutboxMessage, OutgoingEmail
from core.outbox import enqueue, publish
from core.tasks import send_email


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
        ids = list(queryset.exclude(status=OutboxMessage.Status.DONE).values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(status=OutboxMessage.Status.PENDING, attempts=0)
        sent = publish(ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d job queued to run again.", "%(count)d jobs queued to run again.", sent
            )
            % {"count": sent},
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
        failed = list(
            queryset.filter(status=OutgoingEmail.Status.FAILED).exclude(to="deleted@invalid")
        )
        for email in failed:
            OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.QUEUED)
            enqueue(
                send_email,
                kwargs={"email_id": email.pk},
                key=f"email:{email.pk}:again:{email.attempts}",
            )
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", len(failed))
            % {"count": len(failed)},
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Who did what, when: read-only, so the log can be trusted."""

    list_display = ["at", "actor_label", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_label", "object_id", "action"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
