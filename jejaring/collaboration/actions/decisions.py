"""Proposals decided by consensus (with the forum's fallback vote), and commitments."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.core import clock
from jejaring.core.notifications import Kind, notify, recipients
from jejaring.core.scoping import CHANGE, can, scope_for

from ..models import (
    Commitment,
    CommitmentState,
    Forum,
    Position,
    Proposal,
    ProposalComment,
    ProposalState,
    Stance,
)
from ._common import actor, member_required, refuse_if


@transaction.atomic
def open_proposal(
    forum: Forum,
    *,
    title: str,
    text: str,
    deadline: datetime.date,
    proposed_by,
    acting_user,
    meeting=None,
) -> Proposal:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the proposal a title.")
    if not text.strip():
        errors["text"] = _("Write the proposal out.")
    if deadline < clock.localdate():
        errors["deadline"] = _("The deadline for positions is already past.")
    if meeting is not None and meeting.forum_id != forum.pk:
        errors["meeting"] = _("This meeting belongs to another forum.")
    refuse_if(errors)
    member_required(forum, proposed_by, "proposed_by")
    proposal = Proposal.objects.create(
        forum=forum,
        meeting=meeting,
        title=title.strip(),
        text=text.strip(),
        deadline=deadline,
        proposed_by=proposed_by,
        created_by=actor(acting_user),
    )
    audit.record_create(proposal, acting_user=acting_user, parent=forum)
    members = [m.organisation for m in forum.current_members().select_related("organisation")]
    notify(
        recipients(members),
        Kind.PROPOSAL_OPEN,
        {
            "proposal": proposal.title,
            "forum": forum.name,
            "deadline": formats.date_format(deadline, "d-m-Y"),
        },
        url=reverse("collaboration:proposal", args=[proposal.pk]),
        key=f"proposal:{proposal.pk}:open",
    )
    return proposal


@transaction.atomic
def comment_on_proposal(proposal: Proposal, text: str, *, acting_user) -> ProposalComment:
    if not proposal.is_open:
        raise ValidationError(_("The discussion is closed: this proposal has been decided."))
    if not text.strip():
        raise ValidationError({"text": _("The comment is empty.")})
    user = actor(acting_user)
    if user is not None:
        # The discussion is the members': offices that only oversee the forum read it.
        member_required(proposal.forum, user.organisation, "text")
    comment = ProposalComment.objects.create(
        proposal=proposal,
        author=user,
        organisation_id=getattr(user, "organisation_id", None),
        text=text.strip(),
    )
    audit.record_create(comment, acting_user=acting_user, parent=proposal)
    return comment


@transaction.atomic
def state_position(
    proposal: Proposal, organisation, stance: str, *, acting_user, reason: str = ""
) -> Position:
    """A member organisation's position. A block must say why: it stops consensus."""
    proposal = Proposal.objects.select_for_update().select_related("forum").get(pk=proposal.pk)
    if not proposal.is_open:
        raise ValidationError(_("This proposal has been decided; positions are closed."))
    if proposal.deadline < clock.localdate():
        raise ValidationError(_("The deadline for positions has passed."))
    if stance not in Stance.values:
        raise ValidationError(
            {"stance": _("Choose agree, agree with reservations, abstain or block.")}
        )
    if stance in (Stance.BLOCK, Stance.RESERVATIONS) and not reason.strip():
        raise ValidationError(
            {
                "reason": _("A block needs a reason: say what would have to change.")
                if stance == Stance.BLOCK
                else _("Say what your reservations are.")
            }
        )
    member_required(proposal.forum, organisation, "organisation")
    position = Position.objects.filter(proposal=proposal, organisation=organisation).first()
    before = audit.snapshot(position) if position else None
    if position is None:
        position = Position(proposal=proposal, organisation=organisation)
    position.stance = stance
    position.reason = reason.strip()
    position.stated_by = actor(acting_user)
    position.stated_at = clock.now()
    position.save()
    if before is None:
        audit.record_create(position, acting_user=acting_user, parent=proposal)
    else:
        audit.record_update(position, before, acting_user=acting_user, parent=proposal)
    return position


def tally(proposal: Proposal) -> dict:
    """Members, positions by stance and whether the quorum is met, as stored at closing."""
    forum = proposal.forum
    members = set(forum.current_members().values_list("organisation_id", flat=True))
    positions = [p for p in proposal.positions.all() if p.organisation_id in members]
    counts = {stance: 0 for stance in Stance.values}
    for position in positions:
        counts[position.stance] += 1
    needed = -(-len(members) * forum.quorum_percent // 100)  # ceiling
    return {
        "members": len(members),
        "responded": len(positions),
        "quorum_needed": needed,
        "quorum_met": len(positions) >= needed,
        "counts": counts,
    }


@transaction.atomic
def close_proposal(proposal: Proposal, *, acting_user, note: str = "") -> Proposal:
    """Record the outcome: consensus when the quorum responded, nobody blocks and at
    least one member agrees. Before the deadline only when every member responded."""
    proposal = Proposal.objects.select_for_update().select_related("forum").get(pk=proposal.pk)
    if not proposal.is_open:
        raise ValidationError(_("This proposal has already been decided."))
    result = tally(proposal)
    if proposal.deadline >= clock.localdate() and result["responded"] < result["members"]:
        raise ValidationError(
            _(
                "%(missing)s member(s) have not stated a position yet; close after the "
                "deadline (%(deadline)s) or when every member has responded."
            )
            % {
                "missing": result["members"] - result["responded"],
                "deadline": formats.date_format(proposal.deadline, "d-m-Y"),
            }
        )
    counts = result["counts"]
    reached = (
        result["quorum_met"]
        and counts[Stance.BLOCK] == 0
        and counts[Stance.AGREE] + counts[Stance.RESERVATIONS] > 0
    )
    before = audit.snapshot(proposal)
    proposal.state = ProposalState.CONSENSUS if reached else ProposalState.NO_CONSENSUS
    proposal.tally = result
    proposal.closed_at = clock.now()
    proposal.outcome_note = note.strip()
    proposal.save()
    audit.record_update(proposal, before, acting_user=acting_user, parent=proposal.forum)
    return proposal


@transaction.atomic
def decide_by_vote(
    proposal: Proposal, *, votes_for: int, votes_against: int, abstentions: int, acting_user
) -> Proposal:
    """The fallback the forum's rules allow when consensus was not reached."""
    proposal = Proposal.objects.select_for_update().select_related("forum").get(pk=proposal.pk)
    forum = proposal.forum
    if proposal.state != ProposalState.NO_CONSENSUS:
        raise ValidationError(_("A fallback vote follows only a proposal without consensus."))
    if not forum.allows_fallback_vote:
        raise ValidationError(_("This forum's rules do not allow deciding by vote."))
    members = forum.current_members().count()
    if min(votes_for, votes_against, abstentions) < 0:
        raise ValidationError(_("Vote counts cannot be negative."))
    cast = votes_for + votes_against + abstentions
    if cast > members:
        raise ValidationError(
            _("%(cast)s votes from %(members)s member organisations is impossible.")
            % {"cast": cast, "members": members}
        )
    if cast < -(-members * forum.quorum_percent // 100):
        raise ValidationError(_("Not enough members voted to reach the quorum."))
    decisive = votes_for + votes_against
    adopted = decisive > 0 and votes_for * 100 >= forum.fallback_vote_percent * decisive
    before = audit.snapshot(proposal)
    proposal.state = ProposalState.ADOPTED_BY_VOTE if adopted else ProposalState.REJECTED_BY_VOTE
    proposal.tally = {
        **proposal.tally,
        "vote": {"for": votes_for, "against": votes_against, "abstain": abstentions},
    }
    proposal.save(update_fields=["state", "tally"])
    audit.record_update(proposal, before, acting_user=acting_user, parent=forum)
    return proposal


def may_withdraw(user, proposal: Proposal) -> bool:
    """Its proposer may take a proposal back, and so may those who run the forum."""
    scope = scope_for(user)
    if scope is None:
        return False
    proposer = bool(scope.organisation_id) and scope.organisation_id == proposal.proposed_by_id
    return proposer or can(user, CHANGE, proposal.forum)


@transaction.atomic
def withdraw_proposal(proposal: Proposal, *, acting_user) -> Proposal:
    """Take an open proposal back. ``acting_user`` None is the system (no one to refuse)."""
    proposal = Proposal.objects.select_for_update().select_related("forum").get(pk=proposal.pk)
    if actor(acting_user) is not None and not may_withdraw(acting_user, proposal):
        raise PermissionDenied(_("Only the proposer or the forum's coordinator may withdraw it."))
    if not proposal.is_open:
        raise ValidationError(_("Only an open proposal can be withdrawn."))
    before = audit.snapshot(proposal)
    proposal.state = ProposalState.WITHDRAWN
    proposal.closed_at = clock.now()
    proposal.save(update_fields=["state", "closed_at"])
    audit.record_update(proposal, before, acting_user=acting_user, parent=proposal.forum)
    return proposal


@transaction.atomic
def create_commitment(
    forum: Forum,
    *,
    title: str,
    owner,
    due_on: datetime.date | None,
    acting_user,
    description: str = "",
    meeting=None,
    proposal=None,
) -> Commitment:
    errors = {}
    if not title.strip():
        errors["title"] = _("Say what will be done.")
    if owner is None:
        errors["owner"] = _("A commitment needs an owner: the organisation that will do it.")
    if due_on is None:
        errors["due_on"] = _("A commitment needs a due date.")
    if meeting is not None and meeting.forum_id != forum.pk:
        errors["meeting"] = _("This meeting belongs to another forum.")
    if proposal is not None and proposal.forum_id != forum.pk:
        errors["proposal"] = _("This decision belongs to another forum.")
    refuse_if(errors)
    member_required(forum, owner, "owner")
    commitment = Commitment.objects.create(
        forum=forum,
        meeting=meeting,
        proposal=proposal,
        owner=owner,
        title=title.strip(),
        description=description,
        due_on=due_on,
        created_by=actor(acting_user),
    )
    audit.record_create(commitment, acting_user=acting_user, parent=forum)
    return commitment


@transaction.atomic
def fulfil_commitment(
    commitment: Commitment,
    *,
    evidence: str,
    acting_user,
    on: datetime.date | None = None,
    evidence_file=None,
) -> Commitment:
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    on = on or clock.localdate()
    errors = {}
    if commitment.state != CommitmentState.OPEN:
        errors["state"] = _("This commitment is no longer open.")
    if not evidence.strip() and evidence_file is None:
        errors["evidence"] = _("Describe or attach the evidence that it was done.")
    if on > clock.localdate():
        errors["fulfilled_on"] = _("A commitment cannot be fulfilled in the future.")
    refuse_if(errors)
    before = audit.snapshot(commitment)
    if evidence_file is not None:
        from jejaring.core.files import check_upload

        from ._common import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES

        try:
            check_upload(evidence_file, allowed=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES)
        except ValidationError as exc:
            raise ValidationError({"evidence_file": exc.messages}) from exc
        commitment.evidence_file.save(evidence_file.name, evidence_file, save=False)
    commitment.state = CommitmentState.FULFILLED
    commitment.evidence = evidence.strip()
    commitment.fulfilled_on = on
    commitment.fulfilled_by = actor(acting_user)
    commitment.save()
    audit.record_update(commitment, before, acting_user=acting_user, parent=commitment.forum)
    return commitment


@transaction.atomic
def cancel_commitment(commitment: Commitment, *, reason: str, acting_user) -> Commitment:
    if commitment.state != CommitmentState.OPEN:
        raise ValidationError(_("This commitment is no longer open."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the commitment is dropped.")})
    user = actor(acting_user)
    if user is not None and not can(user, CHANGE, commitment.forum):
        # Otherwise an owner could drop what it failed to do and keep its rate clean.
        raise ValidationError(_("Only the forum's convener or coordinator can drop a commitment."))
    before = audit.snapshot(commitment)
    commitment.state = CommitmentState.CANCELLED
    commitment.evidence = reason.strip()
    commitment.save(update_fields=["state", "evidence"])
    audit.record_update(commitment, before, acting_user=acting_user, parent=commitment.forum)
    return commitment


def fulfilment_rates(commitments) -> list[dict]:
    """Per owner organisation: commitments due so far, fulfilled on time, and the rate.
    A commitment counts once it is due or fulfilled; cancelled ones do not count."""
    today = clock.localdate()
    rows: dict[int, dict] = {}
    if isinstance(commitments, QuerySet):
        commitments = commitments.exclude(state=CommitmentState.CANCELLED).select_related("owner")
    # A list is what a page already fetched (with its owners): counted here, not fetched again.
    for c in commitments:
        if c.state == CommitmentState.CANCELLED:
            continue
        if c.state == CommitmentState.OPEN and c.due_on >= today:
            continue
        row = rows.setdefault(
            c.owner_id, {"organisation": c.owner, "due": 0, "fulfilled": 0, "on_time": 0}
        )
        row["due"] += 1
        if c.state == CommitmentState.FULFILLED:
            row["fulfilled"] += 1
            row["on_time"] += int(c.on_time)
    for row in rows.values():
        row["rate"] = round(100 * row["fulfilled"] / row["due"])
    return sorted(rows.values(), key=lambda r: (-r["rate"], r["organisation"].name))
