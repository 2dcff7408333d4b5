"""The filter of a user's notifications, shared by the page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Notification


class NotificationFilter(django_filters.FilterSet):
    # ``unread=false`` means "not only the unread ones" (every notification), as the
    # API has always read it, not "only the read ones".
    unread = django_filters.BooleanFilter(method="only_unread", label=_("Unread only"))

    class Meta:
        model = Notification
        fields = ["unread"]

    def only_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=True) if value else queryset
