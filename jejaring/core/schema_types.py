"""Field types shared by the API schemas: the same rules as the forms, in one place.

Use them instead of bare ``str``/``int`` where the value is free text, a name or a
year, so that every operation refuses the same bad input with the same message
(answered 422 by ``jejaring.core.api_errors``) instead of failing in the database.
"""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field

from . import text

FIRST_YEAR = 2000
LAST_YEAR = 2100


def _not_bool(value):
    # pydantic's lax mode reads true/false as 1/0; a year of "false" is a mistake.
    if isinstance(value, bool):
        raise ValueError(_("Enter a year as a whole number, e.g. 2025."))
    return value


def _no_nul(value: str) -> str:
    if text.has_nul(value):
        raise ValueError(_("Text may not contain NUL characters (invisible character code 0)."))
    return value


def _name(value: str) -> str:
    try:
        return text.clean_name(_no_nul(value))
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


Year = Annotated[
    int,
    BeforeValidator(_not_bool),
    Field(ge=FIRST_YEAR, le=LAST_YEAR, description="A year, e.g. 2025"),
]
# Any text without NUL characters (PostgreSQL cannot store them).
CleanStr = Annotated[str, AfterValidator(_no_nul)]
# A name: zero-width characters and surrounding spaces removed, never empty.
Name = Annotated[str, Field(max_length=text.NAME_MAX + 50), AfterValidator(_name)]
# An address or other one-paragraph text.
ShortText = Annotated[str, Field(max_length=text.SHORT_TEXT_MAX), AfterValidator(_no_nul)]
# Notes, reasons, descriptions.
LongText = Annotated[str, Field(max_length=text.LONG_TEXT_MAX), AfterValidator(_no_nul)]
