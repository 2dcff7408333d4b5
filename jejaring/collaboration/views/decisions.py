"""Proposals decided by consensus (with the forum's fallback vote) and the commitments
that follow. Thin: scope, form, action, redirect."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jejaring.core.files import serve_file
from jejaring.core.pages import button, form_page, listing, small_form
from jejaring.core.scoping import CHANGE, VIEW, can, get_scoped_or_404

from .. import actions
from ..actions.decisions import may_withdraw
from ..filters.decisions import CommitmentPageFilter
from ..forms.forums import (
    CancelCommitmentForm,
    CloseProposalForm,
    CommentForm,
    CommitmentForm,
    FulfilForm,
    PositionForm,
    ProposalForm,
    VoteForm,
)
from ..models import (
    Commitment,
    CommitmentState,
    Forum,
    Proposal,
    ProposalState,
    Stance,
)
from ._shared import user_organisation

PAGE_SIZE = 50


def _is_member(forum, organisation) -> bool:
    return (
        organisation is not None
        and forum.current_members().filter(organisation=organisation).exists()
    )


# Proposals ------------------------------------------------------------------------------


@login_required
def proposal_create(request, forum_id: int):
    """A member organisation puts a proposal to the forum."""
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(Forum, request.user, pk=forum_id)
    organisation = user_organisation(request)
    if not _is_member(forum, organisation):
        raise PermissionDenied(_("Only member organisations put proposals to the forum."))
    meeting = request.GET.get("meeting", "")
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        forum=forum,
        initial={
            "deadline": timezone.localdate() + datetime.timedelta(days=14),
            "meeting": meeting if meeting.isascii() and meeting.isdigit() else None,
        },
    )
    return form_page(
        request,
        form,
        "collaboration/proposal_form.html",
        lambda data: actions.open_proposal(
            forum, proposed_by=organisation, acting_user=request.user, **data
        ),
        success=_("Proposal opened: members can state positions."),
        then=_proposal_url,
        context={"forum": forum},
    )


def _proposal_page(request, proposal, **forms):
    """The proposal's page; a form that came back with errors is passed in bound."""
    request.nav_section = "collaboration"
    forum = proposal.forum
    organisation = user_organisation(request)
    may_change = can(request.user, CHANGE, forum)
    is_member = _is_member(forum, organisation)
    positions = {p.organisation_id: p for p in proposal.positions.select_related("stated_by")}
    members = forum.current_members().select_related("organisation")
    tally = proposal.tally or {}
    counts = tally.get("counts", {})
    context = {
        "proposal": proposal,
        "forum": forum,
        "may_change": may_change,
        "is_member": is_member,
        "rows": [(m, positions.get(m.organisation_id)) for m in members],
        "comments": proposal.comments.select_related("author", "organisation"),
        "commitments": proposal.commitments.select_related("owner"),
        "tally": tally,
        "tally_counts": [(s.label, counts.get(s.value, 0)) for s in Stance],
        "vote": tally.get("vote"),
        "may_withdraw": proposal.is_open and may_withdraw(request.user, proposal),
        "may_vote": may_change
        and proposal.state == ProposalState.NO_CONSENSUS
        and forum.allows_fallback_vote,
    }
    if proposal.is_open and is_member:
        mine = positions.get(organisation.pk)
        context["position_form"] = forms.get("position_form") or PositionForm(
            initial={"stance": mine.stance, "reason": mine.reason} if mine else None
        )
    if proposal.is_open and (is_member or may_change):
        context["comment_form"] = forms.get("comment_form") or CommentForm()
    if proposal.is_open and may_change:
        context["close_form"] = CloseProposalForm()
    if context["may_vote"]:
        context["vote_form"] = forms.get("vote_form") or VoteForm()
    return render(request, "collaboration/proposal_detail.html", context)


def _proposal(request, proposal_id, action=VIEW):
    return get_scoped_or_404(
        Proposal.objects.select_related("forum", "proposed_by", "meeting"),
        request.user,
        action,
        pk=proposal_id,
    )


@login_required
def proposal_detail(request, proposal_id: int):
    return _proposal_page(request, _proposal(request, proposal_id))


def _proposal_url(proposal) -> str:
    return reverse("collaboration:proposal", args=[proposal.pk])


def _proposal_for_change(request, proposal_id: int) -> Proposal:
    return _proposal(request, proposal_id, CHANGE)


def _proposal_for_discussion(request, proposal_id: int) -> Proposal:
    proposal = _proposal(request, proposal_id)
    if not (
        _is_member(proposal.forum, user_organisation(request))
        or can(request.user, CHANGE, proposal.forum)
    ):
        raise PermissionDenied(_("Only member organisations take part in the discussion."))
    return proposal


# My organisation's position (the form is only shown to member organisations).
position_state = small_form(
    _proposal,
    PositionForm,
    lambda request, proposal, data: actions.state_position(
        proposal,
        user_organisation(request),
        data["stance"],
        reason=data["reason"],
        acting_user=request.user,
    ),
    success=gettext_lazy("Your organisation's position was recorded."),
    then=_proposal_url,
    page=_proposal_page,
    form_name="position_form",
)
proposal_comment = small_form(
    _proposal_for_discussion,
    CommentForm,
    lambda request, proposal, data: actions.comment_on_proposal(
        proposal, data["text"], acting_user=request.user
    ),
    success=None,
    then=lambda proposal: f"{_proposal_url(proposal)}#discussion",
    page=_proposal_page,
    form_name="comment_form",
)
proposal_close = small_form(
    _proposal_for_change,
    CloseProposalForm,
    lambda request, proposal, data: actions.close_proposal(
        proposal, note=data["note"], acting_user=request.user
    ),
    success=lambda closed: _("Proposal closed: %(state)s.") % {"state": closed.get_state_display()},
    then=_proposal_url,
)
proposal_vote = small_form(
    _proposal_for_change,
    VoteForm,
    lambda request, proposal, data: actions.decide_by_vote(
        proposal, acting_user=request.user, **data
    ),
    success=lambda voted: _("Vote recorded: %(state)s.") % {"state": voted.get_state_display()},
    then=_proposal_url,
    page=_proposal_page,
    form_name="vote_form",
)
# Who may withdraw is the action's rule: anyone else gets its PermissionDenied (403).
proposal_withdraw = button(
    _proposal,
    lambda request, proposal: actions.withdraw_proposal(proposal, acting_user=request.user),
    success=gettext_lazy("Proposal withdrawn."),
    then=_proposal_url,
)


# Commitments ----------------------------------------------------------------------------


@login_required
def commitment_list(request):
    """My organisation's commitments, then every commitment I can see."""
    request.nav_section = "collaboration"
    commitments = Commitment.objects.restrict(request.user).select_related("forum", "owner")
    context = listing(request, commitments, CommitmentPageFilter, per_page=PAGE_SIZE)
    # "Mine" goes through the same filters as the paged list below it.
    shown = context["page_obj"].paginator.object_list
    organisation = user_organisation(request)
    context["mine"] = shown.filter(owner=organisation) if organisation else shown.none()
    return render(request, "collaboration/commitment_list.html", context)


@login_required
def commitment_create(request, forum_id: int):
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(Forum, request.user, CHANGE, pk=forum_id)
    initial = {
        key: request.GET[key]
        for key in ("meeting", "proposal")
        if request.GET.get(key, "").isascii() and request.GET.get(key, "").isdigit()
    }
    form = CommitmentForm(
        request.POST if request.method == "POST" else None, forum=forum, initial=initial
    )
    return form_page(
        request,
        form,
        "collaboration/commitment_form.html",
        lambda data: actions.create_commitment(forum, acting_user=request.user, **data),
        success=_("Commitment recorded."),
        then=_commitment_url,
        context={"forum": forum},
    )


def _commitment_url(commitment) -> str:
    return reverse("collaboration:commitment", args=[commitment.pk])


def _commitment(request, commitment_id, action=VIEW):
    return get_scoped_or_404(
        Commitment.objects.select_related(
            "forum", "owner", "meeting", "proposal", "fulfilled_by", "created_by"
        ),
        request.user,
        action,
        pk=commitment_id,
    )


def _commitment_page(request, commitment, **forms):
    request.nav_section = "collaboration"
    may_change = can(request.user, CHANGE, commitment)
    context = {"commitment": commitment, "forum": commitment.forum, "may_change": may_change}
    if may_change and commitment.state == CommitmentState.OPEN:
        context["fulfil_form"] = forms.get("fulfil_form") or FulfilForm()
        # Dropping is for the forum's runners only (the action says why).
        if can(request.user, CHANGE, commitment.forum):
            context["cancel_form"] = forms.get("cancel_form") or CancelCommitmentForm()
    return render(request, "collaboration/commitment_detail.html", context)


@login_required
def commitment_detail(request, commitment_id: int):
    commitment = _commitment(request, commitment_id)
    if request.GET.get("download") == "evidence":
        return serve_file(
            request.user,
            commitment,
            commitment.evidence_file,
            parent=commitment.forum,
            message="evidence file",
        )
    return _commitment_page(request, commitment)


def _commitment_for_change(request, commitment_id: int) -> Commitment:
    return _commitment(request, commitment_id, CHANGE)


commitment_fulfil = small_form(
    _commitment_for_change,
    FulfilForm,
    lambda request, commitment, data: actions.fulfil_commitment(
        commitment,
        evidence=data["evidence"],
        evidence_file=data["evidence_file"],
        on=data["fulfilled_on"],
        acting_user=request.user,
    ),
    success=gettext_lazy("Commitment fulfilled."),
    then=_commitment_url,
    page=_commitment_page,
    form_name="fulfil_form",
)
commitment_cancel = small_form(
    _commitment_for_change,
    CancelCommitmentForm,
    lambda request, commitment, data: actions.cancel_commitment(
        commitment, reason=data["reason"], acting_user=request.user
    ),
    success=gettext_lazy("Commitment cancelled."),
    then=_commitment_url,
    page=_commitment_page,
    form_name="cancel_form",
)
