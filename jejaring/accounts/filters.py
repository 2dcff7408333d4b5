import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import User, UserRole
from .roles import Role


class UserFilter(django_filters.FilterSet):
    """The network administrators' list of accounts."""

    q = django_filters.CharFilter(method="search", label=_("Search by username or organisation"))
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="holds_role", label=_("Role"), empty_label=_("All")
    )

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(organisation__name__icontains=value)
        )

    def holds_role(self, queryset, name, value):
        # A subquery, not a join: an account holding several roles is listed once.
        return queryset.filter(pk__in=UserRole.objects.filter(role=value).values("user_id"))
