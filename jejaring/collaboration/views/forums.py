"""Forum pages: the list, a new forum, and the forum's own page with its members,
coordinator, rules, goals and small wins. Thin: scope, form, action, redirect."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jejaring.core.pages import Fold, button, folded_form, form_page, small_form
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404, scope_for

from .. import actions
from ..actions.decisions import fulfilment_rates
from ..filters.forums import ForumPageFilter
from ..forms.forums import (
    CoordinatorForm,
    ForumForm,
    GoalForm,
    GroundRuleForm,
    MemberAddForm,
    OutcomeForm,
)
from ..models import Commitment, Forum, ForumMembership, MeetingState
from ._shared import user_organisation


def _my_forum_ids(user) -> set[int]:
    scope = scope_for(user)
    if not scope or not scope.organisation_id:
        return set()
    return set(
        ForumMembership.objects.filter(
            organisation_id=scope.organisation_id, left_on__isnull=True
        ).values_list("forum_id", flat=True)
    )


@login_required
def forum_list(request):
    """Forums I can see, my organisation's first."""
    request.nav_section = "collaboration"
    queryset = (
        Forum.objects.restrict(request.user)
        .select_related("region", "convened_by")
        .annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    # Not paged: the page splits the forums into the user's own and the others.
    filterset = ForumPageFilter(request.GET or None, queryset=queryset, request=request)
    forums = list(filterset.qs if filterset.is_bound else queryset)
    mine_ids = _my_forum_ids(request.user)
    context = {
        "filterset": filterset,
        "mine": [f for f in forums if f.pk in mine_ids],
        "others": [f for f in forums if f.pk not in mine_ids],
        "may_create": user_organisation(request) is not None,
    }
    return render(request, "collaboration/forum_list.html", context)


@login_required
def forum_create(request):
    request.nav_section = "collaboration"
    organisation = user_organisation(request)
    if organisation is None:
        raise PermissionDenied(_("Your account belongs to no organisation."))
    form = ForumForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"region": organisation.home_region},
    )
    return form_page(
        request,
        form,
        "collaboration/forum_form.html",
        lambda data: actions.create_forum(
            **{**data, "members": list(data["members"])},
            convened_by=organisation,
            acting_user=request.user,
        ),
        success=_("Forum created."),
        then=lambda forum: reverse("collaboration:forum", args=[forum.pk]),
    )


@login_required
def forum_detail(request, forum_id: int):
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(
        Forum.objects.select_related("region", "convened_by"),
        request.user,
        may=(CHANGE,),
        pk=forum_id,
    )
    may_change = can(request.user, CHANGE, forum)
    now = timezone.now()
    meetings = forum.meetings.all()
    # Fetched once and shared by the lists, the rates and the forms' options.
    seats = list(forum.current_members().select_related("organisation", "representative"))
    commitments = list(
        Commitment.objects.restrict(request.user)
        .filter(forum=forum)
        .select_related("owner", "meeting", "proposal")
    )
    goals = list(forum.goals.all())
    # The history holds the current term (the one without an end; at most one, by
    # constraint): one query for both.
    coordinator_terms = list(forum.coordinator_terms.select_related("organisation"))
    coordinator = next((term for term in coordinator_terms if term.ends_on is None), None)
    scope = scope_for(request.user)
    my_organisation = scope.organisation_id if scope else None
    context = {
        "forum": forum,
        "may_change": may_change,
        "members": seats,
        "coordinator": coordinator,
        "coordinator_terms": coordinator_terms,
        "goals": goals,
        "outcomes": forum.outcomes.select_related("goal"),
        "rules": forum.ground_rules.filter(in_force=True),
        "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at"),
        "past": meetings.filter(starts_at__lt=now)[:20],
        "proposals": forum.proposals.select_related("proposed_by"),
        "commitments": commitments,
        "rates": fulfilment_rates(commitments),
        "is_member": bool(my_organisation)
        and any(seat.organisation_id == my_organisation for seat in seats),
        "planned": MeetingState.PLANNED,
        "folds": FORUM_FOLDS,
    }
    return render(request, "collaboration/forum_detail.html", context)


# The forum page's forms for those who run it, each folded and fetched when opened
# (core.pages.Fold). One page, several forms with fields of the same name: each its own
# ids, so that every label points at its own field (the names, which the posts read, stay).
FORUM_FOLDS = {
    "member": Fold(gettext_lazy("Add a member"), "collaboration/_fold_forum_member.html"),
    "coordinator": Fold(
        gettext_lazy("Hand the coordinator role on"), "collaboration/_fold_forum_coordinator.html"
    ),
    "outcome": Fold(
        gettext_lazy("Record an intermediate outcome"), "collaboration/_fold_forum_outcome.html"
    ),
    "goal": Fold(gettext_lazy("Add a goal"), "collaboration/_fold_forum_goal.html"),
    "rule": Fold(gettext_lazy("Record a rule or SOP"), "collaboration/_fold_forum_rule.html"),
}


def _forum_form(request, forum: Forum, fold: str) -> dict:
    if fold == "member":
        return {"member_form": MemberAddForm(forum=forum, user=request.user, auto_id="member-%s")}
    if fold == "coordinator":
        seats = list(forum.current_members().select_related("organisation"))
        form = CoordinatorForm(
            forum=forum,
            current=forum.current_coordinator(),
            seats=seats,
            auto_id="coordinator-%s",
        )
        return {"coordinator_form": form}
    if fold == "outcome":
        goals = list(forum.goals.all())
        return {"outcome_form": OutcomeForm(forum=forum, goals=goals, auto_id="outcome-%s")}
    if fold == "goal":
        return {"goal_form": GoalForm(auto_id="goal-%s")}
    return {"rule_form": GroundRuleForm(auto_id="rule-%s")}


@login_required
def forum_fold(request, forum_id: int, fold: str):
    """One folded form of the forum page, for those who may change the forum."""
    if fold not in FORUM_FOLDS:
        raise Http404
    forum = _forum_for_change(request, forum_id)
    return folded_form(
        request,
        FORUM_FOLDS[fold],
        {"forum": forum, **_forum_form(request, forum, fold)},
        back_url=reverse("collaboration:forum", args=[forum.pk]),
        back_label=forum.name,
    )


def _forum_for_change(request, forum_id: int) -> Forum:
    return get_scoped_or_404(Forum, request.user, CHANGE, pk=forum_id)


def _back_to(anchor: str):
    return lambda forum: reverse("collaboration:forum", args=[forum.pk]) + f"#{anchor}"


# The forum page's sections: for the forum's runners, each a small form shown empty.
member_add = small_form(
    _forum_for_change,
    MemberAddForm,
    lambda request, forum, data: actions.add_member(
        forum,
        data["organisation"],
        representative=data["representative"],
        acting_user=request.user,
    ),
    success=gettext_lazy("Member added."),
    then=_back_to("members"),
    form_kwargs=lambda request, forum: {"forum": forum, "user": request.user},
)
coordinator_rotate = small_form(
    _forum_for_change,
    CoordinatorForm,
    lambda request, forum, data: actions.rotate_coordinator(
        forum, data["organisation"], acting_user=request.user
    ),
    success=gettext_lazy("The coordinator role was handed on."),
    then=_back_to("coordinator"),
    form_kwargs=lambda request, forum: {"forum": forum},
)
rule_add = small_form(
    _forum_for_change,
    GroundRuleForm,
    lambda request, forum, data: actions.add_ground_rule(forum, acting_user=request.user, **data),
    success=gettext_lazy("Rule recorded."),
    then=_back_to("rules"),
)
goal_add = small_form(
    _forum_for_change,
    GoalForm,
    lambda request, forum, data: actions.add_goal(forum, acting_user=request.user, **data),
    success=gettext_lazy("Goal added."),
    then=_back_to("goals"),
)
outcome_add = small_form(
    _forum_for_change,
    OutcomeForm,
    lambda request, forum, data: actions.record_outcome(forum, acting_user=request.user, **data),
    success=gettext_lazy("Outcome recorded."),
    then=_back_to("goals"),
    form_kwargs=lambda request, forum: {"forum": forum},
)


def _seat(request, forum_id: int, membership_id: int) -> ForumMembership:
    forum = _forum_for_change(request, forum_id)
    return get_scoped_or_404(
        ForumMembership.objects.filter(forum=forum, left_on__isnull=True).select_related(
            "forum", "organisation"
        ),
        request.user,
        CHANGE,
        pk=membership_id,
    )


member_remove = button(
    _seat,
    lambda request, seat: actions.remove_member(seat, acting_user=request.user),
    success=lambda seat: _("%(org)s has left the forum.") % {"org": seat.organisation.name},
    then=lambda seat: _back_to("members")(seat.forum),
)
