"""Forum pages: the list, a new forum, and the forum's own page with its members,
coordinator, rules, goals and small wins. Thin: scope, form, action, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jejaring.core.forms import apply_validation_error
from jejaring.core.scoping import CHANGE, can, get_scoped_or_404, scope_for

from .. import actions
from ..actions.decisions import fulfilment_rates
from ..forms.forums import (
    CoordinatorForm,
    ForumForm,
    GoalForm,
    GroundRuleForm,
    MemberAddForm,
    OutcomeForm,
)
from ..models import Commitment, Forum, ForumMembership, MeetingState
from ._shared import report_errors, user_organisation


def form_errors(request, form) -> None:
    """A form posted from a page section came back invalid: say what, as a message."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        field = form.fields.get(name)
        parts.append(f"{field.label}: {text}" if field is not None else text)
    messages.error(request, " ".join(parts))


def show_refusal(request, form, exc: ValidationError) -> bool:
    """An action refused a form posted from a detail page. When the refusal is about
    the form's own fields, put it on the form (True: render the page again with it);
    otherwise the form may not even be on the page any more: say it as a message."""
    if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
        apply_validation_error(form, exc)
        return True
    report_errors(request, exc)
    return False


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
    forums = list(
        Forum.objects.restrict(request.user)
        .select_related("region", "convened_by")
        .annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    mine_ids = _my_forum_ids(request.user)
    context = {
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
    if request.method == "POST":
        form = ForumForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                forum = actions.create_forum(
                    name=data["name"],
                    region=data["region"],
                    convened_by=organisation,
                    members=list(data["members"]),
                    mission=data["mission"],
                    problem_statement=data["problem_statement"],
                    quorum_percent=data["quorum_percent"],
                    allows_fallback_vote=data["allows_fallback_vote"],
                    fallback_vote_percent=data["fallback_vote_percent"],
                    meets_every_days=data["meets_every_days"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Forum created."))
                return redirect("collaboration:forum", forum_id=forum.pk)
    else:
        form = ForumForm(user=request.user, initial={"region": organisation.home_region})
    return render(request, "collaboration/forum_form.html", {"form": form})


@login_required
def forum_detail(request, forum_id: int):
    request.nav_section = "collaboration"
    forum = get_scoped_or_404(
        Forum.objects.select_related("region", "convened_by"), request.user, pk=forum_id
    )
    may_change = can(request.user, CHANGE, forum)
    now = timezone.now()
    meetings = forum.meetings.all()
    commitments = (
        Commitment.objects.restrict(request.user)
        .filter(forum=forum)
        .select_related("owner", "meeting", "proposal")
    )
    coordinator = forum.current_coordinator()
    context = {
        "forum": forum,
        "may_change": may_change,
        "members": forum.current_members().select_related("organisation", "representative"),
        "coordinator": coordinator,
        "coordinator_terms": forum.coordinator_terms.select_related("organisation"),
        "goals": forum.goals.all(),
        "outcomes": forum.outcomes.select_related("goal"),
        "rules": forum.ground_rules.filter(in_force=True),
        "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at"),
        "past": meetings.filter(starts_at__lt=now)[:20],
        "proposals": forum.proposals.select_related("proposed_by"),
        "commitments": commitments,
        "rates": fulfilment_rates(commitments),
        "is_member": forum.pk in _my_forum_ids(request.user),
        "planned": MeetingState.PLANNED,
    }
    if may_change:
        context.update(
            member_form=MemberAddForm(forum=forum, user=request.user),
            coordinator_form=CoordinatorForm(forum=forum),
            rule_form=GroundRuleForm(),
            goal_form=GoalForm(),
            outcome_form=OutcomeForm(forum=forum),
        )
    return render(request, "collaboration/forum_detail.html", context)


def _forum_for_change(request, forum_id):
    return get_scoped_or_404(Forum, request.user, CHANGE, pk=forum_id)


def _back(forum, anchor=""):
    response = redirect("collaboration:forum", forum_id=forum.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def member_add(request, forum_id: int):
    forum = _forum_for_change(request, forum_id)
    form = MemberAddForm(request.POST, forum=forum, user=request.user)
    if form.is_valid():
        try:
            actions.add_member(
                forum,
                form.cleaned_data["organisation"],
                representative=form.cleaned_data["representative"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(request, _("Member added."))
    else:
        form_errors(request, form)
    return _back(forum, "members")


@login_required
@require_POST
def member_remove(request, forum_id: int, membership_id: int):
    forum = _forum_for_change(request, forum_id)
    membership = get_scoped_or_404(
        ForumMembership.objects.filter(forum=forum, left_on__isnull=True),
        request.user,
        CHANGE,
        pk=membership_id,
    )
    try:
        actions.remove_member(membership, acting_user=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(
            request,
            _("%(org)s has left the forum.") % {"org": membership.organisation.name},
        )
    return _back(forum, "members")


def _run_form(request, form, action, success: str) -> None:
    """Validate a small form, run the action with its cleaned data, say how it went."""
    if not form.is_valid():
        form_errors(request, form)
        return
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, success)


@login_required
@require_POST
def coordinator_rotate(request, forum_id: int):
    forum = _forum_for_change(request, forum_id)
    _run_form(
        request,
        CoordinatorForm(request.POST, forum=forum),
        lambda data: actions.rotate_coordinator(
            forum, data["organisation"], acting_user=request.user
        ),
        _("The coordinator role was handed on."),
    )
    return _back(forum, "coordinator")


@login_required
@require_POST
def rule_add(request, forum_id: int):
    forum = _forum_for_change(request, forum_id)
    _run_form(
        request,
        GroundRuleForm(request.POST),
        lambda data: actions.add_ground_rule(forum, acting_user=request.user, **data),
        _("Rule recorded."),
    )
    return _back(forum, "rules")


@login_required
@require_POST
def goal_add(request, forum_id: int):
    forum = _forum_for_change(request, forum_id)
    _run_form(
        request,
        GoalForm(request.POST),
        lambda data: actions.add_goal(forum, acting_user=request.user, **data),
        _("Goal added."),
    )
    return _back(forum, "goals")


@login_required
@require_POST
def outcome_add(request, forum_id: int):
    forum = _forum_for_change(request, forum_id)
    _run_form(
        request,
        OutcomeForm(request.POST, forum=forum),
        lambda data: actions.record_outcome(forum, acting_user=request.user, **data),
        _("Outcome recorded."),
    )
    return _back(forum, "goals")
