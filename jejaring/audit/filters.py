import django_filters
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEntry, AuditSubject


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        choices=AuditAction.choices, label=_("Action"), empty_label=_("All")
    )
    object_type = django_filters.CharFilter(label=_("Object type"), method="filter_object")
    object_id = django_filters.CharFilter(label=_("Object id"), method="filter_object")
    actor = django_filters.CharFilter(field_name="actor_name", label=_("User"))

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor"]

    def filter_object(self, queryset, name, value):
        """An object's rows: those about it, and those naming it among several (a list
        read, an export, a duplicate check), through their subjects.

        Both fields are applied together, by the object id's filter, so that a bulk
        read's subject counts when its type matches (the row's own type may differ).
        """
        data = self.form.cleaned_data
        object_type, object_id = data.get("object_type"), data.get("object_id")
        if name == "object_type" and object_id:
            return queryset  # done below, with the id
        if name == "object_type":
            return queryset.filter(object_type=value)
        match = {"object_id": value}
        if object_type:
            match["object_type"] = object_type
        # The ids of both kinds of row, united, rather than an OR of the two: the OR
        # scans the whole log on PostgreSQL, the union walks two indexes. Rows written
        # since the subjects exist are in both halves; the union drops the repeat.
        own = AuditEntry.objects.filter(**match).order_by().values("pk")
        named = AuditSubject.objects.filter(**match).order_by().values("entry_id")
        return queryset.filter(pk__in=own.union(named))
