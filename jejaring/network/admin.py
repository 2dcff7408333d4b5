from django.contrib import admin

from jejaring.core.admin import AuditedModelAdmin, ReferenceAdmin

from .models import Organisation, OrganisationContact, OrganisationType


@admin.register(OrganisationType)
class OrganisationTypeAdmin(ReferenceAdmin):
    list_display = (
        "code",
        "name",
        "default_sector",
        "regional_jurisdiction",
        "is_social_office",
        "is_institution",
        "is_active",
    )
    list_editable = ()


class ContactInline(admin.TabularInline):
    model = OrganisationContact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "type", "sector", "home_region", "status")
    list_filter = ("status", "sector", "type")
    search_fields = ("name", "code")
    raw_id_fields = ("home_region",)
    filter_horizontal = ("pmks_categories",)
    autocomplete_fields = ()
    exclude = ("service_area",)
