import django_filters
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEntry


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        choices=AuditAction.choices, label=_("Action"), empty_label=_("All")
    )
    object_type = django_filters.CharFilter(label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    actor = django_filters.CharFilter(field_name="actor_name", label=_("User"))

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor"]
