from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core import clock
from jejaring.core.forms import NativeDateInput
from jejaring.core.widgets import FastCheckboxSelectMultiple, FastSelect
from jejaring.reference.models import PmksCategory

from .models import (
    CaseState,
    ClosingReason,
    Consent,
    ServiceType,
    next_states,
    usual_next_state,
)


class OpenCaseForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=PmksCategory.objects.active(), label=_("Category"), widget=FastSelect
    )
    state = forms.ChoiceField(
        choices=[
            (CaseState.REGISTERED, CaseState.REGISTERED.label),
            (CaseState.REPORTED, CaseState.REPORTED.label),
        ],
        label=_("Starts as"),
        widget=FastSelect,
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StateField(forms.ChoiceField):
    """Offers the moves allowed now but accepts any state: a move that is no longer
    allowed (a page left open while a colleague moved the case on) is the action's to
    refuse, in its own words, with the form kept."""

    def valid_value(self, value) -> bool:
        return value in CaseState.values


class TransitionForm(forms.Form):
    """The "Move to" choices: only the states the case may go to from where it is (the one table,
    ``models.TRANSITIONS``, that the action checks too), the usual next step first chosen.
    The closing reason is asked for only when the case is being closed (the page hides
    the field for other states; without that, its hint says so)."""

    state = StateField(choices=CaseState.choices, label=_("Move to"), widget=FastSelect)
    closing_reason = forms.ChoiceField(
        choices=[("", "—"), *ClosingReason.choices],
        required=False,
        label=_("Closing reason"),
        help_text=_("Only when the case is closed."),
        widget=FastSelect,
    )
    note = forms.CharField(required=False, label=_("Note"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", case.version)
        allowed = next_states(case.state)
        usual = usual_next_state(case.state)
        if usual in allowed:
            kwargs["initial"].setdefault("state", usual)
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(s.value, s.label) for s in allowed]


class NeedsForm(forms.Form):
    needs = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.active(),
        widget=FastCheckboxSelectMultiple,
        label=_("Services needed"),
    )


class ServiceForm(forms.Form):
    service_type = forms.ModelChoiceField(
        queryset=ServiceType.objects.active(), label=_("Service"), widget=FastSelect
    )
    delivered_on = forms.DateField(
        label=_("Date"), initial=clock.localdate, widget=NativeDateInput()
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    met_standard = forms.BooleanField(label=_("Met the standard"), required=False, initial=True)
    evidence = forms.CharField(label=_("Evidence"), required=False)


class ReferralForm(forms.Form):
    # Filled by the view from the suggestion radios or the "other organisation" select.
    to_organisation = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose an organisation to refer to."),
            "invalid": _("Choose an organisation to refer to."),
        },
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    services = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.active(),
        required=False,
        label=_("Services asked for"),
        widget=FastCheckboxSelectMultiple,
    )
    deadline = forms.DateField(label=_("Respond by"), required=False, widget=NativeDateInput())


class ConsentForm(forms.Form):
    given_by_name = forms.CharField(label=_("Given by (name)"))
    given_by = forms.ChoiceField(
        choices=Consent.Giver.choices, label=_("Relation"), widget=FastSelect
    )
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 2}))
    given_on = forms.DateField(
        label=_("Date given"),
        initial=clock.localdate,
        widget=NativeDateInput(),
    )
