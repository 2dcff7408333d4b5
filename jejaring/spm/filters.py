"""One FilterSet per listed SPM model, shared by the list page and the API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import region_subtree
from jejaring.regions.filters import RegionCodeFilter

from .models import SpmServiceType, Target, TargetSource


class ServiceTypeCodeField(forms.Field):
    """An SPM service type named by its code (``kab_anak_terlantar_luar_panti``)."""

    def to_python(self, value):
        value = str(value).strip()[:50] if value is not None else ""
        if value in self.empty_values:
            return None
        found = SpmServiceType.objects.filter(code=value).first()
        if found is None:
            raise ValidationError(
                _("Unknown SPM service type: %(code)s."),
                code="unknown_service_type",
                params={"code": value},
            )
        return found


class ServiceTypeCodeFilter(django_filters.Filter):
    field_class = ServiceTypeCodeField


class TargetFilter(django_filters.FilterSet):
    """Targets by year, service type and region. ``region`` is the region and every
    region inside it (a province's targets with its regencies'), as the API has always
    answered; the targets page lists one region's own rows (``subtree=False``)."""

    year = django_filters.NumberFilter(label=_("Year"))
    type = ServiceTypeCodeFilter(field_name="service_type", label=_("Service type"))
    region = RegionCodeFilter(method="in_region", label=_("Region (code)"))
    source = django_filters.ChoiceFilter(
        choices=TargetSource.choices, label=_("Source"), empty_label=_("All")
    )

    class Meta:
        model = Target
        fields = ["year", "type", "region", "source"]

    def __init__(self, *args, subtree: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.subtree = subtree

    def in_region(self, queryset, name, region):
        if region is None:
            return queryset
        if not self.subtree:
            return queryset.filter(region=region)
        return queryset.filter(region_subtree("region__code", region.code))
