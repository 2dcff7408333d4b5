"""The public side's FilterSets: each serves its staff page and its API list alike."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import region_subtree, scope_for
from jejaring.core.widgets import FastSelect
from jejaring.regions.filters import RegionCodeFilter

from .models import (
    OFFICE_STAGES,
    OPEN_COMPLAINT_STAGES,
    OPEN_REPORT_STATES,
    Complaint,
    ComplaintCategory,
    ComplaintStage,
    PublicReport,
    ReportState,
    ReportTopic,
)


class ReportFilter(django_filters.FilterSet):
    box = django_filters.ChoiceFilter(
        method="in_box",
        label=_("Box"),
        empty_label=None,
        choices=[
            ("open", _("To do")),
            ("ours", _("With our office")),
            ("all", _("All")),
        ],
    )
    state = django_filters.ChoiceFilter(
        choices=ReportState.choices, label=_("State"), empty_label=_("All"), widget=FastSelect
    )
    topic = django_filters.ModelChoiceFilter(
        queryset=ReportTopic.objects.all(),
        to_field_name="code",
        label=_("Topic"),
        empty_label=_("All"),
        widget=FastSelect,
    )
    region = RegionCodeFilter(method="within", label=_("Inside region"))
    overdue = django_filters.BooleanFilter(
        method="past_due", label=_("Only reports past their time"), widget=forms.CheckboxInput
    )

    class Meta:
        model = PublicReport
        fields = ["box", "state", "topic", "region", "overdue"]

    def in_box(self, queryset, name, value):
        scope = scope_for(self.request.user) if self.request is not None else None
        own = scope.organisation_id if scope is not None else None
        if value == "open":
            return queryset.filter(state__in=OPEN_REPORT_STATES)
        if value == "ours":
            return queryset.filter(handling_organisation_id=own)
        return queryset

    def within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(region_subtree("region__code", value.code))

    def past_due(self, queryset, name, value):
        from jejaring.core import clock

        if not value:
            return queryset
        return queryset.filter(state=ReportState.RECEIVED, pickup_due__lt=clock.now())


class ComplaintFilter(django_filters.FilterSet):
    """The complaints desk and the API list of complaints."""

    stage = django_filters.ChoiceFilter(
        choices=ComplaintStage.choices, label=_("Stage"), empty_label=_("All"), widget=FastSelect
    )
    open = django_filters.BooleanFilter(
        method="still_open", label=_("Only open complaints"), widget=forms.CheckboxInput
    )
    overdue = django_filters.BooleanFilter(
        method="past_due", label=_("Only complaints past a deadline"), widget=forms.CheckboxInput
    )
    category = django_filters.ModelChoiceFilter(
        queryset=ComplaintCategory.objects.all(),
        to_field_name="code",
        label=_("Category"),
        empty_label=_("All"),
        widget=FastSelect,
    )
    organisation = django_filters.NumberFilter(
        field_name="concerned_organisation_id", label=_("About organisation (id)")
    )

    class Meta:
        model = Complaint
        fields = ["stage", "open", "overdue", "category", "organisation"]

    def still_open(self, queryset, name, value):
        return queryset.filter(stage__in=OPEN_COMPLAINT_STAGES) if value else queryset

    def past_due(self, queryset, name, value):
        from jejaring.core import clock

        if not value:
            return queryset
        return queryset.filter(stage__in=OFFICE_STAGES, stage_due__lt=clock.now())
