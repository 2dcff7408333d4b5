"""The Indonesian national identity number (NIK) and family card number (No. KK).

A NIK has 16 digits: province (2) + regency (2) + district (2) + birth date as DDMMYY,
where women add 40 to the day, + a serial (4). Validation gives the precise reason a
NIK is wrong, because the person at the desk must be able to fix it from the card.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NIK_LENGTH = 16
SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class NikParts:
    nik: str
    province: str
    regency: str
    district: str
    day: int
    month: int
    year_2: int
    is_female: bool
    serial: str

    def birth_date(self, century_hint: int | None = None) -> datetime.date:
        """The birth date; the century is the one that makes the person not yet born
        in the future (NIKs carry two-digit years)."""
        today = datetime.date.today()
        year = (century_hint or 2000) + self.year_2
        if century_hint is None and year > today.year:
            year -= 100
        return datetime.date(year, self.month, self.day)


def clean_number(value: str) -> str:
    """Strip the spaces, dots and dashes people type or spreadsheets add."""
    return SEPARATORS.sub("", str(value or "").strip())


def parse(value: str) -> NikParts:
    """Parse a NIK's structure, raising ValidationError with the precise reason."""
    nik = clean_number(value)
    # isascii(): "²".isdigit() is True in Python, but it is no digit of a NIK.
    if not (nik.isascii() and nik.isdigit()):
        raise ValidationError(_("A NIK contains digits only."), code="nik_not_digits")
    if len(nik) != NIK_LENGTH:
        raise ValidationError(
            _("A NIK has 16 digits; this one has %(n)d."),
            code="nik_length",
            params={"n": len(nik)},
        )
    day_field, month, year_2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    is_female = day_field > 40
    day = day_field - 40 if is_female else day_field
    parts = NikParts(
        nik=nik,
        province=nik[0:2],
        regency=f"{nik[0:2]}.{nik[2:4]}",
        district=f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
        day=day,
        month=month,
        year_2=year_2,
        is_female=is_female,
        serial=nik[12:16],
    )
    try:
        parts.birth_date()
        # 29 February needs a leap year in at least one candidate century.
    except ValueError:
        try:
            parts.birth_date(century_hint=1900)
        except ValueError as exc:
            raise ValidationError(
                _("Digits 7 to 12 of the NIK are not a possible birth date (%(ddmmyy)s)."),
                code="nik_impossible_date",
                params={"ddmmyy": nik[6:12]},
            ) from exc
    if parts.serial == "0000":
        raise ValidationError(_("The last four digits of a NIK cannot be 0000."), code="nik_serial")
    return parts


def check_region(parts: NikParts, known_codes: set[str]) -> None:
    """The NIK's region prefix must be a known province, regency and district."""
    for code, message in (
        (parts.province, _("The NIK starts with an unknown province code (%(code)s).")),
        (parts.regency, _("The NIK has an unknown regency/city code (%(code)s).")),
        (parts.district, _("The NIK has an unknown district code (%(code)s).")),
    ):
        if code not in known_codes:
            raise ValidationError(message, code="nik_unknown_region", params={"code": code})


def check_agrees(
    parts: NikParts,
    birth_date: datetime.date | None,
    sex: str | None,
    *,
    birth_date_exact: bool = True,
) -> None:
    """The NIK's birth-date part must agree with the recorded birth date and sex."""
    errors = []
    if sex in ("F", "M") and parts.is_female != (sex == "F"):
        errors.append(
            ValidationError(
                _(
                    "The NIK's day of birth is %(day)s, which means %(nik_sex)s, but the person "
                    "is recorded as %(sex)s (women add 40 to the day)."
                ),
                code="nik_sex",
                params={
                    "day": parts.nik[6:8],
                    "nik_sex": _("female") if parts.is_female else _("male"),
                    "sex": _("female") if sex == "F" else _("male"),
                },
            )
        )
    if birth_date is not None:
        same_year = parts.year_2 == birth_date.year % 100
        same_date = same_year and (parts.day, parts.month) == (birth_date.day, birth_date.month)
        if (birth_date_exact and not same_date) or (not birth_date_exact and not same_year):
            errors.append(
                ValidationError(
                    _("The NIK says born %(nik_date)s, but the birth date is %(date)s."),
                    code="nik_birth_date",
                    params={
                        "nik_date": f"{parts.day:02d}-{parts.month:02d}-{parts.year_2:02d}",
                        "date": birth_date.strftime("%d-%m-%Y"),
                    },
                )
            )
    if errors:
        raise ValidationError(errors)


def validate_kk(value: str) -> str:
    """A family card number: 16 digits, region prefix like a NIK's."""
    number = clean_number(value)
    if not (number.isascii() and number.isdigit()) or len(number) != NIK_LENGTH:
        raise ValidationError(_("A family card number (No. KK) has 16 digits."), code="kk_format")
    return number


def mask(nik: str | None) -> str:
    """'3204051203900001' → '320405••••••0001': region and serial, never the birth date."""
    if not nik:
        return ""
    return f"{nik[:6]}{'•' * 6}{nik[-4:]}"


def mask_unverified(value: str | None) -> str:
    """An unverified NIK masked as ``mask`` masks a NIK: region and serial, never the
    birth-date digits. Its length is not known to be 16 (Excel drops the last digit), so
    only where it has 16 characters is the serial where ``mask`` expects it; otherwise
    everything after the region is hidden, since the last four could be date digits."""
    if not value:
        return ""
    if len(value) == NIK_LENGTH:
        return mask(value)
    if len(value) <= 10:
        return "•" * len(value)
    return f"{value[:6]}{'•' * (len(value) - 6)}"
