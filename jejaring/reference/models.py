from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core.models import ReferenceData


class SpmGroup(ReferenceData):
    """One of the five SPM target groups of PP 2/2018 and Permensos 9/2018."""

    class Meta(ReferenceData.Meta):
        verbose_name = _("SPM target group")
        verbose_name_plural = _("SPM target groups")


class PmksCategory(ReferenceData):
    """A type of social welfare problem a person may have (PMKS/PPKS, Permensos 8/2012)."""

    is_child = models.BooleanField(_("child group"), default=False)
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Identity is shown only to the organisations handling the person."),
    )
    spm_group = models.ForeignKey(
        SpmGroup,
        verbose_name=_("SPM target group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="categories",
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("PMKS category")
        verbose_name_plural = _("PMKS categories")


class PsksType(ReferenceData):
    """A kind of the network's own resource (PSKS, Permensos 8/2012): people or bodies."""

    is_person = models.BooleanField(
        _("individual"), default=False, help_text=_("A person (e.g. TKSK) rather than a body.")
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("PSKS type")
        verbose_name_plural = _("PSKS types")
