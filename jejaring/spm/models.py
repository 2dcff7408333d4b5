from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import ReferenceData, StampedOnSave
from jejaring.core.scoping import RestrictedQuerySet

from .policies import ReportNotesPolicy, TargetPolicy


class SpmLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency / city")


class CareSetting(models.TextChoices):
    """Where the service is given (UU 23/2014 authority split)."""

    INSIDE = "inside", _("Inside institutions (dalam panti)")
    OUTSIDE = "outside", _("Outside institutions (luar panti)")
    ANY = "any", _("Inside or outside institutions")


class SpmServiceType(ReferenceData):
    """One SPM service type: a target group served at one level of government, e.g.
    basic rehabilitation of neglected children outside institutions (regency/city)."""

    spm_group = models.ForeignKey(
        "reference.SpmGroup",
        verbose_name=_("target group"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=10, choices=SpmLevel.choices)
    setting = models.CharField(_("setting"), max_length=10, choices=CareSetting.choices)

    class Meta(ReferenceData.Meta):
        verbose_name = _("SPM service type")
        verbose_name_plural = _("SPM service types")


class SpmStandardManager(models.Manager):
    def get_by_natural_key(self, type_code, valid_from):
        return self.get(service_type__code=type_code, valid_from=valid_from)


class SpmStandard(models.Model):
    """What "served to standard" means for a service type, from a year on.

    A regulation change is a new row with a later ``valid_from``: achievement for a year
    always uses the version valid that year, so past figures do not shift.
    """

    service_type = models.ForeignKey(
        SpmServiceType, on_delete=models.CASCADE, related_name="standards"
    )
    valid_from = models.PositiveSmallIntegerField(_("valid from (year)"))
    basic_services = models.ManyToManyField(
        "cases.ServiceType", verbose_name=_("basic services"), related_name="+"
    )
    min_services = models.PositiveSmallIntegerField(
        _("basic services required"),
        default=1,
        help_text=_(
            "How many different basic services, delivered to standard within the "
            "calendar year, make a person served to standard."
        ),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    objects = SpmStandardManager()

    class Meta:
        ordering = ["service_type", "-valid_from"]
        verbose_name = _("SPM standard")
        verbose_name_plural = _("SPM standards")
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "valid_from"], name="spm_standard_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_type} ({self.valid_from})"

    def natural_key(self):
        return (self.service_type.code, self.valid_from)

    natural_key.dependencies = ["spm.spmservicetype"]


class TargetSource(models.TextChoices):
    DERIVED = "derived", _("Derived from the registry")
    ENTERED = "entered", _("Entered from the data collection")


class Target(StampedOnSave, models.Model):
    """How many people a region must serve in a year for one SPM service type."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    service_type = models.ForeignKey(
        SpmServiceType, on_delete=models.PROTECT, related_name="targets"
    )
    target = models.PositiveIntegerField(_("people to serve"))
    baseline = models.PositiveIntegerField(_("baseline"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=TargetSource.choices, default=TargetSource.ENTERED
    )
    source_note = models.CharField(_("source note"), max_length=255, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = TargetPolicy()

    class Meta:
        ordering = ["region", "year", "service_type"]
        verbose_name = _("SPM target")
        verbose_name_plural = _("SPM targets")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "service_type"], name="spm_target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.service_type_id}: {self.target}"


class UnitCost(models.Model):
    """The cost of one basic service for one person, for the needs calculation."""

    service = models.ForeignKey("cases.ServiceType", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("cost per person (Rp)"), max_digits=14, decimal_places=0)

    class Meta:
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="spm_unitcost_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.year}: {self.amount}"


class PersonAchievement(models.Model):
    """One person's standing for one service type in one year (maintained incrementally).

    ``region`` is where the person last received a qualifying service that year: a person
    counts once, in one place, so regional figures add up to the national one.
    """

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="spm_standing"
    )
    year = models.PositiveSmallIntegerField(db_index=True)
    service_type = models.ForeignKey(SpmServiceType, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=13, blank=True)
    services_received = models.PositiveSmallIntegerField(default=0)
    reached_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "service_type"], name="spm_personachievement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} {self.year} {self.service_type_id}"


class AchievementCount(models.Model):
    """People served to standard, per region, year, service type and the quarter in
    which they reached the standard. ``region_code`` is '' for the whole country.
    This is what dashboards read: kept up to date by the engine, never by hand."""

    region_code = models.CharField(max_length=13, blank=True)
    year = models.PositiveSmallIntegerField()
    service_type = models.ForeignKey(SpmServiceType, on_delete=models.CASCADE, related_name="+")
    quarter = models.PositiveSmallIntegerField()
    served = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year", "service_type", "quarter"],
                name="spm_achievementcount_unique",
            )
        ]
        indexes = [models.Index(fields=["year", "region_code"], name="spm_count_year_region")]

    def __str__(self) -> str:
        return f"{self.region_code or 'ID'} {self.year} Q{self.quarter}: {self.served}"


class ReportNotes(StampedOnSave, models.Model):
    """What an office writes into its yearly SPM report beyond the computed figures."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    office_name = models.CharField(_("office"), max_length=200, blank=True)
    office_address = models.CharField(_("address"), max_length=255, blank=True)
    head_name = models.CharField(_("head of office"), max_length=150, blank=True)
    head_nip = models.CharField(_("head's NIP"), max_length=30, blank=True)
    step_data_collection = models.TextField(_("1. Data collection"), blank=True)
    step_needs_calculation = models.TextField(_("2. Calculating needs"), blank=True)
    step_planning = models.TextField(_("3. Planning fulfilment"), blank=True)
    step_fulfilment = models.TextField(_("4. Carrying out fulfilment"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ReportNotesPolicy()

    class Meta:
        verbose_name = _("report notes")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="spm_reportnotes_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"
