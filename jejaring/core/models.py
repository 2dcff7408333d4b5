"""Shared model skeleton for editable reference data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ReferenceManager(models.Manager.from_queryset(ReferenceQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class ReferenceData(models.Model):
    """A row of reference data an administrator maintains (categories, types, services).

    Regulations change and regions differ, so these live in tables seeded from
    fixtures, never as constants in code. Rows are retired (``is_active``) rather than
    deleted, so history keeps pointing at them; every edit is in the audit log.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=200, blank=True, help_text=_("e.g. Permensos 8/2012")
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceManager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)
