"""Admin for people, organizations and the taxonomy."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import Capability, Consent, Industry, Invitation, Membership, Organization, User
from core.services.organizations import update_organization, verify_organizations


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["notice_version", "given_at", "ip_address"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "email_verified_at", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name", "phone"]
    date_hierarchy = "date_joined"
    inlines = [MembershipInline, ConsentInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "language", "email_verified_at")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "industry", "district", "verified", "created_at"]
    list_filter = ["kind", "verified", "industry", "district"]
    list_editable = ["verified"]
    search_fields = ["name", "name_en", "uscc"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["industry"]
    readonly_fields = ["source_key", "created_at", "updated_at"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["mark_verified"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("industry")

    def save_model(self, request, obj, form, change):
        # The office's edits go through the service like an owner's: audited, and
        # announced to the apps that keep the organization's name (search documents).
        if not change:
            return super().save_model(request, obj, form, change)
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        return update_organization(by=request.user, organization=obj, fields=fields)

    @admin.action(description=_("Mark the selected organizations as verified"))
    def mark_verified(self, request, queryset):
        result = verify_organizations(by=request.user, organizations=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d organization verified.", "%(count)d organizations verified.", result.done
            )
            % {"count": result.done},
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__full_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organization")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    search_fields = ["email", "organization__name"]
    autocomplete_fields = ["organization", "invited_by"]
    readonly_fields = ["token"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "sort_order"]
    list_editable = ["name_zh", "name_en", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["related"]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "sort_order"]
    list_editable = ["name_zh", "name_en", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]
