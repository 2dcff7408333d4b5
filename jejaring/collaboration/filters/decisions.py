"""Filters for proposals and commitments: one definition each, for the page and the
API (core.filtering)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock

from ..models import Commitment, CommitmentState, Proposal, ProposalState
from .agreements import IdFilter, PageFields
from .forums import CheckboxFilter, own_organisation_id


class ProposalFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="forum_id", label=_("Forum"))
    state = django_filters.ChoiceFilter(
        choices=ProposalState.choices, label=_("State"), empty_label=_("All")
    )

    class Meta:
        model = Proposal
        fields = ["forum", "state"]


class CommitmentFilter(django_filters.FilterSet):
    forum = IdFilter(field_name="forum_id", label=_("Forum"))
    state = django_filters.ChoiceFilter(
        choices=CommitmentState.choices, label=_("State"), empty_label=_("All")
    )
    overdue = CheckboxFilter(method="past_due", label=_("Overdue only"))
    mine = CheckboxFilter(method="of_my_organisation", label=_("My organisation's only"))

    class Meta:
        model = Commitment
        fields = ["forum", "state", "overdue", "mine"]

    def past_due(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(state=CommitmentState.OPEN, due_on__lt=clock.localdate())

    def of_my_organisation(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(owner_id=own_organisation_id(self.request))


class CommitmentPageFilter(PageFields, CommitmentFilter):
    # The page lists the user's own commitments apart, above every one they may see.
    page_fields = ("state", "overdue")
