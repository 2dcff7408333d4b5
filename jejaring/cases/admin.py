from django.contrib import admin

from jejaring.core.admin import AuditedModelAdmin, ReferenceAdmin

from .models import LeadingSector, ServiceType

admin.site.register(ServiceType, ReferenceAdmin)


@admin.register(LeadingSector)
class LeadingSectorAdmin(AuditedModelAdmin):
    """The leading-sector table: editable reference data per region and category."""

    list_display = ("region", "category", "organisation", "role")
    list_filter = ("role", "category")
    raw_id_fields = ("region", "organisation")
