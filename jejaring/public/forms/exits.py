from django import forms
from django.utils.translation import gettext_lazy as _

from .complaints import OrganisationField


class ExitForm(forms.Form):
    """Another provider: which one, and why (optional)."""

    organisation = OrganisationField(
        label=_("Which provider do you choose?"),
        help_text=_("Type part of the name and choose from the list."),
    )
    reason = forms.CharField(
        label=_("Why another provider? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublicExitForm(ExitForm):
    kode = forms.CharField(
        label=_("Service code"),
        max_length=20,
        help_text=_("The code the office serving you gave you, e.g. LY-7K3QP-9XPAW."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    field_order = ["kode", "organisation", "reason"]
