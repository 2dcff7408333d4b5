from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """Field work on a phone with no signal: the installable field page, drafts kept on
    the device encrypted, and the sync that applies each draft exactly once through the
    same actions as the online forms (docs/field.md)."""

    name = "jejaring.field"
    label = "field"
    verbose_name = _("Field work")
