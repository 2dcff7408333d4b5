from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.forms import NativeDateInput
from jejaring.reference.models import PmksCategory

from .models import CaseState, ClosingReason, Consent, ServiceType


class OpenCaseForm(forms.Form):
    category = forms.ModelChoiceField(queryset=PmksCategory.objects.active(), label=_("Category"))
    state = forms.ChoiceField(
        choices=[
            (CaseState.REGISTERED, CaseState.REGISTERED.label),
            (CaseState.REPORTED, CaseState.REPORTED.label),
        ],
        label=_("Starts as"),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransitionForm(forms.Form):
    state = forms.ChoiceField(choices=CaseState.choices, label=_("Move to"))
    closing_reason = forms.ChoiceField(
        choices=[("", "—"), *ClosingReason.choices], required=False, label=_("Closing reason")
    )
    note = forms.CharField(required=False, label=_("Note"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class NeedsForm(forms.Form):
    needs = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Services needed"),
    )


class ServiceForm(forms.Form):
    service_type = forms.ModelChoiceField(queryset=ServiceType.objects.active(), label=_("Service"))
    delivered_on = forms.DateField(
        label=_("Date"), initial=clock.localdate, widget=NativeDateInput()
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    met_standard = forms.BooleanField(label=_("Met the standard"), required=False, initial=True)
    evidence = forms.CharField(label=_("Evidence"), required=False)


class ReferralForm(forms.Form):
    to_organisation = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    services = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.active(),
        required=False,
        label=_("Services asked for"),
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(label=_("Respond by"), required=False, widget=NativeDateInput())


class ConsentForm(forms.Form):
    given_by_name = forms.CharField(label=_("Given by (name)"))
    given_by = forms.ChoiceField(choices=Consent.Giver.choices, label=_("Relation"))
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 2}))
    given_on = forms.DateField(
        label=_("Date given"),
        initial=clock.localdate,
        widget=NativeDateInput(),
    )
