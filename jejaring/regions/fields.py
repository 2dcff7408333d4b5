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


class RegionCodeField(forms.CharField):
    """A region typed as its Kemendagri code (a select of 91,000 villages would not do)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("Kemendagri code, e.g. 14.71 for Kota Pekanbaru."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Region):
            return value.code
        return super().prepare_value(value)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return region_by_code(value)


class RegionCodesField(forms.CharField):
    """Several regions as codes separated by commas or spaces (a service area)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, list | tuple) or hasattr(value, "__iter__") and not isinstance(
            value, str
        ):
            return ", ".join(r.code if isinstance(r, Region) else str(r) for r in value)
        return super().prepare_value(value)

    def to_python(self, value):
        value = super().to_python(value)
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
