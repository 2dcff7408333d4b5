"""Identity rules that hold wherever a person is entered (page, API, import)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jejaring.core import text as free_text
from jejaring.regions.models import Region

from . import addresses
from . import nik as nik_rules
from .models import BirthDatePrecision

# Model field sizes (Person.nik_unverified, Person.nik_unverified_reason).
UNVERIFIED_MAX = 32
REASON_MAX = 300


def nik_failure(
    raw_nik: str, birth_date, sex, *, birth_date_exact: bool = True
) -> ValidationError | None:
    """Why this NIK fails the rules for a person with this birth date and sex, or None.

    The error is returned, not its text, so each caller renders it in the language it
    needs (the page's, or the stored reason's)."""
    try:
        parts = nik_rules.parse(raw_nik)
        codes = set(
            Region.objects.filter(
                code__in=[parts.province, parts.regency, parts.district]
            ).values_list("code", flat=True)
        )
        nik_rules.check_region(parts, codes)
        nik_rules.check_agrees(parts, birth_date, sex, birth_date_exact=birth_date_exact)
    except ValidationError as exc:
        return exc
    return None


def unverified_reason(failure: ValidationError, given_reason: str) -> str:
    """The stored reason: the rule's message and what the worker saw, in the users'
    language (Indonesian) whatever the language of the request that stored it."""
    with translation.override(settings.LANGUAGE_CODE):
        rule = " ".join(failure.messages)
        suffix = " " + _("Reason given: %(reason)s") % {"reason": given_reason}
    room = REASON_MAX - len(suffix)
    if len(rule) > room:
        rule = rule[: max(room - 1, 0)] + "…"
    return (rule + suffix)[:REASON_MAX]


def validate_identity(data: dict) -> dict:
    """Check NIK, KK and birth date together; return the cleaned values.

    Raises ValidationError keyed by field with the precise reason for each problem. A
    NIK that fails a rule is refused, unless ``data["nik_unverified_reason"]`` says why
    the worker keeps it: then ``nik`` is empty and the cleaned values carry
    ``nik_unverified`` and ``nik_unverified_reason`` (those keys are absent otherwise,
    so an edit that does not touch the NIK leaves a stored unverified NIK alone).
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

    # The worker's reason for keeping a NIK that fails a rule (page, API): only ever
    # stored combined with the rule's message, below.
    given_reason = str(cleaned.pop("nik_unverified_reason", "") or "").strip()
    raw_nik = data.get("nik") or ""
    cleaned["nik"] = ""
    if raw_nik.strip():
        failure = nik_failure(
            raw_nik,
            None if "birth_date" in errors else birth_date,
            data.get("sex"),
            birth_date_exact=precision == BirthDatePrecision.EXACT,
        )
        if failure is None:
            cleaned["nik"] = nik_rules.clean_number(raw_nik)
        elif given_reason:
            # Kept as an unverified NIK, never in ``nik``: the person exists all the same,
            # and the digits are there to be verified against the card later.
            cleaned["nik_unverified"] = nik_rules.clean_number(raw_nik)[:UNVERIFIED_MAX]
            cleaned["nik_unverified_reason"] = unverified_reason(failure, given_reason)
        else:
            errors.setdefault("nik", []).extend(failure.messages)

    raw_kk = data.get("kk_number") or ""
    if raw_kk.strip():
        try:
            cleaned["kk_number"] = nik_rules.validate_kk(raw_kk)
        except ValidationError as exc:
            errors.setdefault("kk_number", []).extend(exc.messages)
    else:
        cleaned["kk_number"] = ""
    for field, label in (("rt", "RT"), ("rw", "RW")):
        if field in data:
            try:
                cleaned[field] = addresses.normalise(data.get(field), label)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned
