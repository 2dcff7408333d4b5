from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Region


def normalise_code(value: str) -> str:
    """Accept '3204', '32 04' or '32.04' for a regency code; codes are stored dotted."""
    value = (value or "").strip()
    if value and "." not in value and value.replace(" ", "").isdigit():
        digits = value.replace(" ", "")
        widths = (2, 2, 2, 4)
        parts, i = [], 0
        for width in widths:
            if i >= len(digits):
                break
            parts.append(digits[i : i + width])
            i += width
        value = ".".join(parts)
    return value.replace(" ", "")


def region_by_code(value: str) -> Region:
    code = normalise_code(value)
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise ValidationError(
            _("Unknown region code: %(code)s."), code="unknown_region", params={"code": value}
        ) from exc


class RegionCodeInput(forms.TextInput):
    """A text input that suggests regions by name or code as the person types (htmx)."""

    template_name = "regions/widgets/region_code.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})


class RegionCodeField(forms.Field):
    """A region typed as its Kemendagri code (a select of 91,000 villages would not do)."""

    widget = RegionCodeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Kemendagri code, e.g. 14.71 for Kota Pekanbaru."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Region):
            return value.code
        return value

    def to_python(self, value):
        value = str(value).strip()[:20] if value is not None else ""
        if value in self.empty_values:
            return None
        return region_by_code(value)


class RegionCodesField(forms.Field):
    """Several regions as codes separated by commas or spaces (a service area)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        return ", ".join(r.code if isinstance(r, Region) else str(r) for r in value)

    def to_python(self, value):
        value = str(value).strip() if value is not None else ""
        if not value:
            return []
        codes = [normalise_code(c) for c in value.replace(",", " ").split() if c.strip()]
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                _("Unknown region code: %(code)s."),
                code="unknown_region",
                params={"code": ", ".join(unknown)},
            )
        return [found[c] for c in dict.fromkeys(codes)]


class VillageInput(RegionCodeInput):
    """The region input for people who know their village by name, not by code: it
    suggests villages only, each with its district and regency."""

    template_name = "regions/widgets/village.html"


class VillageField(forms.Field):
    """A village (desa / kelurahan), typed by name or picked from the suggestions.

    A citizen types "Kampung Tengah"; the suggestions fill in the village's code. A name
    that only one village has is taken as that village; a name several share asks for a
    choice from the list."""

    widget = VillageInput

    def prepare_value(self, value):
        if isinstance(value, Region):
            return value.code
        return value

    def to_python(self, value):
        from .models import RegionLevel

        value = " ".join(str(value or "").split())[:120]
        if not value:
            return None
        code = normalise_code(value)
        if code.replace(".", "").isdigit():
            region = Region.objects.filter(code=code, level=RegionLevel.VILLAGE).first()
            if region is None:
                raise ValidationError(
                    _("No village has the code %(code)s."),
                    code="unknown_village",
                    params={"code": value},
                )
            return region
        matches = list(Region.objects.filter(level=RegionLevel.VILLAGE, name__iexact=value)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(
                _("Several villages are called %(name)s: choose yours from the list."),
                code="ambiguous_village",
                params={"name": value},
            )
        raise ValidationError(
            _(
                "No village called %(name)s was found: type part of the name and choose "
                "from the list."
            ),
            code="unknown_village",
            params={"name": value},
        )
