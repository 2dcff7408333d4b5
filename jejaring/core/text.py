"""Free text as people type it: invisible characters removed, lengths bounded.

One place for what every entry point (page form, API schema, import, middleware)
accepts as text, so a name of only spaces or zero-width characters, or a 2 MB
address, is refused the same way everywhere.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Zero-width space, non-joiner and joiner, word joiner, and the byte-order mark: they
# show as nothing, so a name made of them looks empty yet passes a length check.
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

NAME_MAX = 200
# An address, a position, a short description: one or a few lines.
SHORT_TEXT_MAX = 1_000
# Notes, reasons, report sections: a few pages at most. Also the cap the middleware
# applies to every text value of a request (jejaring.core.middleware.InputGuardMiddleware).
LONG_TEXT_MAX = 20_000


def visible(value: str | None) -> str:
    """The text without zero-width characters and surrounding white space."""
    return ZERO_WIDTH.sub("", value or "").strip()


def clean_name(value: str | None, *, min_length: int = 1, max_length: int = NAME_MAX) -> str:
    """A person's or an organisation's name: visible characters, inner spaces collapsed.

    Raises ValidationError (without a field key; callers key it) when nothing visible
    is left or the name is too short or too long.
    """
    name = " ".join(visible(value).split())
    if not name:
        raise ValidationError(_("Enter a name: it cannot be empty or only spaces."))
    if len(name) < min_length:
        raise ValidationError(_("Too short: at least %(min)s characters.") % {"min": min_length})
    if len(name) > max_length:
        raise ValidationError(_("Too long: at most %(max)s characters.") % {"max": max_length})
    return name


def check_length(value: str | None, max_length: int) -> str:
    """Refuse text longer than ``max_length``; return it unchanged otherwise."""
    value = value or ""
    if len(value) > max_length:
        raise ValidationError(
            _("Too long: %(length)s characters; at most %(max)s.")
            % {
                "length": number_format(len(value), force_grouping=True),
                "max": number_format(max_length, force_grouping=True),
            }
        )
    return value


def has_nul(value: str) -> bool:
    return "\x00" in value


def text_errors(
    data: dict,
    *,
    names: tuple[str, ...] = (),
    optional_names: tuple[str, ...] = (),
    short: tuple[str, ...] = (),
    long: tuple[str, ...] = (),
) -> dict[str, list[str]]:
    """Clean the named fields of ``data`` in place; return the problems by field.

    Only fields present in ``data`` are looked at, so a partial update (PATCH) checks
    what it changes. ``names`` must be non-empty; ``optional_names`` may be empty.
    """
    errors: dict[str, list[str]] = {}
    for field in names + optional_names:
        if field not in data or data[field] is None:
            continue
        if field in optional_names and not visible(data[field]):
            data[field] = ""
            continue
        try:
            data[field] = clean_name(data[field])
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    for fields, max_length in ((short, SHORT_TEXT_MAX), (long, LONG_TEXT_MAX)):
        for field in fields:
            if data.get(field) is None:
                continue
            try:
                data[field] = check_length(data[field], max_length)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
    return errors


def clean_text_fields(data: dict, **kinds) -> dict:
    """``text_errors`` that raises ValidationError keyed by field; returns ``data``."""
    errors = text_errors(data, **kinds)
    if errors:
        raise ValidationError(errors)
    return data
