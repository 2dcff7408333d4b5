"""Proposals decided by consensus, and the commitments that follow from meetings
and decisions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import CommitmentPolicy, ForumChildPolicy
from .forums import Forum, Meeting


class ProposalState(models.TextChoices):
    OPEN = "open", _("Open for positions")
    CONSENSUS = "consensus", _("Consensus reached")
    NO_CONSENSUS = "no_consensus", _("Consensus not reached")
    ADOPTED_BY_VOTE = "adopted_by_vote", _("Adopted by fallback vote")
    REJECTED_BY_VOTE = "rejected_by_vote", _("Rejected by fallback vote")
    WITHDRAWN = "withdrawn", _("Withdrawn")


DECIDED_STATES = (
    ProposalState.CONSENSUS,
    ProposalState.NO_CONSENSUS,
    ProposalState.ADOPTED_BY_VOTE,
    ProposalState.REJECTED_BY_VOTE,
)


class Proposal(models.Model):
    """A proposal put to a forum. Member organisations state positions; the outcome
    (consensus, no consensus, or a fallback vote where the forum's rules allow it) is
    recorded with the tally, so the full record is kept."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="proposals"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("raised at meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("proposal"))
    proposed_by = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("positions due by"))
    state = models.CharField(
        _("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.OPEN
    )
    opened_at = models.DateTimeField(default=clock.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The tally at closing: members, positions by stance, quorum met, vote counts.
    tally = models.JSONField(default=dict, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ForumChildPolicy()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == ProposalState.OPEN


class Stance(models.TextChoices):
    AGREE = "agree", _("Agree")
    RESERVATIONS = "reservations", _("Agree with reservations")
    ABSTAIN = "abstain", _("Abstain")
    BLOCK = "block", _("Block")


class Position(models.Model):
    """One member organisation's position on a proposal (changeable while it is open;
    every change is in the audit log)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="positions")
    organisation = models.ForeignKey(
        "network.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    stance = models.CharField(_("position"), max_length=20, choices=Stance.choices)
    reason = models.TextField(_("reason"), blank=True)
    stated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="collaboration_one_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.stance}"


class ProposalComment(models.Model):
    """The discussion on a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
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


class CommitmentState(models.TextChoices):
    OPEN = "open", _("Open")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class Commitment(models.Model):
    """An action item an organisation took on at a meeting or through a decision.
    Fulfilment is evidenced, and each organisation's fulfilment rate is public to the
    forum: commitments nobody tracks is what the papers found."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="commitments"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    owner = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due"), db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CommitmentState.choices, default=CommitmentState.OPEN
    )
    evidence = models.TextField(_("evidence of fulfilment"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="collaboration/evidence/%Y/", blank=True, max_length=255
    )
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = CommitmentPolicy()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.state == CommitmentState.OPEN and self.due_on < timezone.localdate()

    @property
    def on_time(self) -> bool:
        return self.state == CommitmentState.FULFILLED and self.fulfilled_on <= self.due_on
