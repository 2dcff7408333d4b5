from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from jejaring.regions.fields import RegionCodeField

from .models import ReportNotes, SpmServiceType
from .policies import check_manages


class ReportNotesForm(forms.ModelForm):
    class Meta:
        model = ReportNotes
        fields = [
            "office_name",
            "office_address",
            "head_name",
            "head_nip",
            "step_data_collection",
            "step_needs_calculation",
            "step_planning",
            "step_fulfilment",
            "problems",
            "follow_up",
        ]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields[4:]}


class TargetForm(forms.Form):
    """A region's target; the region must be one the user's office sets targets for."""

    region = RegionCodeField(label=_("Region"))
    year = forms.IntegerField(label=_("Year"))
    service_type = forms.ModelChoiceField(
        queryset=SpmServiceType.objects.filter(is_active=True), label=_("Service type")
    )
    target = forms.IntegerField(label=_("People to serve"), min_value=0, required=False)
    baseline = forms.IntegerField(label=_("Baseline"), min_value=0, required=False)
    source_note = forms.CharField(label=_("Source (data collection)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_region(self):
        # The action refuses another region's target too (403 through the API); here
        # the refusal goes on the field, keeping what the person typed.
        region = self.cleaned_data["region"]
        try:
            check_manages(self.user, region)
        except PermissionDenied as exc:
            raise forms.ValidationError(str(exc), code="not_managed") from exc
        return region
