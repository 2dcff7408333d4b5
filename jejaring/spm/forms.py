from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.regions.fields import RegionCodeField

from .models import ReportNotes, SpmServiceType


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
    region = RegionCodeField(label=_("Region"))
    year = forms.IntegerField(label=_("Year"))
    service_type = forms.ModelChoiceField(
        queryset=SpmServiceType.objects.filter(is_active=True), label=_("Service type")
    )
    target = forms.IntegerField(label=_("People to serve"), min_value=0, required=False)
    baseline = forms.IntegerField(label=_("Baseline"), min_value=0, required=False)
    source_note = forms.CharField(label=_("Source (data collection)"), required=False)
