"""Proposals decided by consensus (with the forum's fallback vote) and the commitments
that follow. Thin: scope, form, action, redirect."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.audit import log as audit
from jejaring.core.files import CONTENT_TYPES
from jejaring.core.forms import apply_validation_error
from jejaring.core.scoping import CHANGE, VIEW, can, get_scoped_or_404

from .. import actions
from ..forms.forums import (
    CancelCommitmentForm,
    CloseProposalForm,
    CommentForm,
    CommitmentFilterForm,
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
from ._shared import report_errors, user_organisation
from .forums import show_refusal

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
    if request.method == "POST":
        form = ProposalForm(request.POST, forum=forum)
        if form.is_valid():
            try:
                proposal = actions.open_proposal(
                    forum,
                    proposed_by=organisation,
                    acting_user=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Proposal opened: members can state positions."))
                return redirect("collaboration:proposal", proposal_id=proposal.pk)
    else:
        meeting = request.GET.get("meeting", "")
        form = ProposalForm(
            forum=forum,
            initial={
                "deadline": timezone.localdate() + datetime.timedelta(days=14),
                "meeting": meeting if meeting.isascii() and meeting.isdigit() else None,
            },
        )
    return render(request, "collaboration/proposal_form.html", {"forum": forum, "form": form})


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
        "may_withdraw": proposal.is_open
        and (
            may_change or (organisation is not None and organisation.pk == proposal.proposed_by_id)
        ),
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


@login_required
@require_POST
def position_state(request, proposal_id: int):
    """My organisation's position (the form is only shown to member organisations)."""
    proposal = _proposal(request, proposal_id)
    form = PositionForm(request.POST)
    if form.is_valid():
        try:
            actions.state_position(
                proposal,
                user_organisation(request),
                form.cleaned_data["stance"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:proposal", proposal_id=proposal.pk)
        else:
            messages.success(request, _("Your organisation's position was recorded."))
            return redirect("collaboration:proposal", proposal_id=proposal.pk)
    return _proposal_page(request, proposal, position_form=form)


@login_required
@require_POST
def proposal_comment(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    if not (
        _is_member(proposal.forum, user_organisation(request))
        or can(request.user, CHANGE, proposal.forum)
    ):
        raise PermissionDenied(_("Only member organisations take part in the discussion."))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            actions.comment_on_proposal(
                proposal, form.cleaned_data["text"], acting_user=request.user
            )
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:proposal", proposal_id=proposal.pk)
        else:
            url = reverse("collaboration:proposal", args=[proposal.pk])
            return redirect(f"{url}#discussion")
    return _proposal_page(request, proposal, comment_form=form)


@login_required
@require_POST
def proposal_close(request, proposal_id: int):
    proposal = _proposal(request, proposal_id, CHANGE)
    form = CloseProposalForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        proposal = actions.close_proposal(proposal, note=note, acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(
            request,
            _("Proposal closed: %(state)s.") % {"state": proposal.get_state_display()},
        )
    return redirect("collaboration:proposal", proposal_id=proposal.pk)


@login_required
@require_POST
def proposal_vote(request, proposal_id: int):
    proposal = _proposal(request, proposal_id, CHANGE)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            proposal = actions.decide_by_vote(
                proposal, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:proposal", proposal_id=proposal.pk)
        else:
            messages.success(
                request,
                _("Vote recorded: %(state)s.") % {"state": proposal.get_state_display()},
            )
            return redirect("collaboration:proposal", proposal_id=proposal.pk)
    return _proposal_page(request, proposal, vote_form=form)


@login_required
@require_POST
def proposal_withdraw(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    organisation = user_organisation(request)
    proposer = organisation is not None and organisation.pk == proposal.proposed_by_id
    if not (proposer or can(request.user, CHANGE, proposal.forum)):
        raise PermissionDenied(_("Only the proposer or the forum's coordinator may withdraw it."))
    try:
        actions.withdraw_proposal(proposal, acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("Proposal withdrawn."))
    return redirect("collaboration:proposal", proposal_id=proposal.pk)


# Commitments ----------------------------------------------------------------------------


@login_required
def commitment_list(request):
    """My organisation's commitments, then every commitment I can see."""
    request.nav_section = "collaboration"
    commitments = Commitment.objects.restrict(request.user).select_related("forum", "owner")
    form = CommitmentFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["state"]:
            commitments = commitments.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["overdue"]:
            commitments = commitments.filter(
                state=CommitmentState.OPEN, due_on__lt=timezone.localdate()
            )
    organisation = user_organisation(request)
    mine = commitments.filter(owner=organisation) if organisation else commitments.none()
    query = {k: v for k, v in request.GET.items() if k in form.fields and v}
    context = {
        "form": form,
        "mine": mine,
        "page_obj": Paginator(commitments, PAGE_SIZE).get_page(request.GET.get("page")),
        "query_string": urlencode(query),
    }
    return render(request, "collaboration/commitment_list.html", context)


@login_required
def commitment_create(request, forum_id: int):
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(Forum, request.user, CHANGE, pk=forum_id)
    if request.method == "POST":
        form = CommitmentForm(request.POST, forum=forum)
        if form.is_valid():
            try:
                commitment = actions.create_commitment(
                    forum, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Commitment recorded."))
                return redirect("collaboration:commitment", commitment_id=commitment.pk)
    else:
        initial = {
            key: request.GET[key]
            for key in ("meeting", "proposal")
            if request.GET.get(key, "").isascii() and request.GET.get(key, "").isdigit()
        }
        form = CommitmentForm(forum=forum, initial=initial)
    return render(request, "collaboration/commitment_form.html", {"forum": forum, "form": form})


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
        # The evidence file, through the scope and audited like every other paper.
        if not commitment.evidence_file:
            raise Http404
        audit.record_read(commitment, acting_user=request.user, message="evidence file")
        name = commitment.evidence_file.name.rsplit("/", 1)[-1]
        extension = name.rsplit(".", 1)[-1].lower()
        return FileResponse(
            commitment.evidence_file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        )
    return _commitment_page(request, commitment)


@login_required
@require_POST
def commitment_fulfil(request, commitment_id: int):
    commitment = _commitment(request, commitment_id, CHANGE)
    form = FulfilForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.fulfil_commitment(
                commitment,
                evidence=form.cleaned_data["evidence"],
                evidence_file=form.cleaned_data["evidence_file"],
                on=form.cleaned_data["fulfilled_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:commitment", commitment_id=commitment.pk)
        else:
            messages.success(request, _("Commitment fulfilled."))
            return redirect("collaboration:commitment", commitment_id=commitment.pk)
    return _commitment_page(request, commitment, fulfil_form=form)


@login_required
@require_POST
def commitment_cancel(request, commitment_id: int):
    commitment = _commitment(request, commitment_id, CHANGE)
    form = CancelCommitmentForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel_commitment(
                commitment, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            if not show_refusal(request, form, exc):
                return redirect("collaboration:commitment", commitment_id=commitment.pk)
        else:
            messages.success(request, _("Commitment cancelled."))
            return redirect("collaboration:commitment", commitment_id=commitment.pk)
    return _commitment_page(request, commitment, cancel_form=form)
