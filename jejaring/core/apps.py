from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared skeleton: scoping, request context, the page shell and the API root."""

    name = "jejaring.core"
    label = "core"
    verbose_name = _("Core")
