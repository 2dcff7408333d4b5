from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.reference.models import PmksCategory
from jejaring.regions.fields import RegionCodeField, RegionCodesField

from .models import Organisation, OrganisationContact, OrganisationType


class OrganisationForm(forms.ModelForm):
    home_region = RegionCodeField(label=_("Home region"))
    service_area = RegionCodesField(
        label=_("Service area"),
        required=False,
        help_text=_("Region codes separated by commas, e.g. 14.71, 14.06."),
    )
    pmks_categories = forms.ModelMultipleChoiceField(
        queryset=PmksCategory.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("PMKS categories handled"),
    )
    type = forms.ModelChoiceField(queryset=OrganisationType.objects.active(), label=_("Type"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    # The version the editor read (optimistic locking); not a field of the organisation's.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "type",
            "sector",
            "level",
            "home_region",
            "service_area",
            "pmks_categories",
            "beds",
            "certified_social_workers",
            "uncertified_social_workers",
            "volunteers",
            "address",
            "phone",
            "email",
            "website",
            "status",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    CAPACITY_FIELDS = (
        "beds",
        "certified_social_workers",
        "uncertified_social_workers",
        "volunteers",
    )

    def __init__(self, *args, allowed_statuses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        for name in self.CAPACITY_FIELDS:
            # Left empty means none: a small LKS should not have to type four zeros.
            self.fields[name].required = False
        if allowed_statuses is not None:
            self.fields["status"].choices = [
                c for c in self.fields["status"].choices if c[0] in allowed_statuses
            ]

    def clean(self):
        cleaned = super().clean()
        for name in self.CAPACITY_FIELDS:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0
        return cleaned

    def changes(self) -> dict:
        """The organisation's fields the editor changed (the version is not one)."""
        return {f: self.cleaned_data[f] for f in self.changed_data if f != "version"}


class ContactForm(forms.ModelForm):
    class Meta:
        model = OrganisationContact
        fields = ["name", "position", "phone", "email", "is_primary"]
