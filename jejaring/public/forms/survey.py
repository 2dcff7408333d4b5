from django import forms
from django.utils.translation import gettext_lazy as _

from jejaring.cases.models import ServiceType
from jejaring.core.widgets import FastSelect

from .reports import CodeForm


class SurveyAnswersForm(forms.Form):
    """The nine questions, each with its four answers in the regulation's words (built
    from the active ``SurveyElement`` rows), and a suggestion."""

    def __init__(self, *args, elements, **kwargs):
        super().__init__(*args, **kwargs)
        for element in elements:
            self.fields[element.code] = forms.TypedChoiceField(
                label=element.question,
                choices=element.answers(),
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
            )
        self.fields["suggestion"] = forms.CharField(
            label=_("Your suggestion for this office (optional)"),
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.elements = list(elements)

    def scores(self) -> dict:
        return {
            e.code: self.cleaned_data[e.code]
            for e in self.elements
            if self.cleaned_data.get(e.code) not in (None, "")
        }


class SurveyCodeForm(CodeForm):
    example = "SK-7K3QP-9XPAW"
    label = _("Survey code")


class InvitationForm(forms.Form):
    service_type = forms.ModelChoiceField(
        label=_("The service given (optional)"),
        queryset=ServiceType.objects.active(),
        required=False,
        widget=FastSelect,
        empty_label=_("Any service of the office"),
    )
