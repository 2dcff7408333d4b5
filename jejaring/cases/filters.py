"""The cases FilterSets: one per listed model, serving the page and the API alike
(core.filtering). The caller's organisation and identity rights come from the request
(``request.user`` — the API's token auth sets it too)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import VIEW_IDENTITY, scope_for
from jejaring.core.widgets import FastSelect
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.regions.filters import RegionCodeFilter
from jejaring.registry.models import Person

from .models import (
    OPEN_REFERRAL_STATES,
    Case,
    CaseState,
    LeadingSector,
    OverlapAlert,
    Referral,
    ReferralState,
    Service,
    ServiceType,
)


def _organisation_id(request):
    scope = scope_for(request.user) if request is not None else None
    return scope.organisation_id if scope is not None else None


class CaseFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person (id)"))
    state = django_filters.ChoiceFilter(
        choices=CaseState.choices, label=_("State"), empty_label=_("All"), widget=FastSelect
    )
    mine = django_filters.BooleanFilter(
        method="assigned_to_me", label=_("Only my cases"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Case
        fields = ["person", "state", "mine"]

    def __init__(self, *args, open_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if open_only:
            # A list of open cases offers no "closed" to filter by.
            self.filters["state"].extra["choices"] = [
                choice for choice in CaseState.choices if choice[0] != CaseState.CLOSED
            ]

    def assigned_to_me(self, queryset, name, value):
        return queryset.filter(assigned_worker=self.request.user) if value else queryset


class ReferralFilter(django_filters.FilterSet):
    box = django_filters.ChoiceFilter(
        method="in_box",
        label=_("Box"),
        empty_label=None,
        choices=[
            ("all", _("All")),
            ("incoming", _("Incoming")),
            ("outgoing", _("Outgoing")),
        ],
    )
    state = django_filters.ChoiceFilter(
        choices=ReferralState.choices, label=_("State"), empty_label=_("All")
    )
    open = django_filters.BooleanFilter(
        method="still_open", label=_("Only open referrals"), widget=forms.CheckboxInput
    )
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person (id)"))

    class Meta:
        model = Referral
        fields = ["box", "state", "open", "person"]

    def in_box(self, queryset, name, value):
        """Incoming: sent to the caller's organisation; outgoing: sent by it."""
        if value == "incoming":
            return queryset.filter(to_organisation_id=_organisation_id(self.request))
        if value == "outgoing":
            return queryset.filter(from_organisation_id=_organisation_id(self.request))
        return queryset

    def still_open(self, queryset, name, value):
        return queryset.filter(state__in=OPEN_REFERRAL_STATES) if value else queryset


class ServiceFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id", label=_("Case (id)"))
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person (id)"))
    provider = django_filters.NumberFilter(field_name="provider_id", label=_("Provided by (id)"))
    service_type = django_filters.ModelChoiceFilter(
        queryset=ServiceType.objects.all(),
        to_field_name="code",
        method="of_type",
        label=_("Service"),
        empty_label=_("All"),
    )
    delivered_from = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="gte", label=_("Delivered from")
    )
    delivered_to = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="lte", label=_("Delivered until")
    )

    class Meta:
        model = Service
        fields = ["case", "person", "provider", "service_type", "delivered_from", "delivered_to"]

    def of_type(self, queryset, name, service_type):
        """The kind of help given says what a masked record's category hides (the list
        shows no type there), so filtering by it looks only where the identity shows:
        otherwise a count would confirm what the masking hides."""
        if service_type is None:
            return queryset
        visible = Person.objects.restrict(self.request.user, VIEW_IDENTITY).values("pk")
        return queryset.filter(service_type=service_type, person__in=visible)


class OverlapFilter(django_filters.FilterSet):
    organisation = django_filters.ModelChoiceFilter(
        queryset=lambda request: (
            Organisation.objects.restrict(request.user).order_by("name")
            if request is not None
            else Organisation.objects.none()
        ),
        method="involving",
        label=_("Organisation involved"),
        empty_label=_("All"),
    )
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person (id)"))

    class Meta:
        model = OverlapAlert
        fields = ["organisation", "person"]

    def involving(self, queryset, name, organisation):
        if organisation is None:
            return queryset
        # A subquery, not a join: a join on the many-to-many would repeat rows.
        involved = OverlapAlert.organisations.through.objects.filter(
            organisation=organisation
        ).values("overlapalert_id")
        return queryset.filter(pk__in=involved)


class LeadingSectorFilter(django_filters.FilterSet):
    region = RegionCodeFilter(field_name="region", label=_("Region (code)"))
    category = django_filters.ModelChoiceFilter(
        queryset=PmksCategory.objects.all(),
        to_field_name="code",
        label=_("PMKS category"),
        empty_label=_("All"),
    )

    class Meta:
        model = LeadingSector
        fields = ["region", "category"]
