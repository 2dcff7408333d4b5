from django.contrib import admin

from jejaring.core.admin import ReferenceAdmin

from .models import PmksCategory, PsksType, SpmGroup


@admin.register(PmksCategory)
class PmksCategoryAdmin(ReferenceAdmin):
    list_display = ("code", "name", "is_child", "is_sensitive", "spm_group", "is_active")
    list_filter = ("is_child", "is_sensitive", "spm_group", "is_active")
    list_editable = ()


admin.site.register(SpmGroup, ReferenceAdmin)
admin.site.register(PsksType, ReferenceAdmin)
