"""The collaboration workspace's front page: what needs the user's attention."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from ..models import (
    Agreement,
    AgreementState,
    BoardPost,
    Commitment,
    CommitmentState,
    Forum,
    Meeting,
    MeetingState,
    PostState,
    Proposal,
    ProposalState,
)
from ._shared import user_organisation


@login_required
def index(request):
    request.nav_section = "collaboration"
    user = request.user
    organisation = user_organisation(request)
    now = timezone.now()
    commitments = Commitment.objects.restrict(user).filter(state=CommitmentState.OPEN)
    if organisation is not None:
        commitments = commitments.filter(owner=organisation)
    agreement_states = dict(
        Agreement.objects.restrict(user).values_list("state").annotate(n=Count("pk"))
    )
    context = {
        "forums": Forum.objects.restrict(user).filter(is_active=True).select_related("region"),
        "upcoming": Meeting.objects.restrict(user)
        .filter(state=MeetingState.PLANNED, starts_at__gte=now)
        .select_related("forum")
        .order_by("starts_at")[:5],
        "open_proposals": Proposal.objects.restrict(user)
        .filter(state=ProposalState.OPEN)
        .select_related("forum")[:5],
        "my_commitments": commitments.select_related("forum", "owner")[:8],
        "agreement_states": [
            (state, label, agreement_states.get(state, 0))
            for state, label in AgreementState.choices
        ],
        "expiring": [
            a
            for a in Agreement.objects.restrict(user).filter(
                state=AgreementState.ACTIVE,
                ends_on__lte=timezone.localdate() + datetime.timedelta(days=60),
            )
            if a.is_expiring
        ],
        "board": BoardPost.objects.restrict(user)
        .filter(state=PostState.OPEN)
        .select_related("organisation")[:6],
        # Starting a forum, drafting an agreement, posting: for a user who acts for one.
        "may_create": organisation is not None,
    }
    return render(request, "collaboration/index.html", context)
