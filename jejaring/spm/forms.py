from django import forms

from .models import ReportNotes


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
