from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.core.forms import NativeDateInput
from jejaring.network.models import Organisation, OrganisationStatus

from ..models import Complaint, ComplaintCategory
from .reports import CodeForm


class OrganisationInput(forms.TextInput):
    """A text input that suggests the network's active offices and institutions by name
    as the person types (htmx), without script a name typed in full."""

    template_name = "public/widgets/organisation.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})


class OrganisationField(forms.Field):
    """An active organisation of the network, by its code (what a suggestion fills in)
    or its full name."""

    widget = OrganisationInput

    def prepare_value(self, value):
        return value.name if isinstance(value, Organisation) else value

    def to_python(self, value):
        typed = " ".join(str(value or "").split())[:200]
        if not typed:
            return None
        active = Organisation.objects.filter(status=OrganisationStatus.ACTIVE).select_related(
            "type"
        )
        found = active.filter(code=typed).first() or active.filter(name__iexact=typed).first()
        if found is None:
            raise forms.ValidationError(
                _(
                    "No office or institution of this name is on the network: type part of the "
                    "name and choose from the list."
                ),
                code="unknown_organisation",
            )
        return found


class ComplaintForm(forms.ModelForm):
    """A complaint, on a phone: about whom, what kind, what happened, and, only if the
    complainant wishes, who they are."""

    category = forms.ModelChoiceField(
        label=_("What is the complaint about?"),
        queryset=ComplaintCategory.objects.active(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    concerned_organisation = OrganisationField(
        label=_("Which office or institution?"),
        help_text=_("Type part of the name and choose from the list."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Complaint
        fields = [
            "category",
            "concerned_organisation",
            "subject",
            "description",
            "happened_on",
            "complainant_name",
            "complainant_contact",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "happened_on": NativeDateInput(),
        }
        help_texts = {
            "subject": _('In a few words, e.g. "Bantuan permakanan tidak diterima".'),
            "description": _("What happened, when and where, and who served you if you know."),
            "complainant_name": _("Optional. Only the office handling the complaint sees it."),
            "complainant_contact": _(
                "Optional, so the office can ask you more. Only the office handling the "
                "complaint sees it."
            ),
        }

    @property
    def is_trapped(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def complaint_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "website"}


class ComplaintTrackingForm(CodeForm):
    example = "PG-7K3QP-9XPAW"


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well does the answer settle your complaint?"),
        choices=[
            (5, _("5 — fully")),
            (4, _("4 — mostly")),
            (3, _("3 — partly")),
            (2, _("2 — hardly")),
            (1, _("1 — not at all")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the complainant"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("The complainant reads it with their code: say what was done, plainly."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the complaint is rejected"),
        max_length=300,
        help_text=_("The complainant reads it, e.g. not a service of this office."),
    )
