"""Page forms for agreements (MoU / PKS) and the ground-rules register. They check the
input's shape; the actions enforce the rules (two parties, dates, states)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jejaring.cases.models import ServiceType
from jejaring.core.forms import NativeDateInput
from jejaring.network.models import Organisation
from jejaring.reference.models import PmksCategory
from jejaring.regions.fields import RegionCodesField

from ..models import AgreementKind, AgreementState, Forum, GroundRuleKind


def partner_organisations(user):
    """Organisations the user may name as another party: active members of the
    network they can see, their own organisation left out (it is always a party)."""
    return (
        Organisation.objects.restrict(user)
        .filter(status="active")
        .exclude(pk=user.organisation_id)
        .order_by("name")
    )


def visible_forums(user):
    return Forum.objects.restrict(user).filter(is_active=True).order_by("name")


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    number = forms.CharField(label=_("Agreement number"), max_length=100, required=False)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("Other parties"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Your organisation is always a party. Each party's obligations are written on "
            "the agreement's page."
        ),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("PMKS categories"),
        queryset=PmksCategory.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    service_types = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=ServiceType.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = RegionCodesField(
        label=_("Regions covered"),
        required=False,
        help_text=_("Region codes separated by commas, e.g. 14.71, 14.06."),
    )
    starts_on = forms.DateField(label=_("Valid from"), required=False, widget=NativeDateInput())
    ends_on = forms.DateField(label=_("Valid until"), required=False, widget=NativeDateInput())
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=Forum.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = partner_organisations(user)
        self.fields["forum"].queryset = visible_forums(user)


class ObligationsForm(forms.Form):
    organisation = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    obligations = forms.CharField(
        label=_("Obligations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClauseForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=200, required=False)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


class ClauseCommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(forms.Form):
    state = forms.ChoiceField(label=_("Move to"), choices=AgreementState.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class SignForm(forms.Form):
    signatory_name = forms.CharField(label=_("Signed by (name)"), max_length=200)
    signatory_position = forms.CharField(label=_("Position"), max_length=200)


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for termination"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RenewForm(forms.Form):
    starts_on = forms.DateField(label=_("Valid from"), widget=NativeDateInput())
    ends_on = forms.DateField(label=_("Valid until"), widget=NativeDateInput())


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Document (PDF, JPG or PNG, up to 10 MB)"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class GroundRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=GroundRuleKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    adopted_on = forms.DateField(
        label=_("Adopted on"), initial=timezone.localdate, widget=NativeDateInput()
    )
