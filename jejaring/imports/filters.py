"""The imports FilterSets, one per listed model, for the pages and the API alike
(core.filtering): the imports list, the rows of an import, its problems, and the
review queue (which pairs, in which order)."""

import django_filters
from django.db.models.functions import Abs
from django.utils.translation import gettext_lazy as _

from .models import (
    ImportedRow,
    ImportJob,
    ImportProblem,
    JobStatus,
    LinkReview,
    ReviewStatus,
    RowOutcome,
)

# Bounded: an id past the database's integer range must be a message, not a 500.
MAX_ID = 2**31 - 1

DOUBT = "doubt"
MOST_ALIKE = "-weight"
ORDERINGS = [
    (DOUBT, _("most doubtful first")),
    (MOST_ALIKE, _("most alike first")),
]


class ImportJobFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices, label=_("status"))

    class Meta:
        model = ImportJob
        fields = ["status"]


class ImportedRowFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=RowOutcome.choices, label=_("outcome"))

    class Meta:
        model = ImportedRow
        fields = ["outcome"]


class ImportProblemFilter(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(
        choices=[("error", _("errors")), ("warning", _("warnings"))], label=_("severity")
    )

    class Meta:
        model = ImportProblem
        fields = ["severity"]


class LinkReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReviewStatus.choices, label=_("status"), empty_label=None
    )
    job = django_filters.NumberFilter(
        field_name="job_id", label=_("import"), min_value=1, max_value=MAX_ID
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERINGS, method="order", label=_("order"), empty_label=None
    )

    class Meta:
        model = LinkReview
        fields = ["status", "job", "ordering"]

    def order(self, queryset, name, value):
        if value == MOST_ALIKE:
            return queryset.order_by("-score", "id")
        # The match weight is the log2 odds: |weight| is smallest where the model is
        # least sure (probability nearest 50%), and that is where a person is needed.
        return queryset.alias(doubt=Abs("score")).order_by("doubt", "id")


def queue_data(data) -> dict:
    """The filter's input with the queue's defaults: pending pairs, most doubtful first."""
    values = {key: data.get(key) for key in ("status", "job", "ordering") if data.get(key)}
    values.setdefault("status", ReviewStatus.PENDING)
    values.setdefault("ordering", DOUBT)
    return values


def queue_queryset(user):
    return LinkReview.objects.restrict(user).select_related(
        "record__region", "candidate__region", "job"
    )
