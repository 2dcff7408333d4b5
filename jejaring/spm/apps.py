from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpmConfig(AppConfig):
    """Minimum Service Standards: service types, targets, achievement, reports."""

    name = "jejaring.spm"
    label = "spm"
    verbose_name = _("Minimum Service Standards")

    def ready(self):
        from jejaring.cases import actions as case_actions
        from jejaring.registry import actions as registry_actions

        from .engine import after_merge, after_service

        # Recording a service, or merging two records, updates the figures at once.
        case_actions.AFTER_SERVICE_HOOKS.append(after_service)
        registry_actions.AFTER_MERGE_HOOKS.append(after_merge)
