from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from jejaring.core.admin import AuditedModelAdmin

from .actions import revoke_all_tokens
from .models import ApiToken, User, UserRole


class RoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class JejaringUserAdmin(AuditedModelAdmin, UserAdmin):
    inlines = [RoleInline]
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("is_active", "is_staff", "organisation__type")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Jejaring"), {"fields": ("organisation", "phone", "must_change_password")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Jejaring"), {"fields": ("organisation", "must_change_password")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Same rule as accounts.actions.set_active: a disabled user's tokens die with it.
        if change and "is_active" in form.changed_data and not obj.is_active:
            revoke_all_tokens(obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "user", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False  # tokens are issued by `jejaring token` or the profile page
