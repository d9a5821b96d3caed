"""The published filing lists in admin: import a table, see its rows and what they verified."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from matchmaking.models import FilingEntry, FilingList
from matchmaking.services import filings as services

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class FilingImportForm(forms.Form):
    file = forms.FileField(
        label=_("Published list"),
        help_text=_(
            "XLSX or CSV with the published columns: 序号, 属地, 模型/服务名称, 备案单位, 备案号/登记编号, 备案时间."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=FilingList.Kind.choices)
    source = forms.CharField(label=_("Published by"), max_length=100)
    list_date = forms.DateField(
        label=_("List date"),
        help_text=_(
            "Importing a list of the same kind, publisher and date again replaces its rows."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(limit)d MB.")
                % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


@admin.register(FilingList)
class FilingListAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "list_date", "entry_count", "rows_link", "imported_at"]
    list_filter = ["kind", "source"]
    date_hierarchy = "list_date"
    search_fields = ["source", "file_name"]
    readonly_fields = [
        "kind",
        "source",
        "list_date",
        "file_name",
        "entry_count",
        "imported_at",
        "imported_by",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:matchmaking_filing_import")

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="matchmaking_filing_import"), *super().get_urls()]

    @admin.display(description=_("rows"))
    def rows_link(self, obj: FilingList) -> str:
        url = reverse("admin:matchmaking_filingentry_changelist")
        return format_html('<a href="{}?filing_list__id__exact={}">{}</a>', url, obj.pk, _("show"))

    def import_view(self, request):
        """Check access, run the import service, show the rows it could not read."""
        if not request.user.has_perms(
            ["matchmaking.add_filinglist", "matchmaking.add_filingentry"]
        ):
            raise PermissionDenied
        form = FilingImportForm(request.POST or None, request.FILES or None)
        result = error = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.import_filing_list(
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    source=form.cleaned_data["source"],
                    list_date=form.cleaned_data["list_date"],
                    content=upload.read(),
                    file_name=upload.name,
                )
            except services.FilingTableError as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a filing list"),
            "opts": self.model._meta,
            "form": form,
            "error": error,
            "result": result,
        }
        return TemplateResponse(request, "admin/matchmaking/filinglist/import.html", context)


@admin.register(FilingEntry)
class FilingEntryAdmin(admin.ModelAdmin):
    list_display = [
        "service_name",
        "organization_name",
        "filing_number",
        "region",
        "filed_on",
        "filing_list",
    ]
    list_filter = ["filing_list", "region"]
    search_fields = ["service_name", "organization_name", "filing_number"]
    list_select_related = ["filing_list"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
