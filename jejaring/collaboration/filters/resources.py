"""The resource-sharing FilterSets: exchanges, the offers-and-requests board and
device distributions, for the list pages and the API alike."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import region_subtree, scope_for
from jejaring.regions.filters import RegionCodeFilter
from jejaring.regions.models import Region, RegionLevel

from ..models import (
    BoardPost,
    DeviceDistribution,
    DistributionState,
    Exchange,
    ExchangeKind,
    PostKind,
    PostState,
    ResourceCategory,
)
from .agreements import IdFilter, PageFields


def _organisation_id(request):
    """The organisation the caller acts for: a page's signed-in user or the API's."""
    if request is None:
        return None
    user = getattr(request, "auth", None) or request.user
    scope = scope_for(user)
    return scope.organisation_id if scope else None


def still_available() -> Q:
    """Posts whose "until" date has not passed (or that have none)."""
    return Q(available_until__isnull=True) | Q(available_until__gte=clock.localdate())


def provinces():
    return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("name")


class ExchangeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=ExchangeKind.choices, label=_("Activity"), empty_label=_("All")
    )
    organisation = IdFilter(method="with_organisation", label=_("Organisation"))
    forum = IdFilter(field_name="forum_id", label=_("Forum"))
    since = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label=_("Since"))

    class Meta:
        model = Exchange
        fields = ["kind", "organisation", "forum", "since"]

    def with_organisation(self, queryset, name, organisation_id):
        """The organisation at either end: as giver or as receiver."""
        return queryset.filter(Q(giver_id=organisation_id) | Q(receiver_id=organisation_id))


class ExchangePageFilter(PageFields, ExchangeFilter):
    page_fields = ("kind",)


class BoardPostFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=PostKind.choices, label=_("Kind"), empty_label=_("Offers and requests")
    )
    category = django_filters.ChoiceFilter(
        choices=ResourceCategory.choices, label=_("Category"), empty_label=_("All")
    )
    state = django_filters.ChoiceFilter(
        choices=PostState.choices, label=_("State"), empty_label=_("All")
    )
    region = RegionCodeFilter(method="in_region", label=_("Region (code)"))
    province = django_filters.ModelChoiceFilter(
        queryset=provinces(),
        method="in_region",
        label=_("Province"),
        empty_label=_("Everywhere"),
    )
    organisation = IdFilter(field_name="organisation_id", label=_("Organisation"))
    mine = django_filters.BooleanFilter(
        method="own_posts", widget=forms.CheckboxInput, label=_("Only my organisation's posts")
    )

    class Meta:
        model = BoardPost
        fields = ["kind", "category", "state", "region", "province", "organisation", "mine"]

    def in_region(self, queryset, name, region):
        return queryset.filter(region_subtree("region__code", region.code))

    def own_posts(self, queryset, name, value):
        if not value:
            return queryset
        organisation_id = _organisation_id(self.request)
        return (
            queryset.filter(organisation_id=organisation_id) if organisation_id else queryset.none()
        )


class BoardPageFilter(PageFields, BoardPostFilter):
    """The board shows what is open and still available; "only my organisation's
    posts" shows one's own in every state, matched and closed ones too."""

    page_fields = ("kind", "category", "province", "mine")

    def __init__(self, data=None, *args, **kwargs):
        # Always bound, so the board's own narrowing applies before any filter is chosen.
        super().__init__(data or {}, *args, **kwargs)

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("mine"):
            queryset = queryset.filter(state=PostState.OPEN).filter(still_available())
        return super().filter_queryset(queryset)


class DistributionFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id", label=_("Case"))
    state = django_filters.ChoiceFilter(
        choices=DistributionState.choices, label=_("State"), empty_label=_("All")
    )

    class Meta:
        model = DeviceDistribution
        fields = ["case", "state"]
