from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core.forms import NativeDateInput
from jejaring.reference.models import PmksCategory
from jejaring.regions.fields import RegionCodeField

from .models import PERSON_FIELDS, Person, VerificationStatus


class PersonForm(forms.ModelForm):
    region = RegionCodeField(
        label=_("Village / kelurahan of residence"),
        required=False,
        help_text=_("Village code, or type a name to pick one."),
    )
    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=30,
        help_text=_("16 digits. Leave empty if the person has no NIK yet."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kk_number = forms.CharField(
        label=_("Family card number (No. KK)"), required=False, max_length=30
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=NativeDateInput())
    categories = forms.ModelMultipleChoiceField(
        queryset=PmksCategory.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("PMKS categories"),
    )
    aliases = forms.CharField(
        label=_("Other names and street names"),
        required=False,
        help_text=_("Separated by commas."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "disability": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["categories"]
            del self.fields["aliases"]

    def _post_clean(self):
        # Identity rules (NIK against birth date, sex and region) run in the action, once,
        # for every entry point; the ModelForm's own model validation would duplicate them.
        pass

    def alias_list(self) -> list[dict]:
        raw = self.cleaned_data.get("aliases") or ""
        return [{"name": n.strip()} for n in raw.split(",") if n.strip()]

    def person_data(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.Meta.fields}


class PersonCategoryForm(forms.Form):
    category = forms.ModelChoiceField(queryset=PmksCategory.objects.active(), label=_("Category"))
    status = forms.ChoiceField(choices=VerificationStatus.choices, label=_("Verification"))
    end_date = forms.DateField(label=_("Until"), required=False, widget=NativeDateInput())
