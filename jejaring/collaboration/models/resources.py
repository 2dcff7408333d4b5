"""Resource sharing: typed exchanges between organisations, the offers-and-requests
board, and assistive-device distribution to people."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.scoping import RestrictedQuerySet

from ..policies import BoardPolicy, DistributionPolicy, ExchangePolicy


class ExchangeKind(models.TextChoices):
    """Seed 002's eleven inter-organisational activities. The given/received pairs are
    one exchange seen from its two ends: giver → receiver."""

    TRAINING = "training", _("Training")
    EQUIPMENT = "equipment", _("Equipment")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    GRANT_MANAGEMENT = "grant_management", _("Grant management")
    JOINT_PLANNING = "joint_planning", _("Joint planning")
    MUTUAL_AID = "mutual_aid", _("Mutual aid agreement")
    INFORMAL = "informal", _("Informal cooperation")


# Kinds with no giver or receiver: both organisations take part equally.
SYMMETRIC_KINDS = (ExchangeKind.JOINT_PLANNING, ExchangeKind.MUTUAL_AID, ExchangeKind.INFORMAL)


class Exchange(models.Model):
    """One activity between two organisations, with its quantity or value."""

    kind = models.CharField(_("activity"), max_length=30, choices=ExchangeKind.choices)
    giver = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        related_name="exchanges_given",
    )
    receiver = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="exchanges_received",
    )
    forum = models.ForeignKey(
        "collaboration.Forum",
        verbose_name=_("forum"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges",
    )
    occurred_on = models.DateField(_("date"), default=clock.localdate, db_index=True)
    description = models.CharField(_("what"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value_idr = models.DecimalField(
        _("value (Rp)"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ExchangePolicy()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("resource exchange")
        verbose_name_plural = _("resource exchanges")

    def __str__(self) -> str:
        return self.description


class PostKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    REQUEST = "request", _("Request")


class ResourceCategory(models.TextChoices):
    ASSISTIVE_DEVICE = "assistive_device", _("Assistive devices")
    EQUIPMENT = "equipment", _("Equipment and supplies")
    PERSONNEL = "personnel", _("Personnel (social workers, psychologists…)")
    TRAINING = "training", _("Training")
    FACILITY = "facility", _("Facilities (rooms, beds, vehicles)")
    FUNDS = "funds", _("Funds and grants")
    OTHER = "other", _("Other")


# An offer of this category, once matched, becomes an exchange of this kind.
EXCHANGE_KIND_FOR_CATEGORY = {
    ResourceCategory.ASSISTIVE_DEVICE: ExchangeKind.EQUIPMENT,
    ResourceCategory.EQUIPMENT: ExchangeKind.EQUIPMENT,
    ResourceCategory.PERSONNEL: ExchangeKind.TECHNICAL_ASSISTANCE,
    ResourceCategory.TRAINING: ExchangeKind.TRAINING,
    ResourceCategory.FACILITY: ExchangeKind.MUTUAL_AID,
    ResourceCategory.FUNDS: ExchangeKind.GRANT_MANAGEMENT,
    ResourceCategory.OTHER: ExchangeKind.INFORMAL,
}


class PostState(models.TextChoices):
    OPEN = "open", _("Open")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")


class BoardPost(models.Model):
    """An offer ("20 wheelchairs available") or a request ("we need a psychologist on
    Sundays") on the network's board. Every member sees the board; that is its point."""

    kind = models.CharField(_("kind"), max_length=10, choices=PostKind.choices)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="board_posts",
    )
    category = models.CharField(_("category"), max_length=20, choices=ResourceCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("where"), on_delete=models.PROTECT, related_name="+"
    )
    available_until = models.DateField(_("until"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=PostState.choices, default=PostState.OPEN
    )
    matched_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = BoardPolicy()

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("board post")
        verbose_name_plural = _("board posts")

    def __str__(self) -> str:
        return self.title


class HandoverMethod(models.TextChoices):
    PICKUP = "pickup", _("Pickup")
    DELIVERY = "delivery", _("Delivery")


class DistributionState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HANDED_OVER = "handed_over", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


class DeviceDistribution(models.Model):
    """An assistive device (wheelchair, crutches, hearing aid…) going to a person under
    a case. Transport is where the papers saw distribution stall, so the pickup or
    delivery is scheduled; the handover is recorded as a service on the case."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="devices"
    )
    device = models.CharField(_("device"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    method = models.CharField(_("handover"), max_length=10, choices=HandoverMethod.choices)
    scheduled_for = models.DateField(_("scheduled for"))
    place = models.CharField(_("pickup point or delivery address"), max_length=255, blank=True)
    source_offer = models.ForeignKey(
        BoardPost,
        verbose_name=_("from offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="distributions",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=DistributionState.choices,
        default=DistributionState.SCHEDULED,
    )
    service = models.OneToOneField(
        "cases.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = DistributionPolicy()

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("assistive-device distribution")
        verbose_name_plural = _("assistive-device distributions")

    def __str__(self) -> str:
        return self.device
