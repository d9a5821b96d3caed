"""The admin page to import a catalog file (aiplus-catalog/1), linked from the changelists.

The page hangs off the need admin (admin/matchmaking/need/import/), which is
re-registered here with the one extra URL, so the review admin stays as it is. A large
file (or one staff choose to) is imported in the background: its CatalogImport, listed
under “Catalog imports”, shows how far it got and then the matching run's progress.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from matchmaking.admin.catalog import NeedAdmin
from matchmaking.catalog_io import (
    IMPORT_STATUSES,
    CatalogImportError,
    import_catalog,
    parse_document,
)
from matchmaking.models import CatalogImport, Need, Status
from matchmaking.services import catalog_imports

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Files larger than this are always imported in the background.
BACKGROUND_BYTES = 1024 * 1024
# Importing creates and changes all three kinds of records.
REQUIRED_PERMISSIONS = [
    f"matchmaking.{action}_{model}"
    for model in ("organization", "need", "solution")
    for action in ("add", "change")
]


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalog file"),
        help_text=_("A JSON document in the aiplus-catalog/1 format."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    status = forms.ChoiceField(
        label=_("Status of the imported needs and solutions"),
        choices=[(str(status), Status(status).label) for status in IMPORT_STATUSES],
        initial=Status.DRAFT,
        help_text=_(
            "“Published” is for a solicitation round already reviewed: the records appear in "
            "the catalog and are matched. Records imported before only move forward, never back."
        ),
    )
    dry_run = forms.BooleanField(label=_("Only check the file; write nothing"), required=False)
    background = forms.BooleanField(
        label=_("Import in the background"),
        required=False,
        help_text=_(
            "Follow its progress under “Catalog imports”. Files over 1 MB are always "
            "imported in the background."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(limit)d MB.")
                % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class NeedAdminWithImport(NeedAdmin):
    def get_urls(self):
        view = self.admin_site.admin_view(self.import_catalog_view)
        return [path("import/", view, name="matchmaking_catalog_import"), *super().get_urls()]

    def import_catalog_view(self, request):
        """Check access, run the import service, show the errors or the counts."""
        if not request.user.has_perms(REQUIRED_PERMISSIONS):
            raise PermissionDenied
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        result = errors = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if form.cleaned_data["background"] or upload.size > BACKGROUND_BYTES:
                job = catalog_imports.start_import(
                    upload=upload,
                    status=form.cleaned_data["status"],
                    by=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
                self.message_user(
                    request,
                    _("%(name)s is being imported in the background.") % {"name": upload.name},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:matchmaking_catalogimport_change", args=[job.pk])
                )
            try:
                result = import_catalog(
                    parse_document(upload.read()),
                    status=form.cleaned_data["status"],
                    by=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except CatalogImportError as error:
                errors = error.errors
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import catalog"),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "file_name": form.cleaned_data["file"].name
            if form.is_bound and form.is_valid()
            else "",
            "result": result,
            "counts": [
                (_("Organizations"), result.counts["organizations"]),
                (_("Scenario needs"), result.counts["needs"]),
                (_("Solutions"), result.counts["solutions"]),
            ]
            if result
            else [],
        }
        return TemplateResponse(request, "admin/matchmaking/catalog_import.html", context)


admin.site.unregister(Need)
admin.site.register(Need, NeedAdminWithImport)


@admin.register(CatalogImport)
class CatalogImportAdmin(admin.ModelAdmin):
    """Background imports: read-only, with their progress (uploaded from the import page)."""

    list_display = ["created_at", "file_name", "record_status", "state", "progress", "created_by"]
    list_filter = ["state"]
    fields = [
        "file_name",
        "record_status",
        "dry_run",
        "state",
        "progress",
        "counts",
        "problems",
        "created_by",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # Whoever may import may follow the imports.
        return request.user.has_perms(REQUIRED_PERMISSIONS)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    @admin.display(description=_("progress"))
    def progress(self, obj: CatalogImport) -> str:
        now = catalog_imports.progress_of(obj)
        text = (
            _(
                "%(checked)d of %(total)d records checked, %(written)d written, "
                "%(published)d published"
            )
            % now
        )
        if now["matching"]:
            run = obj.match_run
            text += "; " + _("matching run #%(run)d: %(status)s, %(progress)d%%") % {
                "run": run.pk,
                "status": run.get_status_display(),
                "progress": run.progress,
            }
        return text

    @admin.display(description=_("problems found"))
    def problems(self, obj: CatalogImport) -> str:
        return "\n".join(obj.errors)
