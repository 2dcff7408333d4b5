"""Resource sharing: exchanges between organisations, the offers-and-requests board
with its match suggestions, and assistive-device distribution to people."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.core import clock

from ..models import (
    EXCHANGE_KIND_FOR_CATEGORY,
    BoardPost,
    DeviceDistribution,
    DistributionState,
    Exchange,
    HandoverMethod,
    PostKind,
    PostState,
)
from ._common import actor, refuse_if

# The service an assistive-device handover is recorded as on the person's case.
ASSISTIVE_DEVICE_SERVICE = "alat_bantu"


@transaction.atomic
def record_exchange(
    *,
    kind: str,
    giver,
    receiver,
    description: str,
    acting_user,
    occurred_on: datetime.date | None = None,
    quantity: int | None = None,
    unit: str = "",
    value_idr=None,
    forum=None,
) -> Exchange:
    occurred_on = occurred_on or clock.localdate()
    errors = {}
    if giver is None or receiver is None:
        errors["receiver"] = _("Name both organisations.")
    elif giver.pk == receiver.pk:
        errors["receiver"] = _("An exchange is between two different organisations.")
    if not description.strip():
        errors["description"] = _("Say what was exchanged.")
    if occurred_on > clock.localdate():
        errors["occurred_on"] = _("Record exchanges once they happened.")
    if value_idr is not None and value_idr < 0:
        errors["value_idr"] = _("The value cannot be negative.")
    user = actor(acting_user)
    if (
        user is not None
        and giver is not None
        and receiver is not None
        and user.organisation_id not in (giver.pk, receiver.pk)
    ):
        errors["giver"] = _("Your organisation must be one of the two ends of the exchange.")
    refuse_if(errors)
    exchange = Exchange.objects.create(
        kind=kind,
        giver=giver,
        receiver=receiver,
        description=description.strip(),
        occurred_on=occurred_on,
        quantity=quantity,
        unit=unit,
        value_idr=value_idr,
        forum=forum,
        recorded_by=user,
    )
    audit.record_create(exchange, acting_user=acting_user)
    return exchange


@transaction.atomic
def post_to_board(
    *,
    kind: str,
    organisation,
    category: str,
    title: str,
    region,
    acting_user,
    description: str = "",
    quantity: int | None = None,
    unit: str = "",
    available_until: datetime.date | None = None,
) -> BoardPost:
    errors = {}
    if not title.strip():
        errors["title"] = _("Say what is offered or needed.")
    if available_until and available_until < clock.localdate():
        errors["available_until"] = _("This date is already past.")
    refuse_if(errors)
    post = BoardPost.objects.create(
        kind=kind,
        organisation=organisation,
        category=category,
        title=title.strip(),
        description=description,
        quantity=quantity,
        unit=unit,
        region=region,
        available_until=available_until,
        posted_by=actor(acting_user),
    )
    audit.record_create(post, acting_user=acting_user)
    return post


@transaction.atomic
def match_posts(
    offer: BoardPost, request: BoardPost, *, acting_user, quantity: int | None = None
) -> Exchange:
    """Agree a match: the offer's organisation gives to the request's. Both posts close
    and the exchange is recorded, so the board feeds the health check."""
    offer = BoardPost.objects.select_for_update().get(pk=offer.pk)
    request = BoardPost.objects.select_for_update().get(pk=request.pk)
    user = actor(acting_user)
    if user is not None and user.organisation_id not in (
        offer.organisation_id,
        request.organisation_id,
    ):
        raise PermissionDenied(_("Only the two organisations concerned agree a match."))
    errors = {}
    if offer.kind != PostKind.OFFER or request.kind != PostKind.REQUEST:
        errors["request"] = _("A match pairs an offer with a request.")
    if offer.state != PostState.OPEN or request.state != PostState.OPEN:
        errors["request"] = _("One of the two posts is no longer open.")
    if offer.organisation_id == request.organisation_id:
        errors["request"] = _("An organisation cannot match its own offer and request.")
    if user is not None and user.organisation_id != offer.organisation_id:
        # The giver commits its own resources: the requester can ask, not decide.
        errors["offer"] = _(
            "Only %(org)s, which made the offer, can agree to give. Contact them about it."
        ) % {"org": offer.organisation.name}
    quantity = quantity or request.quantity or offer.quantity
    if quantity is not None and offer.quantity is not None and quantity > offer.quantity:
        errors["quantity"] = _("The offer holds only %(n)s.") % {"n": offer.quantity}
    refuse_if(errors)
    exchange = record_exchange(
        kind=EXCHANGE_KIND_FOR_CATEGORY[offer.category],
        giver=offer.organisation,
        receiver=request.organisation,
        description=offer.title,
        quantity=quantity,
        unit=offer.unit or request.unit,
        acting_user=acting_user,
    )
    for post, other in ((offer, request), (request, offer)):
        before = audit.snapshot(post)
        post.state = PostState.MATCHED
        post.matched_with = other
        post.exchange = exchange
        post.save(update_fields=["state", "matched_with", "exchange"])
        audit.record_update(post, before, acting_user=acting_user)
    return exchange


@transaction.atomic
def close_post(post: BoardPost, *, acting_user) -> BoardPost:
    if post.state != PostState.OPEN:
        raise ValidationError(_("This post is already closed."))
    before = audit.snapshot(post)
    post.state = PostState.CLOSED
    post.save(update_fields=["state"])
    audit.record_update(post, before, acting_user=acting_user)
    return post


@transaction.atomic
def schedule_distribution(
    case,
    *,
    device: str,
    method: str,
    scheduled_for: datetime.date,
    acting_user,
    quantity: int = 1,
    place: str = "",
    source_offer: BoardPost | None = None,
) -> DeviceDistribution:
    errors = {}
    if not case.is_open:
        errors["case"] = _("This case is closed.")
    if not device.strip():
        errors["device"] = _("Name the device (e.g. wheelchair).")
    if quantity < 1:
        errors["quantity"] = _("The quantity is at least 1.")
    if scheduled_for < clock.localdate():
        errors["scheduled_for"] = _("Schedule the handover for today or later.")
    if method == HandoverMethod.DELIVERY and not place.strip():
        errors["place"] = _("A delivery needs the address it goes to.")
    if method == HandoverMethod.PICKUP and not place.strip():
        errors["place"] = _("Say where the device is picked up.")
    if source_offer is not None and source_offer.kind != PostKind.OFFER:
        errors["source_offer"] = _("A device comes from an offer, not a request.")
    refuse_if(errors)
    distribution = DeviceDistribution.objects.create(
        case=case,
        device=device.strip(),
        quantity=quantity,
        method=method,
        scheduled_for=scheduled_for,
        place=place.strip(),
        source_offer=source_offer,
        created_by=actor(acting_user),
    )
    audit.record_create(distribution, acting_user=acting_user, parent=case)
    return distribution


@transaction.atomic
def hand_over_device(
    distribution: DeviceDistribution, *, acting_user, on: datetime.date | None = None
) -> DeviceDistribution:
    """The person received the device: recorded as an assistive-device service on the
    case, so SPM achievement counts it."""
    from jejaring.cases import actions as case_actions
    from jejaring.cases.models import ServiceType

    distribution = DeviceDistribution.objects.select_for_update().get(pk=distribution.pk)
    if distribution.state != DistributionState.SCHEDULED:
        raise ValidationError(_("This distribution is no longer scheduled."))
    on = on or clock.localdate()
    try:
        service_type = ServiceType.objects.get(code=ASSISTIVE_DEVICE_SERVICE)
    except ServiceType.DoesNotExist as exc:
        raise ValidationError(
            _("The service catalogue has no assistive-device service; ask the administrator.")
        ) from exc
    service = case_actions.record_service(
        distribution.case,
        service_type,
        on,
        acting_user=acting_user,
        quantity=distribution.quantity,
        evidence=f"{distribution.device} ({distribution.get_method_display()})",
    )
    before = audit.snapshot(distribution)
    distribution.state = DistributionState.HANDED_OVER
    distribution.handed_over_on = on
    distribution.service = service
    distribution.save(update_fields=["state", "handed_over_on", "service"])
    audit.record_update(distribution, before, acting_user=acting_user, parent=distribution.case)
    return distribution


@transaction.atomic
def cancel_distribution(distribution: DeviceDistribution, *, acting_user) -> DeviceDistribution:
    if distribution.state != DistributionState.SCHEDULED:
        raise ValidationError(_("This distribution is no longer scheduled."))
    before = audit.snapshot(distribution)
    distribution.state = DistributionState.CANCELLED
    distribution.save(update_fields=["state"])
    audit.record_update(distribution, before, acting_user=acting_user, parent=distribution.case)
    return distribution
