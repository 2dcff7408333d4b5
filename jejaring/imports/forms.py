from django import forms
from django.utils.translation import gettext_lazy as _

from . import columns


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or Excel .xlsx)"),
        help_text=_("A table with a header row: Nama, NIK, No KK, Tgl Lahir, Jenis Kelamin, …"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


class MappingForm(forms.Form):
    """One choice per column of the file: which field it holds."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=columns.field_choices(),
                required=False,
                # The "No" column is recognised as not imported: shown as the empty choice.
                initial="" if mapping.get(header) == columns.IGNORE else mapping.get(header, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"col_{index}") or ""
            for index, header in enumerate(self.headers)
        }


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("merged", _("Same person: merge")), ("kept_apart", _("Different people"))]
    )


class UnusedColumnsForm(forms.Form):
    """A field for each column nothing reads yet, after the check: the officer maps what
    was missed, and the check runs again (through the same mapping action)."""

    def __init__(self, *args, columns_left: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns_left = columns_left
        for index, header in enumerate(columns_left):
            self.fields[f"unused_{index}"] = forms.ChoiceField(
                label=header, choices=columns.field_choices(), required=False
            )

    def mapping(self) -> dict[str, str]:
        return {
            header: code
            for index, header in enumerate(self.columns_left)
            if (code := self.cleaned_data.get(f"unused_{index}"))
        }
