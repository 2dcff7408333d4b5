from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import ReferenceData, StampedOnSave
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import PublicReportPolicy, ReportPhotoPolicy


class ReportTopic(ReferenceData):
    """What a citizen can report, in plain words ("A child sleeping on the street"), and
    the PMKS category the network handles it under. Editable reference data: a region
    may word its topics differently, or give a topic a shorter time to pick it up."""

    category = models.ForeignKey(
        "reference.PmksCategory",
        verbose_name=_("PMKS category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    pickup_hours = models.PositiveSmallIntegerField(
        _("hours to pick it up"),
        default=24,
        help_text=_("Past this time without a worker taking it, the report goes one level up."),
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("report topic")
        verbose_name_plural = _("report topics")


class ReportState(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Picked up")
    HANDLED = "handled", _("Handled in a case")
    CLOSED = "closed", _("Closed without a case")
    SPAM = "spam", _("Marked as spam")


OPEN_REPORT_STATES = (ReportState.RECEIVED, ReportState.IN_PROGRESS)


class ClosingOutcome(models.TextChoices):
    """Why a report ends without a case: said to the reporter in these words."""

    NOT_FOUND = "not_found", _("Nobody was found at the place reported")
    HANDLED_ELSEWHERE = "handled_elsewhere", _("Already helped by another service")
    NO_NEED = "no_need", _("On checking, no help from social services was needed")
    OTHER = "other", _("Other")


class PublicReport(StampedOnSave, models.Model):
    """A citizen's report of a person in need (laporan masyarakat), sent without an
    account: a child sleeping under a bridge, an elderly person left alone, a disaster
    victim. It is routed to the office responsible for its topic in its village's region
    (the leading-sector table), goes one level up when nobody picks it up in time, and
    ends in a case (through the registry's duplicate guard) or is closed with a reason.

    Who reported is for the handling office only; what is reported can identify a person
    and, when it concerns a child, is protected from the start (``policies``)."""

    tracking_code = models.CharField(_("tracking code"), max_length=14, unique=True)
    topic = models.ForeignKey(
        ReportTopic, verbose_name=_("what is reported"), on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(
        _("where exactly"),
        max_length=300,
        help_text=_("e.g. under the Siak bridge, near the market"),
    )
    description = models.TextField(_("what you saw"))
    person_name = models.CharField(_("the person's name, if known"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    reporter_name = models.CharField(_("your name"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("your phone or e-mail"), max_length=200, blank=True)
    # A report about a child: its contents are shown to the handling office's workers only.
    is_sensitive = models.BooleanField(_("about a child"), default=False)
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.RECEIVED
    )
    handling_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_reports",
    )
    # The region whose office holds the report: the village's regency at first, then
    # the province once it escalates.
    handling_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pickup_due = models.DateTimeField(_("to be picked up by"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(default=0)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ClosingOutcome.choices, blank=True
    )
    # A keyed hash of the sender's address, never the address: enough to count one
    # sender's reports for the rate limit, useless to find who sent them.
    sender_key = models.CharField(max_length=64, db_index=True, editable=False)
    submitted_at = models.DateTimeField(_("sent"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = PublicReportPolicy()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        indexes = [
            models.Index(fields=["state", "pickup_due"], name="public_report_due"),
            models.Index(fields=["handling_organisation", "state"], name="public_report_queue"),
            models.Index(fields=["sender_key", "submitted_at"], name="public_report_sender"),
        ]

    def __str__(self) -> str:
        return f"report #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REPORT_STATES


class ReportPhoto(models.Model):
    """A photo sent with a report. It may show the person: seen where the report's
    contents are."""

    MAX_BYTES = 5 * 1024 * 1024
    MAX_COUNT = 3
    TYPES = ("jpg", "jpeg", "png")

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="reports/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ReportPhotoPolicy()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"report photo #{self.pk}"


class ReportEvent(models.Model):
    """One step in a report's life, for the staff history and the reporter's status
    page: sent and routed, escalated, picked up, a case opened, closed."""

    class Kind(models.TextChoices):
        ROUTED = "routed", _("Sent to the responsible office")
        ESCALATED = "escalated", _("Not picked up in time: sent one level up")
        PICKED_UP = "picked_up", _("Picked up by a worker")
        CASE_OPENED = "case_opened", _("A case was opened")
        CLOSED = "closed", _("Closed without a case")
        SPAM = "spam", _("Marked as spam")

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.report_id}"
