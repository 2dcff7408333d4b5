from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency / city")
    DISTRICT = "district", _("District")
    VILLAGE = "village", _("Village")


LEVEL_BY_SEGMENTS = {
    1: RegionLevel.PROVINCE,
    2: RegionLevel.REGENCY,
    3: RegionLevel.DISTRICT,
    4: RegionLevel.VILLAGE,
}


class Region(models.Model):
    """An administrative region of Indonesia under its Kemendagri code.

    ``32`` is Jawa Barat, ``32.04`` Kabupaten Bandung, ``32.04.05`` a district in it and
    ``32.04.05.2001`` a village. The code is the key, so a region's subtree is every
    code that starts with its own code and a dot (see ``core.scoping.region_subtree``).
    Regions are public knowledge: they are not scoped.
    """

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def ancestor_codes(self) -> list[str]:
        """Codes from the province down to the parent, e.g. ['32', '32.04'] for a district."""
        parts = self.code.split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts))]

    def ancestors(self) -> list["Region"]:
        codes = self.ancestor_codes()
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]

    def contains(self, other: "Region") -> bool:
        return other.code == self.code or other.code.startswith(f"{self.code}.")


class RegionDataset(models.Model):
    """Which version of the region files was loaded, so reloading is skipped when current."""

    checksum = models.CharField(max_length=64)
    provinces = models.CharField(max_length=255, blank=True, help_text="empty = all")
    row_count = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("region dataset")

    def __str__(self) -> str:
        return f"{self.row_count} regions ({self.checksum[:8]})"
