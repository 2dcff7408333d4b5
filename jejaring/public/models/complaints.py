"""Complaints about a service, an office or a partner (pengaduan, UU 25/2009 Pasal 36-37,
Perpres 76/2013): received, verified, followed up, answered and closed, or rejected with
a reason, each stage against a deadline from reference data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import ReferenceData, StampedOnSave
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import ComplaintPolicy


class ComplaintCategory(ReferenceData):
    """What a complaint is about, in the words an office's complaint desk sorts them by
    (service not given, slow service, staff conduct, charges, information)."""

    class Meta(ReferenceData.Meta):
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")


class ComplaintStage(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Verified")
    IN_FOLLOW_UP = "in_follow_up", _("In follow-up")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


OPEN_COMPLAINT_STAGES = (
    ComplaintStage.RECEIVED,
    ComplaintStage.VERIFIED,
    ComplaintStage.IN_FOLLOW_UP,
    ComplaintStage.ANSWERED,
)
# Stages with a deadline for the office; ANSWERED's is the complainant's time to reply
# (then the complaint closes by itself).
OFFICE_STAGES = (ComplaintStage.RECEIVED, ComplaintStage.VERIFIED, ComplaintStage.IN_FOLLOW_UP)


class ComplaintDeadline(ReferenceData):
    """How long a complaint may stay in one stage: editable, since the rules differ by
    regulation and office (docs/public.md cites each default with its source)."""

    stage = models.CharField(_("stage"), max_length=12, choices=ComplaintStage.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days"))
    working_days = models.BooleanField(
        _("working days"),
        default=True,
        help_text=_("Count Monday to Friday, without the public holidays in the calendar."),
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("complaint deadline")
        verbose_name_plural = _("complaint deadlines")


class HolidayManager(models.Manager):
    def get_by_natural_key(self, date):
        return self.get(date=date)


class PublicHoliday(models.Model):
    """A public holiday or collective leave day (hari libur nasional, cuti bersama): not a
    working day for complaint deadlines. Entered each year from the joint ministerial
    decree (SKB 3 Menteri); the fixed-date holidays are seeded."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    objects = HolidayManager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def natural_key(self):
        return (self.date.isoformat(),)


class Complaint(StampedOnSave, models.Model):
    """A complaint (pengaduan) about a service, an office or a partner, from a citizen
    (without an account) or a signed-in user. The office it concerns handles it, or, for
    a partner institution, the social office that supervises partners in its region."""

    tracking_code = models.CharField(_("tracking code"), max_length=14, unique=True)
    category = models.ForeignKey(
        ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT
    )
    concerned_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation concerned"),
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    handling_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("what happened"))
    happened_on = models.DateField(_("when it happened"), null=True, blank=True)
    complainant_name = models.CharField(_("your name"), max_length=200, blank=True)
    complainant_contact = models.CharField(_("your phone or e-mail"), max_length=200, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=ComplaintStage.choices, default=ComplaintStage.RECEIVED
    )
    stage_due = models.DateTimeField(_("stage due"), null=True, blank=True)
    # The stage whose deadline passed and was escalated to the office head (once a stage).
    escalated_stage = models.CharField(max_length=12, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating of the answer"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the answer"), max_length=500, blank=True)
    sender_key = models.CharField(max_length=64, db_index=True, editable=False)
    submitted_at = models.DateTimeField(_("sent"), default=clock.now, editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_due = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ComplaintPolicy()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["stage", "stage_due"], name="public_complaint_due"),
            models.Index(fields=["handling_organisation", "stage"], name="public_complaint_desk"),
            models.Index(fields=["sender_key", "submitted_at"], name="public_complaint_sender"),
        ]

    def __str__(self) -> str:
        return f"complaint #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_COMPLAINT_STAGES


class ComplaintEvent(models.Model):
    """One step of a complaint: each stage entered (with its deadline), an escalation, the
    complainant's rating."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("Moved to a stage")
        ESCALATED = "escalated", _("Past its deadline: sent to the office head")
        RATED = "rated", _("Rated by the complainant")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    stage = models.CharField(max_length=12, choices=ComplaintStage.choices)
    due = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.stage} #{self.complaint_id}"
