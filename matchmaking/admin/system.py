"""Admin for the machinery staff need to see: background jobs and emails."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from matchmaking.models import OutboxMessage, OutgoingEmail
from matchmaking.outbox import publish


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

    def has_add_permission(self, request) -> bool:
        return False
