from django.contrib import admin

from jejaring.core.admin import AuditedModelAdmin, ReferenceAdmin

from .models import SpmServiceType, SpmStandard, Target, UnitCost


@admin.register(SpmServiceType)
class SpmServiceTypeAdmin(ReferenceAdmin):
    list_display = ("code", "name", "spm_group", "level", "setting", "is_active")
    list_editable = ()


@admin.register(SpmStandard)
class SpmStandardAdmin(AuditedModelAdmin):
    """A new regulation is a new row with a later 'valid from'; old years keep theirs."""

    list_display = ("service_type", "valid_from", "min_services", "legal_basis")
    filter_horizontal = ("basic_services",)


@admin.register(Target)
class TargetAdmin(AuditedModelAdmin):
    list_display = ("region", "year", "service_type", "target", "source")
    list_filter = ("year", "service_type", "source")
    raw_id_fields = ("region",)


@admin.register(UnitCost)
class UnitCostAdmin(AuditedModelAdmin):
    list_display = ("service", "year", "amount")
    list_filter = ("year",)
