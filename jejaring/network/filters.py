import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import region_subtree
from jejaring.core.widgets import FastSelect
from jejaring.reference.models import PmksCategory
from jejaring.regions.filters import RegionCodeFilter

from .models import Organisation, OrganisationLevel, OrganisationStatus, OrganisationType, Sector


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    type = django_filters.ModelChoiceFilter(
        queryset=OrganisationType.objects.all(),
        to_field_name="code",
        label=_("Type"),
        empty_label=_("All"),
        widget=FastSelect,
    )
    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, label=_("Sector"), empty_label=_("All"), widget=FastSelect
    )
    level = django_filters.ChoiceFilter(
        choices=OrganisationLevel.choices, label=_("Level"), empty_label=_("All"), widget=FastSelect
    )
    status = django_filters.ChoiceFilter(
        choices=OrganisationStatus.choices,
        label=_("Status"),
        empty_label=_("All"),
        widget=FastSelect,
    )
    region = RegionCodeFilter(method="in_region", label=_("Region (code)"))
    category = django_filters.ModelChoiceFilter(
        queryset=PmksCategory.objects.all(),
        to_field_name="code",
        method="handles_category",
        label=_("PMKS category"),
        empty_label=_("All"),
        widget=FastSelect,
    )

    class Meta:
        model = Organisation
        fields = ["q", "type", "sector", "level", "status", "region", "category"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def in_region(self, queryset, name, region):
        """Based in the region, or with a service area inside it or covering it."""
        if region is None:
            return queryset
        serving = Organisation.service_area.through.objects.filter(
            region_subtree("region__code", region.code)
            | Q(region__code__in=region.ancestor_codes())
        ).values("organisation_id")
        return queryset.filter(region_subtree("home_region__code", region.code) | Q(pk__in=serving))

    def handles_category(self, queryset, name, category):
        if category is None:
            return queryset
        return queryset.filter(pmks_categories=category)
