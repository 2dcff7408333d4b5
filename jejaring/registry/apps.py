from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The shared registry of people served: identity, categories, duplicates, merges."""

    name = "jejaring.registry"
    label = "registry"
    verbose_name = _("Registry")
