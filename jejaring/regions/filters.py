import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import RegionCodeField
from .models import Region, RegionLevel


class RegionCodeFilter(django_filters.Filter):
    field_class = RegionCodeField


class RegionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    level = django_filters.ChoiceFilter(
        choices=RegionLevel.choices, label=_("Level"), empty_label=_("All")
    )
    parent = RegionCodeFilter(method="within", label=_("Inside region"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def within(self, queryset, name, value):
        return queryset.filter(parent=value) if value is not None else queryset
