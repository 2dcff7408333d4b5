from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from jejaring.regions.fields import VillageField
from jejaring.regions.models import Region, RegionLevel

from ..models import ClosingOutcome, PublicReport, ReportPhoto, ReportTopic


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos; each is checked by the action like every other upload."""

    widget = PhotosInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


class CoordinateField(forms.CharField):
    """A coordinate the phone filled in (never the person): one that does not read as a
    number in range is left out, and the report is kept without it."""

    widget = forms.HiddenInput

    def __init__(self, *, limit: int, **kwargs):
        self.limit = limit
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        import decimal

        text = super().to_python(value)[:40]
        try:
            number = decimal.Decimal(text).quantize(decimal.Decimal("0.000001"))
        except (decimal.InvalidOperation, ValueError):
            return None
        return number if number.is_finite() and abs(number) <= self.limit else None


class PublicReportForm(forms.ModelForm):
    """The citizen's report, on a phone: what, where, what they saw, and, only if they
    wish, who they are."""

    topic = forms.ModelChoiceField(
        label=_("What do you want to report?"),
        queryset=ReportTopic.objects.active().select_related("category"),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    region = VillageField(
        label=_("Village or kelurahan"),
        help_text=_("Type part of the name and choose from the list."),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 3 photos, JPG or PNG, 5 MB each."),
        widget=PhotosInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    latitude = CoordinateField(limit=90)
    longitude = CoordinateField(limit=180)
    # A field people never see (hidden by the style sheet) but form-filling scripts do:
    # a report that fills it is dropped without a word.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = PublicReport
        fields = [
            "topic",
            "region",
            "place",
            "description",
            "person_name",
            "reporter_name",
            "reporter_contact",
            "latitude",
            "longitude",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "description": _("What the person needs, how they look, since when they are there."),
            "reporter_name": _("Optional. Only the office handling the report sees it."),
            "reporter_contact": _(
                "Optional, so the worker can ask you the way. Only the office handling the "
                "report sees it."
            ),
        }

    @cached_property
    def village_choices(self) -> list[Region]:
        """The villages a typed name could mean, offered as a choice when it means
        several: without script the suggestions list never opens."""
        if not self.is_bound or "region" not in self.errors:
            return []
        typed = " ".join(str(self.data.get("region", "")).split())[:120]
        if len(typed) < 3:
            return []
        return list(
            Region.objects.filter(level=RegionLevel.VILLAGE, name__icontains=typed)
            .select_related("parent__parent")
            .order_by("name", "code")[:12]
        )

    @property
    def is_trapped(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def report_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("photos", "website")}


MAX_PHOTOS = ReportPhoto.MAX_COUNT


class CodeForm(forms.Form):
    """The tracking code a citizen types back (a report's, a complaint's, a survey's)."""

    kode = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    example = "LM-7K3QP-9XPAW"
    label = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["kode"]
        field.help_text = _("The code you were given, e.g. %(example)s.") % {
            "example": self.example
        }
        if self.label:
            field.label = self.label


class TrackingForm(CodeForm):
    example = "LM-7K3QP-9XPAW"


class CloseReportForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Why does the report end without a case?"),
        choices=ClosingOutcome.choices,
        widget=forms.RadioSelect,
    )
