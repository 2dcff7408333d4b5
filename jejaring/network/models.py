from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import ReferenceData, StampedOnSave
from jejaring.core.scoping import RestrictedQuerySet

from .policies import ContactPolicy, OrganisationPolicy


class Sector(models.TextChoices):
    """The penta-helix sectors (domain.md §2)."""

    GOVERNMENT = "government", _("Government")
    PRIVATE = "private", _("Private sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society / community")
    ACADEMIA = "academia", _("Academia")
    MEDIA = "media", _("Media")


class OrganisationLevel(models.TextChoices):
    CENTRAL = "pusat", _("Central")
    PROVINCE = "provinsi", _("Province")
    REGENCY = "kabupaten_kota", _("Regency / city")
    DISTRICT = "kecamatan", _("District")
    VILLAGE = "desa", _("Village")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class OrganisationType(ReferenceData):
    """A kind of body in the network: Dinas Sosial, Dukcapil, LKSA, university…

    The flags drive behaviour, which is why they are data an administrator can set:
    a government office with ``regional_jurisdiction`` sees its region's subtree; a
    ``is_social_office`` supervises the partners registered in its region; an
    ``is_institution`` gives residential (dalam panti) care.
    """

    default_sector = models.CharField(
        _("default sector"), max_length=20, choices=Sector.choices, default=Sector.GOVERNMENT
    )
    regional_jurisdiction = models.BooleanField(_("governs its region"), default=False)
    is_social_office = models.BooleanField(_("social affairs office"), default=False)
    is_institution = models.BooleanField(_("residential institution (panti)"), default=False)

    class Meta(ReferenceData.Meta):
        verbose_name = _("organisation type")
        verbose_name_plural = _("organisation types")


class Organisation(StampedOnSave, models.Model):
    """A member of the network: a government office or a partner institution."""

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Short unique code, used by imports and the API (e.g. dinsos-kota-pekanbaru)."),
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.ForeignKey(
        OrganisationType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    level = models.CharField(_("level"), max_length=20, choices=OrganisationLevel.choices)
    home_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("home region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_area = models.ManyToManyField(
        "regions.Region", verbose_name=_("service area"), blank=True, related_name="+"
    )
    pmks_categories = models.ManyToManyField(
        "reference.PmksCategory",
        verbose_name=_("PMKS categories handled"),
        blank=True,
        related_name="organisations",
    )
    beds = models.PositiveIntegerField(_("beds"), default=0)
    certified_social_workers = models.PositiveIntegerField(_("certified social workers"), default=0)
    uncertified_social_workers = models.PositiveIntegerField(
        _("uncertified social workers"), default=0
    )
    volunteers = models.PositiveIntegerField(_("volunteers"), default=0)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True)
    email = models.EmailField(_("office e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)
    # Optimistic locking: an edit names the version it started from, and a stale one is
    # refused instead of silently overwriting a colleague's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = OrganisationPolicy()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "home_region", name="network_organisation_unique_name_in_region"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def social_workers(self) -> int:
        return self.certified_social_workers + self.uncertified_social_workers


class OrganisationContact(models.Model):
    """A named person to contact at an organisation. Personal data: scoped, not public."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ContactPolicy()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name
