"""Filters for forums and their meetings: one definition each, for the page and the API
(core.filtering), with the yes-only switch and the "mine" the other parts reuse."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import region_subtree, scope_for
from jejaring.regions.filters import RegionCodeFilter

from ..models import Forum, ForumMembership, Meeting, MeetingState
from .agreements import IdFilter, PageFields


class CheckboxFilter(django_filters.Filter):
    """A yes-only switch: the page's checkbox sends "on", the API ``true``. Its
    ``method`` is also called when it is off (``false``) and then leaves the list whole."""

    field_class = forms.BooleanField


class AllYesNo(forms.NullBooleanSelect):
    """All / yes / no, where the API sends ``true`` or ``false``."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("All")), ("true", _("Yes")), ("false", _("No")))


def own_organisation_id(request) -> int | None:
    """The organisation a page's user or an API caller acts for ("mine" filters)."""
    if request is None:
        return None
    scope = scope_for(getattr(request, "auth", None) or request.user)
    return scope.organisation_id if scope else None


class ForumFilter(django_filters.FilterSet):
    region = RegionCodeFilter(method="in_region", label=_("Region (code)"))
    active = django_filters.BooleanFilter(
        field_name="is_active", label=_("Active"), widget=AllYesNo
    )
    mine = CheckboxFilter(method="of_my_organisation", label=_("My organisation's forums only"))

    class Meta:
        model = Forum
        fields = ["region", "active", "mine"]

    def in_region(self, queryset, name, region):
        if region is None:
            return queryset
        return queryset.filter(region_subtree("region__code", region.code))

    def of_my_organisation(self, queryset, name, value):
        if not value:
            return queryset
        memberships = ForumMembership.objects.filter(
            organisation_id=own_organisation_id(self.request), left_on__isnull=True
        )
        return queryset.filter(pk__in=memberships.values("forum_id"))


class ForumPageFilter(PageFields, ForumFilter):
    # The forum list already shows the user's own forums apart.
    page_fields = ("region", "active")


class MeetingFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="forum_id", label=_("Forum"))
    state = django_filters.ChoiceFilter(
        choices=MeetingState.choices, label=_("State"), empty_label=_("All")
    )
    upcoming = CheckboxFilter(method="still_to_come", label=_("Upcoming only"))

    class Meta:
        model = Meeting
        fields = ["forum", "state", "upcoming"]

    def still_to_come(self, queryset, name, value):
        if not value:
            return queryset
        # Soonest first: the order someone looking ahead reads them in.
        return queryset.filter(ends_at__gte=clock.now()).order_by("starts_at")
