"""Review from the record's own page: approve, or return with the office's reasons.

A submission's admin page shows, above its fields, the decision: “approve and
publish”, or “return” with reasons ticked from the office's templates (ReturnReason,
both languages) and words of the reviewer's own. After each decision the next
submission under review, oldest first (matchmaking.selectors.under_review), opens —
the office works through its queue without going back to the list. The decision goes
through the same audited services as the list's bulk actions.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from matchmaking.forms.catalog import ReviewDecisionForm
from matchmaking.models import ReturnReason, Status
from matchmaking.selectors import under_review
from matchmaking.services import catalog as services


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "text", "position", "active"]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["active"]
    search_fields = ["title_zh", "title_en", "text_zh", "text_en"]
    fieldsets = (
        (gettext_lazy("Chinese"), {"fields": ("title_zh", "text_zh")}),
        (gettext_lazy("English"), {"fields": ("title_en", "text_en")}),
        (None, {"fields": ("position", "active")}),
    )

    @admin.display(description=gettext_lazy("short name"), ordering="title_zh")
    def name(self, obj: ReturnReason) -> str:
        return obj.title  # in the reader's language

    @admin.display(description=gettext_lazy("text sent"))
    def text(self, obj: ReturnReason) -> str:
        return obj.text_in(get_language() or "")


class ReviewFromPage:
    """Mixed into the need and solution admins: the decision panel and its view."""

    change_form_template = "admin/matchmaking/review_change_form.html"

    def _info(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{self._info()}_review",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if (
            record is not None
            and record.status == Status.SUBMITTED
            and self.has_change_permission(request, record)
        ):
            waiting = under_review(self.model).exclude(pk=record.pk)
            extra.update(
                review_form=ReviewDecisionForm(),
                review_url=reverse(f"admin:{self._info()}_review", args=[record.pk]),
                review_waiting=waiting.count(),
            )
        return super().change_view(request, object_id, form_url, extra)

    def review_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, record):
            raise PermissionDenied
        change_url = reverse(f"admin:{self._info()}_change", args=[record.pk])
        form = ReviewDecisionForm(request.POST)
        if not form.is_valid():
            for error in form.errors.values():
                self.message_user(request, " ".join(error), messages.ERROR)
            return HttpResponseRedirect(change_url)
        try:
            if form.cleaned_data["decision"] == ReviewDecisionForm.APPROVE:
                result = services.approve_records(by=request.user, records=[record])
                done = _("“%(title)s” is published; the submitter is told by email.")
            else:
                reason = services.return_reason_text(
                    record=record,
                    reasons=form.cleaned_data["reasons"],
                    text=form.cleaned_data["note"],
                )
                result = services.return_records(by=request.user, records=[record], reason=reason)
                done = _("“%(title)s” is returned; the submitter is told by email.")
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(change_url)
        if result.done:
            self.message_user(request, done % {"title": record.title}, messages.SUCCESS)
        else:
            self.message_user(
                request,
                _("“%(title)s” is no longer under review; nothing was changed.")
                % {"title": record.title},
                messages.WARNING,
            )
        following = under_review(self.model).exclude(pk=record.pk).first()
        if following is not None:
            return HttpResponseRedirect(
                reverse(f"admin:{self._info()}_change", args=[following.pk])
            )
        self.message_user(request, _("Nothing else waits for review."), messages.INFO)
        return HttpResponseRedirect(
            reverse(f"admin:{self._info()}_changelist") + f"?status__exact={Status.SUBMITTED}"
        )
