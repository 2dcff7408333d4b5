"""RT and RW: the two levels below the village (Rukun Tetangga, Rukun Warga) that every
Indonesian address names and every village officer and cadre works by.

Stored as three digits ("003"), as the KTP and the KK print them, so "3", "03" and "003"
are one RT for search and lists. ``parse_rt_rw`` reads the ways a form, a spreadsheet or
an address line writes them: "003/005", "3/5", "RT 3 RW 5", "RT.003/RW.005", "Rt 03 Rw 05",
"RT/RW 003/005".
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Permendagri 18/2018 sets no upper bound; three digits is what the KTP prints.
LARGEST = 999

_NUMBER = re.compile(r"^\s*(?:no\.?\s*)?0*(\d{1,3})\s*$", re.IGNORECASE)
# "RT 003 / RW 005", "RT.3 RW.5", "rt:03,rw:05" — in an address line or alone.
_LABELLED = re.compile(
    r"\bRT\s*[.:]?\s*0*(\d{1,3})\b\s*[/,;-]?\s*\bRW\s*[.:]?\s*0*(\d{1,3})\b", re.IGNORECASE
)
# "RT/RW 003/005": how an import kept a column headed RT/RW in the address line.
_COMBINED = re.compile(r"\bRT\s*/\s*RW\s*[.:]?\s*0*(\d{1,3})\s*/\s*0*(\d{1,3})\b", re.IGNORECASE)
# "003/005", "3 / 5", "03-05": a column headed RT/RW.
_PAIR = re.compile(r"^\s*0*(\d{1,3})\s*[/\\,;.\- ]\s*0*(\d{1,3})\s*$")


def normalise(value, label: str) -> str:
    """One RT or RW as three digits; "" for nothing. Raises ValidationError in the
    user's language for anything else ("RT harus angka 1 sampai 999")."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    if isinstance(value, float) and value.is_integer():  # a spreadsheet's 3.0
        text = str(int(value))
    text = re.sub(rf"^{label}\s*[.:]?\s*", "", text, flags=re.IGNORECASE)
    match = _NUMBER.match(text)
    number = int(match.group(1)) if match else 0
    if not 1 <= number <= LARGEST:
        raise ValidationError(
            _("%(label)s must be a number from 1 to %(largest)s, as on the KTP (e.g. 003).")
            % {"label": label, "largest": LARGEST},
            code="invalid_rt_rw",
        )
    return f"{number:03d}"


def parse_rt_rw(text: str) -> tuple[str, str] | None:
    """(RT, RW) from a combined value or an address line, or None when it names none."""
    if not text:
        return None
    match = _LABELLED.search(text) or _COMBINED.search(text) or _PAIR.match(text)
    if match is None:
        return None
    rt, rw = (int(group) for group in match.groups())
    if not (1 <= rt <= LARGEST and 1 <= rw <= LARGEST):
        return None
    return f"{rt:03d}", f"{rw:03d}"


def label(rt: str, rw: str) -> str:
    """ "RT 003/RW 005" for lists and pages; "" when neither is known."""
    if not rt and not rw:
        return ""
    return f"RT {rt or '—'}/RW {rw or '—'}"
