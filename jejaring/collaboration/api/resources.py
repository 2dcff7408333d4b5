"""Resource sharing: exchanges between organisations, the offers-and-requests board
with its match suggestions, and assistive-device distribution to people."""

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jejaring.cases.models import Case
from jejaring.core.api_helpers import PeoplePage, filtered_list, paged, scoped_or_404
from jejaring.core.scoping import CHANGE
from jejaring.registry.presenters import identity_visible

from .. import actions
from ..filters.resources import BoardPostFilter, DistributionFilter, ExchangeFilter
from ..models import (
    BoardPost,
    DeviceDistribution,
    DistributionState,
    Exchange,
    ExchangeKind,
    HandoverMethod,
    PostKind,
    PostState,
    ResourceCategory,
)
from ._common import Inputs, acting_organisation

router = Router(tags=["collaboration: resource sharing"])

# Quantities are stored as positive integers; anything larger is a typing mistake.
MAX_QUANTITY = 1_000_000


class ExchangeOut(Schema):
    id: int
    kind: ExchangeKind
    kind_label: str = Field(..., alias="get_kind_display")
    giver: int = Field(..., alias="giver_id")
    giver_name: str = Field(..., alias="giver.name")
    receiver: int = Field(..., alias="receiver_id")
    receiver_name: str = Field(..., alias="receiver.name")
    forum: int | None = Field(None, alias="forum_id")
    occurred_on: datetime.date
    description: str
    quantity: int | None
    unit: str
    value_idr: int | None = Field(None, description="Value in rupiah")


class ExchangeIn(Schema):
    kind: ExchangeKind
    giver: int
    receiver: int
    description: str = Field(..., max_length=255)
    occurred_on: datetime.date | None = None
    quantity: int | None = Field(None, ge=0, le=MAX_QUANTITY)
    unit: str = Field("", max_length=40)
    value_idr: int | None = Field(None, ge=0, le=10**15 - 1)
    forum: int | None = None


class PostOut(Schema):
    id: int
    kind: PostKind
    kind_label: str = Field(..., alias="get_kind_display")
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    category: ResourceCategory
    category_label: str = Field(..., alias="get_category_display")
    title: str
    description: str
    quantity: int | None
    unit: str
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    available_until: datetime.date | None
    state: PostState
    state_label: str = Field(..., alias="get_state_display")
    matched_with: int | None = Field(None, alias="matched_with_id")
    exchange: int | None = Field(None, alias="exchange_id")
    posted_at: datetime.datetime


class PostIn(Schema):
    kind: PostKind
    category: ResourceCategory
    title: str = Field(..., max_length=200)
    region: str = Field(..., description="Kemendagri region code")
    description: str = ""
    quantity: int | None = Field(None, ge=1, le=MAX_QUANTITY)
    unit: str = Field("", max_length=40)
    available_until: datetime.date | None = None


# Not "SuggestionOut": ninja names OpenAPI components by class name, and the cases app's
# referral suggestions already use that name, so one documented schema hid the other.
class MatchSuggestionOut(Schema):
    post: PostOut
    score: int = Field(..., description="0 to 100")
    reasons: list[str]


class MatchIn(Schema):
    offer: int
    request: int
    quantity: int | None = Field(None, ge=1, le=MAX_QUANTITY)


class DistributionOut(Schema):
    id: int
    case: int = Field(..., alias="case_id")
    person: int = Field(..., alias="case.person_id")
    device: str
    quantity: int
    method: HandoverMethod
    method_label: str = Field(..., alias="get_method_display")
    scheduled_for: datetime.date
    place: str
    source_offer: int | None = Field(None, alias="source_offer_id")
    state: DistributionState
    state_label: str = Field(..., alias="get_state_display")
    service: int | None = Field(None, alias="service_id")
    handed_over_on: datetime.date | None

    @staticmethod
    def resolve_place(obj, context):
        # A delivery address is where the person lives: only where their identity is.
        visible = identity_visible(context["request"].auth, obj.case.person_id)
        return obj.place if visible else ""


class DistributionIn(Schema):
    case: int
    device: str = Field(..., max_length=200)
    method: HandoverMethod
    scheduled_for: datetime.date
    quantity: int = Field(1, le=MAX_QUANTITY)
    place: str = Field("", max_length=255)
    source_offer: int | None = None


class HandOverIn(Schema):
    on: datetime.date | None = None


class ExchangeQuery(Schema):
    kind: ExchangeKind | None = None
    organisation: int | None = Field(None, description="An organisation at either end")
    forum: int | None = None
    since: datetime.date | None = None


class PostQuery(Schema):
    kind: PostKind | None = None
    category: ResourceCategory | None = None
    state: PostState | None = None
    region: str | None = Field(None, description="Region code: posts in it or inside it")
    province: str | None = Field(None, description="Province code, e.g. 14")
    organisation: int | None = None
    mine: bool | None = Field(None, description="Only your organisation's posts")


class DistributionQuery(Schema):
    case: int | None = None
    state: DistributionState | None = None


def _exchanges():
    return Exchange.objects.select_related("giver", "receiver")


def _posts():
    return BoardPost.objects.select_related("organisation", "region")


def _distributions():
    return DeviceDistribution.objects.select_related("case")


@router.get("/exchanges/", response=list[ExchangeOut], summary="Exchanges the user may see")
@paged
def list_exchanges(request, filters: Query[ExchangeQuery]):
    return filtered_list(request, ExchangeFilter, _exchanges().restrict(request.auth), filters)


@router.post(
    "/exchanges/",
    response={201: ExchangeOut},
    summary="Record an exchange your organisation took part in",
)
def record_exchange(request, payload: ExchangeIn):
    acting_organisation(request)
    inputs = Inputs(request)
    giver = inputs.organisation(payload.giver, "giver")
    receiver = inputs.organisation(payload.receiver, "receiver")
    forum = inputs.forum(payload.forum)
    inputs.check()
    exchange = actions.record_exchange(
        kind=payload.kind,
        giver=giver,
        receiver=receiver,
        description=payload.description,
        occurred_on=payload.occurred_on,
        quantity=payload.quantity,
        unit=payload.unit,
        value_idr=payload.value_idr,
        forum=forum,
        acting_user=request.auth,
    )
    return Status(201, _exchanges().get(pk=exchange.pk))


@router.get("/board/", response=list[PostOut], summary="The offers-and-requests board")
@paged
def list_posts(request, filters: Query[PostQuery]):
    return filtered_list(request, BoardPostFilter, _posts().restrict(request.auth), filters)


@router.post("/board/", response={201: PostOut}, summary="Post an offer or a request")
def post_to_board(request, payload: PostIn):
    organisation = acting_organisation(request)
    inputs = Inputs(request)
    region = inputs.region(payload.region, "region")
    inputs.check()
    post = actions.post_to_board(
        organisation=organisation,
        region=region,
        acting_user=request.auth,
        **payload.dict(exclude={"region"}),
    )
    return Status(201, _posts().get(pk=post.pk))


@router.get("/board/{int:post_id}", response=PostOut)
def get_post(request, post_id: int):
    return scoped_or_404(_posts(), request, pk=post_id)


@router.get(
    "/board/{int:post_id}/suggestions",
    response=list[MatchSuggestionOut],
    summary="Suggested matches: open posts of the other kind, scored (see matching.py)",
)
def match_suggestions(request, post_id: int, limit: int = 5):
    from ..matching import suggest_matches

    post = scoped_or_404(BoardPost, request, pk=post_id)
    if post.state != PostState.OPEN:
        return []
    return [
        {"post": other, "score": points, "reasons": reasons}
        for other, points, reasons in suggest_matches(post, limit=min(max(limit, 1), 20))
    ]


@router.post(
    "/board/match",
    response={201: ExchangeOut},
    summary="Agree a match: both posts close and the exchange is recorded",
)
def match_posts(request, payload: MatchIn):
    inputs = Inputs(request)
    offer = inputs.scoped(BoardPost, payload.offer, "offer", _("Unknown post."))
    wanted = inputs.scoped(BoardPost, payload.request, "request", _("Unknown post."))
    inputs.check()
    exchange = actions.match_posts(
        offer, wanted, quantity=payload.quantity, acting_user=request.auth
    )
    return Status(201, _exchanges().get(pk=exchange.pk))


@router.post("/board/{int:post_id}/close", response=PostOut)
def close_post(request, post_id: int):
    post = scoped_or_404(BoardPost, request, CHANGE, pk=post_id)
    actions.close_post(post, acting_user=request.auth)
    return _posts().get(pk=post.pk)


@router.get(
    "/distributions/",
    response=list[DistributionOut],
    summary="Assistive-device distributions under the cases the user may see",
)
@paged
def list_distributions(request, filters: Query[DistributionQuery]):
    queryset = _distributions().restrict(request.auth)
    found = filtered_list(request, DistributionFilter, queryset, filters)
    # The place shown depends on each person's identity: worked out once per page.
    return PeoplePage(found, request, person_of=lambda row: row.case.person_id)


@router.post(
    "/distributions/",
    response={201: DistributionOut},
    summary="Schedule a device's pickup or delivery for a case",
)
def schedule_distribution(request, payload: DistributionIn):
    case = scoped_or_404(Case, request, CHANGE, pk=payload.case)
    inputs = Inputs(request)
    source_offer = inputs.scoped(
        BoardPost, payload.source_offer, "source_offer", _("Unknown post.")
    )
    inputs.check()
    distribution = actions.schedule_distribution(
        case,
        device=payload.device,
        method=payload.method,
        scheduled_for=payload.scheduled_for,
        quantity=payload.quantity,
        place=payload.place,
        source_offer=source_offer,
        acting_user=request.auth,
    )
    return Status(201, _distributions().get(pk=distribution.pk))


@router.get("/distributions/{int:distribution_id}", response=DistributionOut)
def get_distribution(request, distribution_id: int):
    return scoped_or_404(_distributions(), request, pk=distribution_id)


@router.post(
    "/distributions/{int:distribution_id}/hand-over",
    response=DistributionOut,
    summary="The person received the device (recorded as a service on the case)",
)
def hand_over_device(request, distribution_id: int, payload: HandOverIn):
    return _change_distribution(
        request,
        distribution_id,
        lambda d: actions.hand_over_device(d, on=payload.on, acting_user=request.auth),
    )


@router.post("/distributions/{int:distribution_id}/cancel", response=DistributionOut)
def cancel_distribution(request, distribution_id: int):
    return _change_distribution(
        request,
        distribution_id,
        lambda d: actions.cancel_distribution(d, acting_user=request.auth),
    )


def _change_distribution(request, distribution_id: int, change):
    """Run ``change`` on a distribution the caller may change; answer it as it is now."""
    distribution = scoped_or_404(DeviceDistribution, request, CHANGE, pk=distribution_id)
    change(distribution)
    return _distributions().get(pk=distribution.pk)
