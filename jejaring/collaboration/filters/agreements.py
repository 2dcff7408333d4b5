"""The agreements FilterSet, for the list page and the API alike; what both fetch with
one agreement (scoped like it); and the pieces the resource-sharing filters reuse: a
bounded id filter and the page variant."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import RestrictedPrefetch

from ..models import (
    EXPIRY_REMINDER_DAYS,
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementParty,
    AgreementState,
)

# Database ids from a query string: bounded, so an impossible number is a message on
# its field (422 / a form error), never a database error.
MAX_ID = 2**31 - 1

# The state filter's extra value: active and ending within the first reminder window.
EXPIRING = "expiring"


class IdFilter(django_filters.Filter):
    """An id named in the query string (``?forum=3``): a whole number in range."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class PageFields:
    """Mixin for the list page's variant of a FilterSet: the same filters, but its form
    offers only ``page_fields`` — what a person picks from choices; the ids the API
    takes are no use in a form."""

    page_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = {name: self.filters[name] for name in self.page_fields}


def expiring() -> Q:
    """Active agreements whose end falls within the first reminder window."""
    horizon = clock.localdate() + datetime.timedelta(days=max(EXPIRY_REMINDER_DAYS))
    return Q(state=AgreementState.ACTIVE, ends_on__isnull=False, ends_on__lte=horizon)


class AgreementFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[*AgreementState.choices, (EXPIRING, _("Expiring"))],
        method="in_state",
        label=_("State"),
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        choices=AgreementKind.choices, label=_("Kind"), empty_label=_("All")
    )
    forum = IdFilter(field_name="forum_id", label=_("Forum"))
    party = IdFilter(method="with_party", label=_("Party"))

    class Meta:
        model = Agreement
        fields = ["state", "kind", "forum", "party"]

    def in_state(self, queryset, name, value):
        if value == EXPIRING:
            return queryset.filter(expiring())
        return queryset.filter(state=value)

    def with_party(self, queryset, name, organisation_id):
        return queryset.filter(
            pk__in=AgreementParty.objects.filter(organisation_id=organisation_id).values(
                "agreement_id"
            )
        )


class AgreementPageFilter(PageFields, AgreementFilter):
    page_fields = ("state",)


def scoped_relations(user) -> list[RestrictedPrefetch]:
    """What the agreement's page and its API answer fetch with it, as ``user`` may see
    it: the documents, the agreement it renews and the one renewing it. One lookup for
    both, so the API cannot hand out a document or a renewal the page would hide.
    The two links land in ``visible_renews`` and ``visible_renewal`` (None when out
    of sight or absent)."""
    return [
        RestrictedPrefetch(
            "documents", user, AgreementDocument.objects.select_related("uploaded_by")
        ),
        RestrictedPrefetch("renews", user, Agreement, to_attr="visible_renews"),
        RestrictedPrefetch("renewed_by", user, Agreement, to_attr="visible_renewal"),
    ]
