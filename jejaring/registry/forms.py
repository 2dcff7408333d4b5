from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core.forms import NativeDateInput
from jejaring.core.widgets import FastCheckboxSelectMultiple, FastSelect
from jejaring.reference.models import PmksCategory
from jejaring.regions.fields import RegionCodeField

from .models import (
    PERSON_FIELDS,
    LifeStatus,
    Person,
    PersonAlias,
    PersonRelation,
    VerificationStatus,
)

# Rendered apart from the other fields, next to the NIK's error (registry/form.html).
UNVERIFIED_NIK_CHOICE = ("keep_unverified_nik", "nik_unverified_reason")


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
    rt = forms.CharField(
        label=_("RT"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "placeholder": "003"}),
    )
    rw = forms.CharField(
        label=_("RW"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "placeholder": "005"}),
    )
    kk_number = forms.CharField(
        label=_("Family card number (No. KK)"), required=False, max_length=30
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=NativeDateInput())
    categories = forms.ModelMultipleChoiceField(
        queryset=PmksCategory.objects.active(),
        required=False,
        widget=FastCheckboxSelectMultiple,
        label=_("PMKS categories"),
    )
    aliases = forms.CharField(
        label=_("Other names and street names"),
        required=False,
        help_text=_("Separated by commas."),
    )
    # Offered once the NIK fails a rule (the template shows them then): the person is
    # registered all the same, with the digits kept apart as an unverified NIK.
    keep_unverified_nik = forms.BooleanField(label=_("Save as an unverified NIK"), required=False)
    nik_unverified_reason = forms.CharField(
        label=_("Why the NIK cannot be verified now"),
        required=False,
        max_length=150,
        help_text=_('What you saw, e.g. "KTP rusak", "NIK dari KK lama".'),
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
        # The model allows a blank sex (an imported row that did not say); a worker at
        # the desk always records it.
        self.fields["sex"].required = True
        if not creating:
            del self.fields["categories"]
            del self.fields["aliases"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("keep_unverified_nik")
            and not (cleaned.get("nik_unverified_reason") or "").strip()
        ):
            self.add_error(
                "nik_unverified_reason",
                _("Say why the NIK cannot be verified now, e.g. what you saw on the card."),
            )
        return cleaned

    @property
    def offers_unverified_nik(self) -> bool:
        """Show the "save as unverified NIK" choice: the NIK failed, or it was chosen."""
        return bool(self.errors.get("nik")) or bool(
            self.is_bound and self.data.get("keep_unverified_nik")
        )

    def visible_person_fields(self):
        return [f for f in self.visible_fields() if f.name not in UNVERIFIED_NIK_CHOICE]

    def _post_clean(self):
        # Identity rules (NIK against birth date, sex and region) run in the action, once,
        # for every entry point; the ModelForm's own model validation would duplicate them.
        pass

    def alias_list(self) -> list[dict]:
        raw = self.cleaned_data.get("aliases") or ""
        return [{"name": n.strip()} for n in raw.split(",") if n.strip()]

    def person_data(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in self.Meta.fields}
        if self.cleaned_data.get("keep_unverified_nik"):
            data["nik_unverified_reason"] = self.cleaned_data["nik_unverified_reason"].strip()
        return data


class NikReplaceForm(forms.Form):
    nik = forms.CharField(
        label=_("Correct NIK, as printed on the card"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PersonCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=PmksCategory.objects.active(), label=_("Category"), widget=FastSelect
    )
    status = forms.ChoiceField(
        choices=VerificationStatus.choices, label=_("Verification"), widget=FastSelect
    )
    end_date = forms.DateField(label=_("Until"), required=False, widget=NativeDateInput())


# The person page's small forms: drawn with labels and ids of their own (several forms
# share the page). Their views hand the posted values to the action, which judges them.
class AliasForm(forms.Form):
    name = forms.CharField(label=_("Other name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of name"),
        choices=PersonAlias.Kind.choices,
        initial=PersonAlias.Kind.ALIAS,
        widget=FastSelect,
    )


class RelativeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Relation"), choices=PersonRelation.Kind.choices, widget=FastSelect
    )
    relative = forms.CharField(
        label=_("Record number of the relative"),
        help_text=_('Shown as "Record number" on the relative\'s page in the registry.'),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class LifeStatusForm(forms.Form):
    """Moved away, deceased, or living here again (undoing a mistaken mark). The action
    judges the combination; the form only draws the fields."""

    status = forms.ChoiceField(
        label=_("Living status"), choices=LifeStatus.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(
        label=_("Since"),
        required=False,
        widget=NativeDateInput(),
        help_text=_("The day they moved or died; an estimate is fine."),
    )
    moved_to = RegionCodeField(
        label=_("Moved to (region)"),
        required=False,
        help_text=_("Code or name of the regency, district or village, if known."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
