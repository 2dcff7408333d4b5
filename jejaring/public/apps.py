from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public side: what citizens send the network without an account (reports of
    people in need today; complaints, satisfaction surveys and open data next, #15)."""

    name = "jejaring.public"
    label = "public"
    verbose_name = _("Public side")
