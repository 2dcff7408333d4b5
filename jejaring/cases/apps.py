from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cases, services delivered and referrals along the tiered service."""

    name = "jejaring.cases"
    label = "cases"
    verbose_name = _("Cases & referrals")

    def ready(self):
        from jejaring.registry.policies import PersonPolicy

        from .policies import handling_through_cases

        # Organisations with a case or an open referral for a person handle that person.
        PersonPolicy.handlers.append(handling_through_cases)
