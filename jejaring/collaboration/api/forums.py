"""Forums: members, the rotating coordinator, ground rules, goals and small wins."""

import datetime

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jejaring.accounts.models import User
from jejaring.core.api_helpers import filtered_list, paged, scoped_or_404
from jejaring.core.scoping import CHANGE

from .. import actions
from ..filters.forums import ForumFilter
from ..models import (
    CoordinatorTerm,
    Forum,
    ForumGoal,
    ForumMembership,
    GroundRule,
    GroundRuleKind,
    IntermediateOutcome,
    OutcomeKind,
)
from ._common import Inputs, acting_organisation, forum_for

router = Router(tags=["collaboration: forums"])


class MemberOut(Schema):
    id: int
    organisation: int = Field(..., alias="organisation_id")
    organisation_code: str = Field(..., alias="organisation.code")
    organisation_name: str = Field(..., alias="organisation.name")
    representative: int | None = Field(None, alias="representative_id")
    representative_name: str
    joined_on: datetime.date
    left_on: datetime.date | None

    @staticmethod
    def resolve_representative_name(obj):
        return obj.representative.get_full_name() if obj.representative_id else ""


class CoordinatorOut(Schema):
    id: int
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    starts_on: datetime.date
    ends_on: datetime.date | None


class GroundRuleOut(Schema):
    id: int
    forum: int | None = Field(None, alias="forum_id")
    kind: GroundRuleKind
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    text: str
    adopted_on: datetime.date
    in_force: bool


class GoalOut(Schema):
    id: int
    title: str
    description: str


class OutcomeOut(Schema):
    id: int
    forum: int = Field(..., alias="forum_id")
    goal: int | None = Field(None, alias="goal_id")
    goal_title: str | None = Field(None, alias="goal.title")
    kind: OutcomeKind
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    description: str
    achieved_on: datetime.date


class ForumOut(Schema):
    id: int
    name: str
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    convened_by: int = Field(..., alias="convened_by_id")
    convened_by_name: str = Field(..., alias="convened_by.name")
    coordinator: int | None
    coordinator_name: str | None
    member_count: int
    mission: str
    problem_statement: str
    quorum_percent: int
    allows_fallback_vote: bool
    fallback_vote_percent: int
    meets_every_days: int
    is_active: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_coordinator(obj):
        return obj.current_terms[0].organisation_id if obj.current_terms else None

    @staticmethod
    def resolve_coordinator_name(obj):
        return obj.current_terms[0].organisation.name if obj.current_terms else None


class ForumDetailOut(ForumOut):
    members: list[MemberOut]
    coordinators: list[CoordinatorOut]
    ground_rules: list[GroundRuleOut]
    goals: list[GoalOut]

    @staticmethod
    def resolve_members(obj):
        return obj.current_memberships

    @staticmethod
    def resolve_coordinators(obj):
        return obj.coordinator_terms.all()


class ForumIn(Schema):
    name: str = Field(..., max_length=200)
    region: str = Field(..., description="Kemendagri region code, e.g. 14.71")
    members: list[int] = Field([], description="Organisation ids besides your own")
    mission: str = ""
    problem_statement: str = ""
    quorum_percent: int = 50
    allows_fallback_vote: bool = False
    fallback_vote_percent: int = 67
    meets_every_days: int = Field(30, ge=1, le=366)


class MemberIn(Schema):
    organisation: int
    representative: int | None = None


class CoordinatorIn(Schema):
    organisation: int
    starts_on: datetime.date | None = None


class GroundRuleIn(Schema):
    kind: GroundRuleKind = GroundRuleKind.RULE
    title: str = Field(..., max_length=200)
    text: str
    adopted_on: datetime.date | None = None


class GoalIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = ""


class OutcomeIn(Schema):
    title: str = Field(..., max_length=200)
    achieved_on: datetime.date
    kind: OutcomeKind = OutcomeKind.SMALL_WIN
    goal: int | None = None
    description: str = ""


class ForumQuery(Schema):
    mine: bool = Field(False, description="Only those your organisation is a member of")
    region: str | None = Field(None, description="Region code: forums in it")
    active: bool = True


def _forums():
    return (
        Forum.objects.select_related("region", "convened_by")
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            )
        )
        .prefetch_related(
            Prefetch(
                "coordinator_terms",
                queryset=CoordinatorTerm.objects.filter(ends_on__isnull=True).select_related(
                    "organisation"
                ),
                to_attr="current_terms",
            )
        )
    )


def _forum_detail():
    return _forums().prefetch_related(
        Prefetch(
            "memberships",
            queryset=ForumMembership.objects.filter(left_on__isnull=True).select_related(
                "organisation", "representative"
            ),
            to_attr="current_memberships",
        ),
        Prefetch(
            "coordinator_terms",
            queryset=CoordinatorTerm.objects.select_related("organisation"),
        ),
        "ground_rules",
        "goals",
    )


@router.get("/forums/", response=list[ForumOut], summary="Forums the user may see")
@paged
def list_forums(request, filters: Query[ForumQuery]):
    return filtered_list(request, ForumFilter, _forums().restrict(request.auth), filters)


@router.post("/forums/", response={201: ForumDetailOut}, summary="Convene a forum")
def create_forum(request, payload: ForumIn):
    convener = acting_organisation(request)
    inputs = Inputs(request)
    region = inputs.region(payload.region, "region")
    members = inputs.organisations(payload.members, "members")
    inputs.check()
    forum = actions.create_forum(
        name=payload.name,
        region=region,
        convened_by=convener,
        members=members,
        acting_user=request.auth,
        mission=payload.mission,
        problem_statement=payload.problem_statement,
        quorum_percent=payload.quorum_percent,
        allows_fallback_vote=payload.allows_fallback_vote,
        fallback_vote_percent=payload.fallback_vote_percent,
        meets_every_days=payload.meets_every_days,
    )
    return Status(201, _forum_detail().get(pk=forum.pk))


@router.get("/forums/{int:forum_id}", response=ForumDetailOut)
def get_forum(request, forum_id: int):
    return scoped_or_404(_forum_detail(), request, pk=forum_id)


@router.get("/forums/{int:forum_id}/members", response=list[MemberOut])
def list_members(request, forum_id: int, former: bool = False):
    forum = forum_for(request, forum_id)
    members = forum.memberships.select_related("organisation", "representative")
    return members if former else members.filter(left_on__isnull=True)


@router.post("/forums/{int:forum_id}/members", response={201: MemberOut})
def add_member(request, forum_id: int, payload: MemberIn):
    forum = forum_for(request, forum_id, CHANGE)
    inputs = Inputs(request)
    organisation = inputs.organisation(payload.organisation, "organisation")
    representative = inputs.scoped(
        User.objects.filter(is_active=True),
        payload.representative,
        "representative",
        _("Unknown user."),
    )
    inputs.check()
    membership = actions.add_member(
        forum, organisation, representative=representative, acting_user=request.auth
    )
    return Status(201, membership)


@router.delete(
    "/forums/{int:forum_id}/members/{int:membership_id}",
    response=MemberOut,
    summary="A member leaves the forum (the seat's history is kept)",
)
def remove_member(request, forum_id: int, membership_id: int):
    forum = forum_for(request, forum_id)
    membership = get_object_or_404(
        forum.memberships.select_related("organisation", "representative"),
        pk=membership_id,
        left_on__isnull=True,
    )
    return actions.remove_member(membership, acting_user=request.auth)


@router.get("/forums/{int:forum_id}/coordinators", response=list[CoordinatorOut])
def list_coordinators(request, forum_id: int):
    forum = forum_for(request, forum_id)
    return forum.coordinator_terms.select_related("organisation")


@router.post(
    "/forums/{int:forum_id}/coordinators",
    response={201: CoordinatorOut},
    summary="Rotate the coordinator role to another member",
)
def rotate_coordinator(request, forum_id: int, payload: CoordinatorIn):
    forum = forum_for(request, forum_id, CHANGE)
    inputs = Inputs(request)
    organisation = inputs.organisation(payload.organisation, "organisation")
    inputs.check()
    term = actions.rotate_coordinator(
        forum, organisation, on=payload.starts_on, acting_user=request.auth
    )
    return Status(201, term)


@router.get("/forums/{int:forum_id}/ground-rules", response=list[GroundRuleOut])
def list_ground_rules(request, forum_id: int):
    return forum_for(request, forum_id).ground_rules.all()


@router.post("/forums/{int:forum_id}/ground-rules", response={201: GroundRuleOut})
def add_ground_rule(request, forum_id: int, payload: GroundRuleIn):
    forum = forum_for(request, forum_id, CHANGE)
    return Status(201, actions.add_ground_rule(forum, acting_user=request.auth, **payload.dict()))


@router.get(
    "/ground-rules/",
    response=list[GroundRuleOut],
    summary="Ground rules and SOPs of the whole network",
)
def list_network_rules(request):
    return GroundRule.objects.filter(forum__isnull=True)


@router.post(
    "/ground-rules/",
    response={201: GroundRuleOut},
    summary="Adopt a network-wide ground rule (network administrators)",
)
def add_network_rule(request, payload: GroundRuleIn):
    return Status(201, actions.add_ground_rule(None, acting_user=request.auth, **payload.dict()))


@router.get("/forums/{int:forum_id}/goals", response=list[GoalOut])
def list_goals(request, forum_id: int):
    return forum_for(request, forum_id).goals.all()


@router.post("/forums/{int:forum_id}/goals", response={201: GoalOut})
def add_goal(request, forum_id: int, payload: GoalIn):
    forum = forum_for(request, forum_id, CHANGE)
    return Status(201, actions.add_goal(forum, acting_user=request.auth, **payload.dict()))


@router.get(
    "/forums/{int:forum_id}/outcomes",
    response=list[OutcomeOut],
    summary="Intermediate outcomes (small wins) of a forum",
)
@paged
def list_outcomes(request, forum_id: int):
    forum = forum_for(request, forum_id)
    return (
        IntermediateOutcome.objects.restrict(request.auth)
        .filter(forum=forum)
        .select_related("goal")
    )


@router.post("/forums/{int:forum_id}/outcomes", response={201: OutcomeOut})
def record_outcome(request, forum_id: int, payload: OutcomeIn):
    forum = forum_for(request, forum_id, CHANGE)
    inputs = Inputs(request)
    goal = None
    if payload.goal is not None:
        # Any goal the user can see through its forum (goals have no scope policy of
        # their own); the action refuses another forum's goal with its own message.
        visible = ForumGoal.objects.filter(forum__in=Forum.objects.restrict(request.auth))
        goal = visible.filter(pk=payload.goal).first()
        if goal is None:
            inputs.refuse("goal", _("Unknown goal."))
    inputs.check()
    outcome = actions.record_outcome(
        forum,
        title=payload.title,
        achieved_on=payload.achieved_on,
        kind=payload.kind,
        goal=goal,
        description=payload.description,
        acting_user=request.auth,
    )
    return Status(201, IntermediateOutcome.objects.select_related("goal").get(pk=outcome.pk))
