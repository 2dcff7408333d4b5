from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """The network's members: organisations, their types, capacity and contacts."""

    name = "jejaring.network"
    label = "network"
    verbose_name = _("Network")
