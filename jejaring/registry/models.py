from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import StampedOnSave
from jejaring.core.scoping import RestrictedQuerySet

from .policies import PersonPolicy


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact")
    ESTIMATED = "estimated", _("Estimated")
    YEAR = "year", _("Year only")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not yet verified")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class LifeStatus(models.TextChoices):
    """Whether the person still lives where the record places them. A person who moved
    or died leaves the SPM targets and gap lists from that date; the record, its cases
    and services stay (``registry.actions.set_life_status``, reversible)."""

    PRESENT = "present", _("Lives here")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")


# The identity fields a person's record is entered with, in the order a form shows them.
PERSON_FIELDS = (
    "full_name",
    "nik",
    "kk_number",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birthplace",
    "region",
    "rt",
    "rw",
    "address",
    "mother_name",
    "father_name",
    "guardian_name",
    "disability",
    "phone",
)


class Person(StampedOnSave, models.Model):
    """A person served by the network, recorded once and shared under rules.

    Many people served have no NIK (street children, abandoned babies): an empty NIK
    is a normal state, and obtaining one is itself a service. ``name_key`` is the
    spelling-variant-folded name (``registry.names``) used for search and the duplicate
    guard. A record merged into another keeps existing, pointing at the survivor, so the
    merge can be undone.
    """

    registered_by = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    # A NIK that failed a structure or consistency rule (offices' real NIKs often do: a
    # birth-date digit typed wrong, Excel's lost 16th digit). The person exists all the
    # same, so the digits are kept as given, with the rule's reason, and searchable; but
    # they are never a hard key, never unique and never "corrected" silently: verifying
    # or replacing them is a reviewed action (``actions.verify_nik``).
    nik_unverified = models.CharField(_("unverified NIK"), max_length=32, blank=True, db_index=True)
    nik_unverified_reason = models.CharField(
        _("why the NIK is unverified"), max_length=300, blank=True
    )
    kk_number = models.CharField(_("family card number (No. KK)"), max_length=16, blank=True)
    full_name = models.CharField(_("full name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    # name_key plus every alias's key: one column for search, one trigram index on it.
    search_key = models.TextField(default="", editable=False)
    # Blank only where an imported row did not say and had no NIK to read it from: the
    # person is kept (forms still ask for it).
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    # Indexed: record linkage looks people up by birth date (imports.pipeline).
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    birth_date_precision = models.CharField(
        _("birth date is"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.EXACT,
    )
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, db_index=True, editable=False
    )
    birthplace = models.CharField(_("birthplace"), max_length=120, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village / kelurahan of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Below the village: three digits as the KTP prints them ("003"); registry.addresses.
    # The database defaults serve the raw COPY paths (imports, benchmarks) that name
    # only the columns they fill.
    rt = models.CharField(_("RT"), max_length=3, blank=True, default="", db_default="")
    rw = models.CharField(_("RW"), max_length=3, blank=True, default="", db_default="")
    address = models.TextField(_("address"), blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    disability = models.TextField(_("disability details"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Served only through a scoped, audited view: a face is identity.
    photo = models.FileField(_("photo"), upload_to="people/photos/%Y/", blank=True)
    # Denormalised from the categories held, so scoping can filter on it in SQL.
    is_sensitive = models.BooleanField(default=False, editable=False, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    # The living record that already held this NIK when this one was registered (or
    # given the NIK) by someone who could not see it. The registration went through as
    # if nothing matched — a refusal would tell them the hidden record exists — and the
    # holder's handling organisation was told, so the two can be merged after a
    # referral. Never shown to the registering organisation.
    nik_shared_with = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    life_status = models.CharField(
        _("living status"),
        max_length=10,
        choices=LifeStatus.choices,
        default=LifeStatus.PRESENT,
        db_default=LifeStatus.PRESENT,
        editable=False,
    )
    life_status_on = models.DateField(_("since"), null=True, blank=True, editable=False)
    moved_to = models.ForeignKey(
        "regions.Region",
        verbose_name=_("moved to"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = PersonPolicy()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # One living record per NIK: a second one is a duplicate to merge. The only
            # exception is a record registered without sight of the holder
            # (``nik_shared_with``), which waits for that merge.
            models.UniqueConstraint(
                fields=["nik"],
                condition=~Q(nik="")
                & Q(merged_into__isnull=True)
                & Q(nik_shared_with__isnull=True),
                name="registry_person_unique_active_nik",
            )
        ]
        indexes = [
            # A village officer's or cadre's list: their village, one RT/RW.
            models.Index(
                fields=["region", "rw", "rt"],
                condition=~Q(rt="") | ~Q(rw=""),
                name="registry_person_village_rt_rw",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"  # never the name: str() ends up in logs and audit rows

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class PersonAlias(models.Model):
    """Another name the person is known by: an alias or a street name."""

    class Kind(models.TextChoices):
        ALIAS = "alias", _("Alias")
        STREET = "street", _("Street name")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ALIAS)

    class Meta:
        verbose_name = _("other name")
        verbose_name_plural = _("other names")

    def __str__(self) -> str:
        return f"alias #{self.pk}"


class PersonCategory(models.Model):
    """A PMKS category a person holds, from when, and whether it has been verified."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="categories")
    category = models.ForeignKey(
        "reference.PmksCategory",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_date = models.DateField(_("since"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("verification"),
        max_length=12,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("category held")
        verbose_name_plural = _("categories held")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"], name="registry_personcategory_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} (#{self.person_id})"


class PersonMerge(models.Model):
    """Two records found to be one person: what moved, so the merge can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=dict, help_text="model label → ids moved to the survivor")
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(default=clock.now, editable=False)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-performed_at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.survivor_id}"


class PersonRelation(models.Model):
    """A family or guardian link between two people in the registry (a child's mother,
    a guardian, a sibling), so a family can be traced and reunified."""

    class Kind(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Guardian")
        SIBLING = "sibling", _("Sibling")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        OTHER = "other", _("Other family")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("relation"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "relative", "kind"], name="registry_personrelation_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")),
                name="registry_personrelation_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} {self.kind} #{self.relative_id}"
