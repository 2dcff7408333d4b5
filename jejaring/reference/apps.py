from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    """Reference data shared by every domain: PMKS categories, SPM groups, PSKS types."""

    name = "jejaring.reference"
    label = "reference"
    verbose_name = _("Reference data")
