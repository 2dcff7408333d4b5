from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Bulk import of district spreadsheets, and record linkage against the registry."""

    name = "jejaring.imports"
    label = "imports"
    verbose_name = _("Imports")
