"""Review of needs and solutions in Django admin: filters, side-by-side text, approve/reject."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import Capability
from core.validators import ALLOWED_ATTACHMENT_TYPES
from matchmaking.admin.review import ReviewFromPage
from matchmaking.forms.catalog import RejectForm
from matchmaking.models import Attachment, Need, Solution, Status, StatusChange
from matchmaking.services import catalog as services
from matchmaking.services.suggestions import reason as suggestion_reason


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("review history")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("kind"))
    def kind(self, obj: Attachment) -> str:
        """“PDF”, “DOCX” …: the type an office knows, not the MIME type."""
        return ALLOWED_ATTACHMENT_TYPES.get(obj.content_type, "").lstrip(".").upper() or "-"


# The last two sections of both review forms.
CONTACT_AND_PROVENANCE = (
    (_("Contact (private)"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
    (
        _("Provenance"),
        {
            "fields": (
                "created_by",
                "created_at",
                "updated_at",
                "submitted_at",
                "published_at",
                "source_key",
            ),
            "classes": ["collapse"],
        },
    ),
)


class ReviewAdmin(ReviewFromPage, admin.ModelAdmin):
    """What needs and solutions share: the review actions and the side-by-side text."""

    search_fields = ["title", "summary", "description", "organization__name", "source_key"]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["organization"]
    readonly_fields = [
        "status",
        "review_note",
        "text_side_by_side",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
        "source_key",
    ]
    actions = ["approve_selected", "reject_selected", "withdraw_selected"]
    list_select_related = ["organization"]
    list_per_page = 50

    @admin.display(description=_("public summary | full description"))
    def text_side_by_side(self, obj) -> str:
        return format_html(
            '<div style="display:grid;grid-template-columns:1fr 1fr;gap:16px;max-width:1100px">'
            '<div><strong>{}</strong><div style="white-space:pre-line">{}</div></div>'
            '<div><strong>{}</strong><div style="white-space:pre-line">{}</div></div></div>',
            _("Public summary"),
            obj.summary,
            _("Full description"),
            obj.description,
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj) -> str:
        # Coloured by static/css/admin.css: no inline style (CSP).
        return format_html(
            '<span class="status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.action(description=_("Approve and publish the selected submissions"))
    def approve_selected(self, request, queryset):
        result = services.approve_records(by=request.user, records=queryset)
        self.message_user(
            request,
            ngettext("%(count)d record published.", "%(count)d records published.", result.done)
            % {"count": result.done},
            messages.SUCCESS,
        )
        if result.skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d record was not under review and was left as it is.",
                    "%(count)d records were not under review and were left as they are.",
                    result.skipped,
                )
                % {"count": result.skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Withdraw the selected records from the programme"))
    def withdraw_selected(self, request, queryset):
        result = services.withdraw_records(by=request.user, records=queryset)
        self.message_user(
            request,
            ngettext("%(count)d record withdrawn.", "%(count)d records withdrawn.", result.done)
            % {"count": result.done},
            messages.SUCCESS,
        )
        if result.skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d record was already withdrawn.",
                    "%(count)d records were already withdrawn.",
                    result.skipped,
                )
                % {"count": result.skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Return the selected submissions with a reason"))
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                result = services.return_records(
                    by=request.user, records=queryset, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "%(count)d record returned; the submitter is told by email.",
                    "%(count)d records returned; the submitters are told by email.",
                    result.done,
                )
                % {"count": result.done},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return submissions with a reason"),
            "form": form,
            "records": queryset,
            "action": "reject_selected",
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/matchmaking/reject.html", context)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if isinstance(obj, Solution) and (not change or "filing_number" in form.changed_data):
            services.filings.check_filings([obj])
        if change and obj.status == Status.APPROVED:
            services.published_record_changed(record=obj)


@admin.register(Need)
class NeedAdmin(ReviewAdmin):
    list_display = [
        "title",
        "organization",
        "industry",
        "status_badge",
        "budget",
        "submitted_at",
    ]
    list_filter = [
        "status",
        "industry",
        "capabilities",
        "capabilities_unsure",
        "deployment",
        "confidentiality",
        "submitted_at",
        "organization",
    ]
    autocomplete_fields = ["organization", "industry"]
    filter_horizontal = ["capabilities"]
    readonly_fields = [*ReviewAdmin.readonly_fields, "suggestions"]
    inlines = [AttachmentInline, StatusChangeInline]
    fieldsets = (
        (None, {"fields": ("organization", "title", "status", "review_note")}),
        (_("Text"), {"fields": ("text_side_by_side", "summary", "description")}),
        (
            _("Requirements"),
            {
                "fields": (
                    "industry",
                    "suggestions",
                    "capabilities",
                    "capabilities_unsure",
                    "deployment",
                    "data_readiness",
                    "requires_filing",
                    "region",
                    "confidentiality",
                    "share_attachments",
                )
            },
        ),
        (_("Budget and timing"), {"fields": ("budget_min", "budget_max", "deadline")}),
        *CONTACT_AND_PROVENANCE,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "industry")

    @admin.display(description=_("budget (10k CNY)"), ordering="budget_min")
    def budget(self, obj: Need) -> str:
        return _range(obj.budget_min, obj.budget_max)

    def save_model(self, request, obj, form, change) -> None:
        # The office setting the capabilities answers the author's "not sure".
        if "capabilities" in form.changed_data and form.cleaned_data.get("capabilities"):
            obj.capabilities_unsure = False
        super().save_model(request, obj, form, change)

    @admin.display(description=_("suggested from the text"))
    def suggestions(self, obj: Need) -> str:
        """What the platform suggested when the need was saved: the office sets the
        capabilities below (and clears “not sure”)."""
        names = {c.code: str(c) for c in Capability.objects.all()}
        return format_html_join(
            mark_safe("<br>"),
            "{} ({}%) — {}",
            (
                (
                    names.get(item["code"], item["code"]),
                    round(item["confidence"] * 100),
                    suggestion_reason(item["words"]),
                )
                for item in obj.suggested_capabilities
            ),
        ) or _("none")


@admin.register(Solution)
class SolutionAdmin(ReviewAdmin):
    list_display = [
        "title",
        "organization",
        "status_badge",
        "maturity",
        "filing_number",
        "filing_status",
        "price",
        "submitted_at",
    ]

    @admin.display(description=_("price (10k CNY)"), ordering="price_min")
    def price(self, obj: Solution) -> str:
        return _range(obj.price_min, obj.price_max)

    list_filter = [
        "status",
        "industries",
        "capabilities",
        "maturity",
        "filing_status",
        "deploy_on_premise",
        "deploy_cloud",
        "deploy_edge",
        "submitted_at",
        "organization",
    ]
    filter_horizontal = ["capabilities", "industries"]
    readonly_fields = [
        *ReviewAdmin.readonly_fields,
        "filing_status",
        "filing_verified_on",
        "filed_service_name",
        "filed_organization",
    ]
    inlines = [AttachmentInline, StatusChangeInline]
    fieldsets = (
        (None, {"fields": ("organization", "title", "status", "review_note")}),
        (_("Text"), {"fields": ("text_side_by_side", "summary", "description", "cases")}),
        (
            _("Offer"),
            {
                "fields": (
                    "industries",
                    "capabilities",
                    "deploy_on_premise",
                    "deploy_cloud",
                    "deploy_hybrid",
                    "deploy_edge",
                    "base_model",
                    "filing_number",
                    "filing_status",
                    "filing_verified_on",
                    "filed_service_name",
                    "filed_organization",
                    "maturity",
                    "share_attachments",
                )
            },
        ),
        (_("Price"), {"fields": ("price_min", "price_max")}),
        *CONTACT_AND_PROVENANCE,
    )


def _range(low, high) -> str:
    """“10–30”, one end alone, or “-” — one short column instead of two wide ones."""
    if low is None and high is None:
        return "-"
    if low is None or high is None or low == high:
        return f"{low if low is not None else high}"
    return f"{low}–{high}"


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "need", "solution", "from_status", "to_status", "by", "note"]
    list_filter = ["to_status"]
    search_fields = ["need__title", "solution__title", "by__email", "note"]
    date_hierarchy = "at"
    list_select_related = ["need", "solution", "by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
