"""Admin screens that write the audit log like every other entry point."""

from django.contrib import admin

from jejaring.audit import log as audit


class AuditedModelAdmin(admin.ModelAdmin):
    """Reference data is edited here by network administrators; every save is audited."""

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if change:
            audit.record_update(obj, before, acting_user=request.user, message="admin")
        else:
            audit.record_create(obj, acting_user=request.user, message="admin")

    def delete_model(self, request, obj):
        before = audit.snapshot(obj)
        audit.record_delete(obj, before, acting_user=request.user, message="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReferenceAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "legal_basis", "is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    list_editable = ("is_active", "sort_order")
