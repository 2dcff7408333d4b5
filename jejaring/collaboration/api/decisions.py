"""Proposals decided by consensus (with the forum's fallback vote), and commitments
with their fulfilment rates."""

import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jejaring.core.api_helpers import filtered_list, paged, scoped_or_404
from jejaring.core.files import serve_file
from jejaring.core.scoping import CHANGE

from .. import actions
from ..actions.decisions import fulfilment_rates, tally
from ..filters.decisions import CommitmentFilter, ProposalFilter
from ..models import (
    Commitment,
    CommitmentState,
    Meeting,
    Position,
    Proposal,
    ProposalComment,
    ProposalState,
    Stance,
)
from ._common import Inputs, acting_organisation, forum_for

router = Router(tags=["collaboration: decisions & commitments"])


class ProposalOut(Schema):
    id: int
    forum: int = Field(..., alias="forum_id")
    forum_name: str = Field(..., alias="forum.name")
    meeting: int | None = Field(None, alias="meeting_id")
    title: str
    text: str
    proposed_by: int = Field(..., alias="proposed_by_id")
    proposed_by_name: str = Field(..., alias="proposed_by.name")
    deadline: datetime.date
    state: ProposalState
    state_label: str = Field(..., alias="get_state_display")
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    tally: dict
    outcome_note: str


class PositionOut(Schema):
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    stance: Stance
    stance_label: str = Field(..., alias="get_stance_display")
    reason: str
    stated_at: datetime.datetime


class CommentOut(Schema):
    id: int
    organisation: int | None = Field(None, alias="organisation_id")
    organisation_name: str | None = Field(None, alias="organisation.name")
    text: str
    at: datetime.datetime


class ProposalDetailOut(ProposalOut):
    positions: list[PositionOut]
    comments: list[CommentOut]
    current_tally: dict = Field(..., description="Members, positions so far, quorum")

    @staticmethod
    def resolve_current_tally(obj):
        return tally(obj) if obj.is_open else obj.tally


class ProposalIn(Schema):
    title: str = Field(..., max_length=200)
    text: str
    deadline: datetime.date
    meeting: int | None = None


class PositionIn(Schema):
    stance: Stance
    reason: str = ""


class TextIn(Schema):
    text: str


class CloseIn(Schema):
    note: str = ""


class VoteIn(Schema):
    votes_for: int = Field(..., ge=0)
    votes_against: int = Field(..., ge=0)
    abstentions: int = Field(0, ge=0)


class CommitmentOut(Schema):
    id: int
    forum: int = Field(..., alias="forum_id")
    forum_name: str = Field(..., alias="forum.name")
    meeting: int | None = Field(None, alias="meeting_id")
    proposal: int | None = Field(None, alias="proposal_id")
    owner: int = Field(..., alias="owner_id")
    owner_name: str = Field(..., alias="owner.name")
    title: str
    description: str
    due_on: datetime.date
    state: CommitmentState
    state_label: str = Field(..., alias="get_state_display")
    is_overdue: bool
    evidence: str
    has_evidence_file: bool
    fulfilled_on: datetime.date | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_has_evidence_file(obj):
        return bool(obj.evidence_file)


class CommitmentIn(Schema):
    title: str = Field(..., max_length=200)
    owner: int | None = Field(None, description="The organisation that will do it")
    due_on: datetime.date | None = None
    description: str = ""
    meeting: int | None = None
    proposal: int | None = None


class FulfilIn(Schema):
    evidence: str = ""
    fulfilled_on: datetime.date | None = None


class CancelIn(Schema):
    reason: str


class ProposalQuery(Schema):
    forum: int | None = None
    state: ProposalState | None = None


class CommitmentQuery(Schema):
    forum: int | None = None
    state: CommitmentState | None = None
    mine: bool = Field(False, description="Only those your organisation owns")
    overdue: bool = Field(False, description="Only open ones past their due date")


class RateOut(Schema):
    organisation: int
    organisation_name: str
    due: int
    fulfilled: int
    on_time: int
    rate: int = Field(..., description="Fulfilled of due, in percent")


def _proposals():
    return Proposal.objects.select_related("forum", "proposed_by")


def _proposal_detail():
    return _proposals().prefetch_related(
        Prefetch("positions", queryset=Position.objects.select_related("organisation")),
        Prefetch("comments", queryset=ProposalComment.objects.select_related("organisation")),
    )


def _commitments():
    return Commitment.objects.select_related("forum", "owner")


def _rates(commitments) -> list[dict]:
    return [
        {
            **row,
            "organisation": row["organisation"].pk,
            "organisation_name": row["organisation"].name,
        }
        for row in fulfilment_rates(commitments)
    ]


@router.get("/proposals/", response=list[ProposalOut], summary="Proposals in the user's forums")
@paged
def list_proposals(request, filters: Query[ProposalQuery]):
    return filtered_list(request, ProposalFilter, _proposals().restrict(request.auth), filters)


@router.get("/forums/{int:forum_id}/proposals", response=list[ProposalOut])
@paged
def forum_proposals(request, forum_id: int):
    return _proposals().filter(forum=forum_for(request, forum_id))


@router.post(
    "/forums/{int:forum_id}/proposals",
    response={201: ProposalDetailOut},
    summary="Put a proposal to the forum (as your member organisation)",
)
def open_proposal(request, forum_id: int, payload: ProposalIn):
    forum = forum_for(request, forum_id)
    proposer = acting_organisation(request)
    inputs = Inputs(request)
    meeting = inputs.scoped(Meeting, payload.meeting, "meeting", _("Unknown meeting."))
    inputs.check()
    proposal = actions.open_proposal(
        forum,
        title=payload.title,
        text=payload.text,
        deadline=payload.deadline,
        meeting=meeting,
        proposed_by=proposer,
        acting_user=request.auth,
    )
    return Status(201, _proposal_detail().get(pk=proposal.pk))


@router.get("/proposals/{int:proposal_id}", response=ProposalDetailOut)
def get_proposal(request, proposal_id: int):
    return scoped_or_404(_proposal_detail(), request, pk=proposal_id)


@router.post(
    "/proposals/{int:proposal_id}/positions",
    response=ProposalDetailOut,
    summary="State your organisation's position (a block needs a reason)",
)
def state_position(request, proposal_id: int, payload: PositionIn):
    proposal = scoped_or_404(Proposal, request, pk=proposal_id)
    organisation = acting_organisation(request)
    actions.state_position(
        proposal, organisation, payload.stance, reason=payload.reason, acting_user=request.auth
    )
    return _proposal_detail().get(pk=proposal.pk)


@router.post("/proposals/{int:proposal_id}/comments", response={201: CommentOut})
def comment_on_proposal(request, proposal_id: int, payload: TextIn):
    proposal = scoped_or_404(Proposal, request, pk=proposal_id)
    acting_organisation(request)
    comment = actions.comment_on_proposal(proposal, payload.text, acting_user=request.auth)
    return Status(201, ProposalComment.objects.select_related("organisation").get(pk=comment.pk))


@router.post(
    "/proposals/{int:proposal_id}/close",
    response=ProposalDetailOut,
    summary="Record the outcome: consensus or not, with the tally",
)
def close_proposal(request, proposal_id: int, payload: CloseIn):
    proposal = scoped_or_404(Proposal, request, CHANGE, pk=proposal_id)
    actions.close_proposal(proposal, note=payload.note, acting_user=request.auth)
    return _proposal_detail().get(pk=proposal.pk)


@router.post(
    "/proposals/{int:proposal_id}/vote",
    response=ProposalDetailOut,
    summary="Decide by the fallback vote, where the forum's rules allow it",
)
def decide_by_vote(request, proposal_id: int, payload: VoteIn):
    proposal = scoped_or_404(Proposal, request, CHANGE, pk=proposal_id)
    actions.decide_by_vote(proposal, acting_user=request.auth, **payload.dict())
    return _proposal_detail().get(pk=proposal.pk)


@router.post(
    "/proposals/{int:proposal_id}/withdraw",
    response=ProposalDetailOut,
    summary="Withdraw an open proposal (its proposer or the forum's runners)",
)
def withdraw_proposal(request, proposal_id: int):
    proposal = scoped_or_404(Proposal, request, pk=proposal_id)
    actions.withdraw_proposal(proposal, acting_user=request.auth)
    return _proposal_detail().get(pk=proposal.pk)


@router.get("/commitments/", response=list[CommitmentOut], summary="Commitments the user may see")
@paged
def list_commitments(request, filters: Query[CommitmentQuery]):
    return filtered_list(request, CommitmentFilter, _commitments().restrict(request.auth), filters)


@router.get("/forums/{int:forum_id}/commitments", response=list[CommitmentOut])
@paged
def forum_commitments(request, forum_id: int):
    return _commitments().filter(forum=forum_for(request, forum_id))


@router.post(
    "/forums/{int:forum_id}/commitments",
    response={201: CommitmentOut},
    summary="Record a commitment: who does what by when",
)
def create_commitment(request, forum_id: int, payload: CommitmentIn):
    forum = forum_for(request, forum_id, CHANGE)
    inputs = Inputs(request)
    owner = inputs.organisation(payload.owner, "owner")
    meeting = inputs.scoped(Meeting, payload.meeting, "meeting", _("Unknown meeting."))
    proposal = inputs.scoped(Proposal, payload.proposal, "proposal", _("Unknown decision."))
    inputs.check()
    commitment = actions.create_commitment(
        forum,
        title=payload.title,
        owner=owner,
        due_on=payload.due_on,
        description=payload.description,
        meeting=meeting,
        proposal=proposal,
        acting_user=request.auth,
    )
    return Status(201, _commitments().get(pk=commitment.pk))


@router.get("/commitments/{int:commitment_id}", response=CommitmentOut)
def get_commitment(request, commitment_id: int):
    return scoped_or_404(_commitments(), request, pk=commitment_id)


@router.post(
    "/commitments/{int:commitment_id}/fulfil",
    response=CommitmentOut,
    summary="Record fulfilment with its evidence (form data; the file is optional)",
)
def fulfil_commitment(
    request,
    commitment_id: int,
    payload: Form[FulfilIn],
    evidence_file: File[UploadedFile] = None,
):
    commitment = scoped_or_404(Commitment, request, CHANGE, pk=commitment_id)
    actions.fulfil_commitment(
        commitment,
        evidence=payload.evidence,
        on=payload.fulfilled_on,
        evidence_file=evidence_file,
        acting_user=request.auth,
    )
    return _commitments().get(pk=commitment.pk)


@router.get(
    "/commitments/{int:commitment_id}/evidence", summary="Download the evidence file (audited)"
)
def download_evidence(request, commitment_id: int):
    commitment = scoped_or_404(
        Commitment.objects.select_related("forum"), request, pk=commitment_id
    )
    return serve_file(
        request.auth,
        commitment,
        commitment.evidence_file,
        parent=commitment.forum,
        message="evidence file",
    )


@router.post("/commitments/{int:commitment_id}/cancel", response=CommitmentOut)
def cancel_commitment(request, commitment_id: int, payload: CancelIn):
    commitment = scoped_or_404(Commitment, request, CHANGE, pk=commitment_id)
    actions.cancel_commitment(commitment, reason=payload.reason, acting_user=request.auth)
    return _commitments().get(pk=commitment.pk)


@router.get(
    "/forums/{int:forum_id}/fulfilment-rates",
    response=list[RateOut],
    summary="Each member's commitments due so far and how many were fulfilled",
)
def forum_fulfilment_rates(request, forum_id: int):
    forum = forum_for(request, forum_id)
    return _rates(Commitment.objects.filter(forum=forum))


@router.get(
    "/commitments/fulfilment-rates",
    response=list[RateOut],
    summary="Fulfilment rates over every commitment the user may see",
)
def fulfilment_rates_all(request):
    return _rates(Commitment.objects.restrict(request.auth))
