from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import ReferenceData
from jejaring.core.scoping import RestrictedQuerySet

from .policies import (
    AttachmentPolicy,
    CasePolicy,
    ConferencePolicy,
    OverlapPolicy,
    ReferralPolicy,
    ServicePolicy,
)


class ServiceType(ReferenceData):
    """A basic service of the SPM technical standard (Permensos 9/2018): food, clothing,
    guidance, help obtaining a NIK, family reunification, psychosocial support…"""

    for_disaster = models.BooleanField(_("for disaster victims"), default=False)

    class Meta(ReferenceData.Meta):
        verbose_name = _("service type")
        verbose_name_plural = _("service types")


class CaseState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    REGISTERED = "registered", _("Registered")
    ASSESSED = "assessed", _("Assessed")
    IN_SERVICE = "in_service", _("In service")
    CLOSED = "closed", _("Closed")


class ClosingReason(models.TextChoices):
    REUNIFIED = "reunified", _("Reunified with family")
    RETURNED_HOME = "returned_home", _("Returned home")
    INDEPENDENT = "independent", _("Independent")
    MOVED_AWAY = "moved_away", _("Moved away")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


# Which state may follow which: forward, or straight to closed. A supporting office
# (Dukcapil issuing a NIK) serves a registered case without a full assessment.
TRANSITIONS = {
    CaseState.REPORTED: {CaseState.REGISTERED, CaseState.CLOSED},
    CaseState.REGISTERED: {CaseState.ASSESSED, CaseState.IN_SERVICE, CaseState.CLOSED},
    CaseState.ASSESSED: {CaseState.IN_SERVICE, CaseState.CLOSED},
    CaseState.IN_SERVICE: {CaseState.CLOSED},
    CaseState.CLOSED: set(),
}

# The step a case usually takes next: what "Move to" offers first.
USUAL_NEXT_STATE = {
    CaseState.REPORTED: CaseState.REGISTERED,
    CaseState.REGISTERED: CaseState.ASSESSED,
    CaseState.ASSESSED: CaseState.IN_SERVICE,
    CaseState.IN_SERVICE: CaseState.CLOSED,
}


def next_states(state: str) -> list[CaseState]:
    """The states a case in ``state`` may move to, in the order of a case's life: the
    one table (``TRANSITIONS``) that the page's choices and the action's check share."""
    allowed = TRANSITIONS[CaseState(state)]
    return [s for s in CaseState if s in allowed]


def usual_next_state(state: str) -> CaseState | None:
    return USUAL_NEXT_STATE.get(CaseState(state))


class Case(models.Model):
    """One organisation's handling of one person for one PMKS category."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    category = models.ForeignKey(
        "reference.PmksCategory",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=CaseState.choices,
        default=CaseState.REPORTED,
        db_index=True,
    )
    closing_reason = models.CharField(
        _("closing reason"), max_length=15, choices=ClosingReason.choices, blank=True
    )
    assigned_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    summary = models.TextField(_("summary"), blank=True)
    needs = models.ManyToManyField(
        ServiceType, verbose_name=_("assessed needs"), blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=clock.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = CasePolicy()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"case #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


class CaseTransition(models.Model):
    """A change of a case's state: who, when, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=12, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=CaseState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=clock.now, editable=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


class CaseNote(models.Model):
    """A worker's note on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note #{self.pk}"


class CaseAttachment(models.Model):
    """A document or picture attached to a case (assessment form, letter, evidence)."""

    MAX_BYTES = 5 * 1024 * 1024
    TYPES = ("pdf", "jpg", "jpeg", "png")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = AttachmentPolicy()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"attachment #{self.pk}"


class Service(models.Model):
    """One service delivered to a person under a case: what SPM achievement counts."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="services"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="services")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("provided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivered_on = models.DateField(_("date"), db_index=True)
    # Where the person lived when served: SPM counts people in the region that served
    # them, even if they move later.
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    met_standard = models.BooleanField(_("met the standard"), default=True)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ServicePolicy()

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")

    def __str__(self) -> str:
        return f"service #{self.pk}"


class ReferralState(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REFERRAL_STATES = (ReferralState.SENT, ReferralState.ACCEPTED)


class ReferralDirection(models.TextChoices):
    UP = "up", _("Up (to a higher level)")
    DOWN = "down", _("Down (to a lower level)")
    SIDEWAYS = "sideways", _("Sideways (to a supporting office or partner)")


class Referral(models.Model):
    """A request from one organisation to another to take over or add to a person's care."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="referrals"
    )
    from_case = models.ForeignKey(
        Case, verbose_name=_("from case"), on_delete=models.PROTECT, related_name="referrals_out"
    )
    from_organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    direction = models.CharField(_("direction"), max_length=10, choices=ReferralDirection.choices)
    reason = models.TextField(_("reason"))
    requested_services = models.ManyToManyField(
        ServiceType, verbose_name=_("services asked for"), blank=True, related_name="+"
    )
    deadline = models.DateField(_("respond by"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ReferralState.choices,
        default=ReferralState.SENT,
        db_index=True,
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    receiver_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_in"
    )
    warnings = models.JSONField(default=list, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=clock.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ReferralPolicy()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            # The action checks this first, with a clear message; the index is what holds
            # when two requests send the same referral at the same moment.
            models.UniqueConstraint(
                fields=["from_case", "to_organisation"],
                condition=models.Q(state__in=OPEN_REFERRAL_STATES),
                name="cases_referral_one_open_per_case_and_receiver",
            )
        ]

    def __str__(self) -> str:
        return f"referral #{self.pk}"

    def warning_messages(self) -> list[str]:
        """The stored warnings worded in the reader's language."""
        texts = {
            "skips_level": _("This referral skips a level of the tiered service."),
            "category_not_handled": _(
                "%(org)s does not list “%(category)s” among the categories it handles."
            ),
            "not_verified": _("%(org)s is not yet verified."),
        }
        return [
            str(texts[w["code"]]) % {k: v for k, v in w.items() if k != "code"}
            for w in self.warnings
            if w.get("code") in texts
        ]


class SectorRole(models.TextChoices):
    LEAD = "lead", _("Leading sector")
    SUPPORT = "support", _("Supporting")


class LeadingSector(models.Model):
    """Per region and PMKS category, which organisation leads and which support.

    Editable reference data: it is what referral suggestions follow.
    """

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "reference.PmksCategory", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, related_name="sector_roles"
    )
    role = models.CharField(max_length=10, choices=SectorRole.choices, default=SectorRole.LEAD)

    class Meta:
        verbose_name = _("leading sector")
        verbose_name_plural = _("leading-sector table")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "category", "organisation"], name="cases_leadingsector_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.category_id} {self.organisation_id} {self.role}"


class Consent(models.Model):
    """Consent to share a person's record with non-government partners.

    For a child it is given by a parent or guardian. Withdrawn consent stops new
    referrals to partners; it does not erase what was shared before.
    """

    class Giver(models.TextChoices):
        SELF = "self", _("The person")
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Guardian")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="consents")
    given_by_name = models.CharField(_("given by"), max_length=200)
    given_by = models.CharField(_("relation"), max_length=10, choices=Giver.choices)
    scope = models.TextField(_("scope"), help_text=_("What may be shared, with whom."))
    given_on = models.DateField(_("date given"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent #{self.pk}"


class OverlapAlert(models.Model):
    """Two or more organisations handle the same person with open cases, and no
    referral connects them: the "tumpang tindih" the papers describe. Refreshed by a
    background task; resolved when a referral connects them or cases close."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="overlap_alerts"
    )
    organisations = models.ManyToManyField("network.Organisation", related_name="+")
    detected_at = models.DateTimeField(default=clock.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    conference = models.ForeignKey(
        "CaseConference", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = OverlapPolicy()

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("overlap")
        verbose_name_plural = _("overlaps")

    def __str__(self) -> str:
        return f"overlap #{self.pk}"


class CaseConference(models.Model):
    """A shared case conference: a note thread every involved organisation sees."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="conferences"
    )
    organisations = models.ManyToManyField("network.Organisation", related_name="conferences")
    title = models.CharField(_("title"), max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ConferencePolicy()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")

    def __str__(self) -> str:
        return f"conference #{self.pk}"


class ConferenceNote(models.Model):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "network.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"conference note #{self.pk}"
