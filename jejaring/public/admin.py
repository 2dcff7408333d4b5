from django.contrib import admin

from jejaring.core.admin import AuditedModelAdmin, ReferenceAdmin

from .models import (
    ComplaintCategory,
    ComplaintDeadline,
    PublicHoliday,
    ReportTopic,
    SurveyElement,
)


@admin.register(ReportTopic)
class ReportTopicAdmin(ReferenceAdmin):
    """What citizens can report, in their words, and the time an office has to pick it up."""

    list_display = ("code", "name", "category", "pickup_hours", "is_active", "sort_order")


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(ReferenceAdmin):
    """What complaints are about, as the office's complaint desk sorts them."""


@admin.register(ComplaintDeadline)
class ComplaintDeadlineAdmin(ReferenceAdmin):
    """How long a complaint may stay in each stage, and how the days are counted."""

    list_display = ("code", "name", "stage", "days", "working_days", "is_active", "sort_order")


@admin.register(PublicHoliday)
class PublicHolidayAdmin(AuditedModelAdmin):
    """The days that are not working days for complaint deadlines (SKB 3 Menteri)."""

    list_display = ("date", "name")
    date_hierarchy = "date"


@admin.register(SurveyElement)
class SurveyElementAdmin(ReferenceAdmin):
    """The survey's elements, questions and answers (PermenPANRB 14/2017)."""

    list_display = ("code", "name", "question", "is_active", "sort_order")
