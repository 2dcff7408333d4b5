"""Page forms for resource sharing: exchanges, the offers-and-requests board and
assistive-device distribution. They check the input's shape; the actions do the rest."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jejaring.core.forms import NativeDateInput
from jejaring.regions.fields import RegionCodeField

from ..filters.resources import still_available
from ..models import (
    BoardPost,
    ExchangeKind,
    HandoverMethod,
    PostKind,
    PostState,
    ResourceCategory,
)
from .agreements import partner_organisations, visible_forums

# Database ids from a form: bounded, so no lookup is asked for an impossible number.
MAX_ID = 2**31 - 1

GAVE = "gave"
RECEIVED = "received"


class ExchangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Activity"), choices=ExchangeKind.choices)
    other = forms.ModelChoiceField(label=_("Other organisation"), queryset=None)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[(GAVE, _("We gave")), (RECEIVED, _("We received"))],
        initial=GAVE,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Joint planning, mutual aid and informal cooperation have no direction."),
    )
    occurred_on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=NativeDateInput()
    )
    description = forms.CharField(label=_("What"), max_length=255)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_ID, required=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    value_idr = forms.DecimalField(
        label=_("Value (Rp)"), min_value=0, max_digits=15, decimal_places=0, required=False
    )
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = partner_organisations(user)
        self.fields["forum"].queryset = visible_forums(user)


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PostKind.choices, widget=forms.RadioSelect, initial=PostKind.OFFER
    )
    category = forms.ChoiceField(label=_("Category"), choices=ResourceCategory.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_('e.g. "20 wheelchairs available" or "a psychologist on Sundays".'),
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_ID, required=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    region = RegionCodeField(label=_("Where"))
    available_until = forms.DateField(label=_("Until"), required=False, widget=NativeDateInput())


class MatchForm(forms.Form):
    other = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Quantity agreed"), min_value=1, max_value=MAX_ID, required=False
    )


def open_device_offers(user):
    """Assistive-device offers still open on the board: where a device may come from."""
    return (
        BoardPost.objects.restrict(user)
        .filter(kind=PostKind.OFFER, category=ResourceCategory.ASSISTIVE_DEVICE)
        .filter(state=PostState.OPEN)
        .filter(still_available())
        .select_related("organisation")
    )


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} — {obj.organisation.name}"


class DistributionForm(forms.Form):
    device = forms.CharField(
        label=_("Device"), max_length=200, help_text=_("e.g. wheelchair, crutches, hearing aid.")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1)
    method = forms.ChoiceField(
        label=_("Handover"),
        choices=HandoverMethod.choices,
        widget=forms.RadioSelect,
        initial=HandoverMethod.PICKUP,
    )
    scheduled_for = forms.DateField(
        label=_("Scheduled for"), initial=timezone.localdate, widget=NativeDateInput()
    )
    place = forms.CharField(
        label=_("Pickup point or delivery address"), max_length=255, required=False
    )
    source_offer = OfferChoiceField(
        label=_("From an offer on the board"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_offer"].queryset = open_device_offers(user)


class HandoverForm(forms.Form):
    on = forms.DateField(
        label=_("Handed over on"),
        required=False,
        initial=timezone.localdate,
        widget=NativeDateInput(),
    )
