"""Identity rules that hold wherever a person is entered (page, API, import)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jejaring.core import text as free_text
from jejaring.regions.models import Region

from . import nik as nik_rules
from .models import BirthDatePrecision


def validate_identity(data: dict) -> dict:
    """Check NIK, KK and birth date together; return the cleaned values.

    Raises ValidationError keyed by field with the precise reason for each problem.
    """
    cleaned = dict(data)
    # Names of only spaces or zero-width characters, and megabyte addresses, are refused.
    errors: dict[str, list] = free_text.text_errors(
        cleaned,
        names=("full_name",),
        optional_names=("mother_name", "father_name", "guardian_name"),
        short=("address", "disability"),
    )
    birth_date = data.get("birth_date")
    precision = data.get("birth_date_precision") or BirthDatePrecision.EXACT
    if birth_date and birth_date > timezone.localdate():
        errors.setdefault("birth_date", []).append(_("A birth date cannot be in the future."))
    if birth_date and birth_date < datetime.date(1900, 1, 1):
        errors.setdefault("birth_date", []).append(_("A birth date before 1900 is not possible."))

    raw_nik = data.get("nik") or ""
    if raw_nik.strip():
        try:
            parts = nik_rules.parse(raw_nik)
            codes = set(
                Region.objects.filter(
                    code__in=[parts.province, parts.regency, parts.district]
                ).values_list("code", flat=True)
            )
            nik_rules.check_region(parts, codes)
            nik_rules.check_agrees(
                parts,
                None if "birth_date" in errors else birth_date,
                data.get("sex"),
                birth_date_exact=precision == BirthDatePrecision.EXACT,
            )
            cleaned["nik"] = parts.nik
        except ValidationError as exc:
            errors.setdefault("nik", []).extend(exc.messages)
    else:
        cleaned["nik"] = ""

    raw_kk = data.get("kk_number") or ""
    if raw_kk.strip():
        try:
            cleaned["kk_number"] = nik_rules.validate_kk(raw_kk)
        except ValidationError as exc:
            errors.setdefault("kk_number", []).extend(exc.messages)
    else:
        cleaned["kk_number"] = ""
    if errors:
        raise ValidationError(errors)
    return cleaned
