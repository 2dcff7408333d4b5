"""Agreements between organisations (MoU / PKS), clause by clause, with signatures."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.models import StampedOnSave
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import AgreementChildPolicy, AgreementPolicy

# Reminders before an active agreement ends (issue #5): the days before the end date.
EXPIRY_REMINDER_DAYS = (60, 30)


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding (nota kesepahaman)")
    PKS = "pks", _("Cooperation agreement (PKS)")


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("In negotiation")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    RENEWED = "renewed", _("Renewed")


# Where each state may go by a person's decision. Expiry is the calendar's doing (a
# daily task); "renewed" follows when the renewing agreement becomes active.
AGREEMENT_TRANSITIONS = {
    AgreementState.DRAFT: {AgreementState.NEGOTIATION, AgreementState.AWAITING_SIGNATURES},
    AgreementState.NEGOTIATION: {AgreementState.DRAFT, AgreementState.AWAITING_SIGNATURES},
    AgreementState.AWAITING_SIGNATURES: {AgreementState.NEGOTIATION},
    AgreementState.ACTIVE: {AgreementState.TERMINATED},
}


class Agreement(StampedOnSave, models.Model):
    """An MoU or PKS between two or more organisations: the papers' commitment
    instrument, too often stuck in draft — which is why its state is tracked."""

    kind = models.CharField(_("kind"), max_length=10, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=255)
    number = models.CharField(_("agreement number"), max_length=100, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    categories = models.ManyToManyField(
        "reference.PmksCategory", verbose_name=_("PMKS categories"), blank=True, related_name="+"
    )
    service_types = models.ManyToManyField(
        "cases.ServiceType", verbose_name=_("services"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions covered"), blank=True, related_name="+"
    )
    forum = models.ForeignKey(
        "collaboration.Forum",
        verbose_name=_("forum"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
    )
    starts_on = models.DateField(_("valid from"), null=True, blank=True)
    ends_on = models.DateField(_("valid until"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=AgreementState.choices,
        default=AgreementState.DRAFT,
        db_index=True,
    )
    renews = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_by",
    )
    drafted_by = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    # Days-before-end for which the expiry reminder has gone out (so it goes out once).
    reminders_sent = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # Stamped in save() by the clock (auto_now would ignore it: see jejaring/core/clock.py).
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = AgreementPolicy()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title

    def days_left(self, today: datetime.date | None = None) -> int | None:
        if self.ends_on is None:
            return None
        return (self.ends_on - (today or timezone.localdate())).days

    @property
    def is_expiring(self) -> bool:
        """Active and ending within the first reminder window: shown as "expiring"."""
        left = self.days_left()
        return (
            self.state == AgreementState.ACTIVE
            and left is not None
            and left <= max(EXPIRY_REMINDER_DAYS)
        )

    def display_state(self) -> str:
        if self.is_expiring:
            return str(_("Expiring"))
        return self.get_state_display()


class AgreementParty(models.Model):
    """A party to an agreement, its obligations, and its signature."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="agreement_parties",
    )
    obligations = models.TextField(_("obligations"), blank=True)
    signatory_name = models.CharField(_("signed by (name)"), max_length=200, blank=True)
    signatory_position = models.CharField(_("position"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="collaboration_one_party_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} / {self.agreement}"


class AgreementClause(models.Model):
    """A numbered clause (pasal); negotiation comments attach to clauses."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("clause"))
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="collaboration_unique_clause_number"
            )
        ]

    def __str__(self) -> str:
        return f"Pasal {self.number}"


class ClauseComment(models.Model):
    clause = models.ForeignKey(AgreementClause, on_delete=models.CASCADE, related_name="comments")
    organisation = models.ForeignKey(
        "network.Organisation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"))
    at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"comment #{self.pk}"


class AgreementDocument(models.Model):
    """A version of the agreement's document (draft, signed scan…). Versions are kept;
    a new upload never replaces an old one."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="collaboration/agreements/%Y/", max_length=255)
    original_name = models.CharField(max_length=255)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = AgreementChildPolicy()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version"], name="collaboration_unique_document_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.version}"


class AgreementEvent(models.Model):
    """The agreement's history: each change of state, by whom and when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=AgreementState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=AgreementState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.to_state}"
