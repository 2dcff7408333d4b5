"""API error bodies in the user's language, and never a 500 for bad input.

ninja's defaults answer in English ("Unauthorized", pydantic's messages). Here every
error body is ``{"detail": ...}``; validation errors list each field with a message
translated for the common cases, keeping pydantic's ``type`` for programs.
"""

import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError


def _messages() -> dict[str, str]:
    return {
        "missing": _("This field is required."),
        "string_type": _("Enter text."),
        "string_too_long": _("Too long: at most {max_length} characters."),
        "string_too_short": _("Too short: at least {min_length} characters."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "greater_than_equal": _("Must be at least {ge}."),
        "less_than_equal": _("Must be at most {le}."),
        "bool_parsing": _("Enter true or false."),
        "list_type": _("Enter a list."),
        "enum": _("Choose one of: {expected}."),
        "literal_error": _("Choose one of: {expected}."),
        "value_error": "{error}",
        "extra_forbidden": _("Unknown field."),
        "json_invalid": _("The request body is not valid JSON."),
        "model_attributes_type": _("Send a JSON object."),
        "dict_type": _("Send a JSON object."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
    }


def _translate(error: dict) -> str:
    template = _messages().get(error.get("type", ""))
    if template is None:
        return error.get("msg", "")
    ctx = {k: v for k, v in (error.get("ctx") or {}).items()}
    if "error" in ctx:
        ctx["error"] = str(ctx["error"])
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return error.get("msg", "")


def field_errors(errors: list[dict]) -> list[dict]:
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])]
        # ("body", "payload", "name") → "name"; ("query", "level") → "level".
        field = loc[-1] if loc else ""
        if len(loc) >= 3 and loc[0] == "body":
            field = ".".join(loc[2:])
        out.append(
            {"field": field, "loc": loc, "msg": _translate(error), "type": error.get("type", "")}
        )
    return out


def install(api) -> None:
    @api.exception_handler(ValidationError)
    def _validation(request, exc):
        return api.create_response(request, {"detail": field_errors(exc.errors)}, status=422)

    @api.exception_handler(DjangoValidationError)
    def _domain_validation(request, exc):
        # Raised by actions (business rules), e.g. a duplicate organisation in a region.
        errors = []
        source = "query" if request.method == "GET" else "body"
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.append(
                        {"field": field, "loc": [source, field], "msg": message, "type": "invalid"}
                    )
        else:
            errors = [{"field": "", "loc": [], "msg": m, "type": "invalid"} for m in exc.messages]
        return api.create_response(request, {"detail": errors}, status=422)

    @api.exception_handler(OverflowError)
    def _overflow(request, exc):
        # A number too large for the database (e.g. an id of 10**20): bad input, not a crash.
        message = _("A number in the request is too large.")
        return api.create_response(
            request,
            {"detail": [{"field": "", "loc": [], "msg": message, "type": "invalid"}]},
            status=422,
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        message = str(exc) or _("You do not have permission to do this.")
        return api.create_response(request, {"detail": message}, status=403)

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        known = {
            "CSRF check Failed": _(
                "CSRF check failed: send the X-CSRFToken header with the value of the "
                "csrftoken cookie, or authenticate with a Bearer token."
            ),
            "Unauthorized": _(
                "Authentication required: log in, or send 'Authorization: Bearer <token>'."
            ),
            "Too many requests.": _("Too many requests; try again later."),
        }
        message = known.get(exc.message, exc.message)
        if exc.message.startswith("Cannot parse request body"):
            message = _("The request body is not valid JSON.")
        if isinstance(exc, AuthenticationError) and exc.message == "Unauthorized":
            message = known["Unauthorized"]
        response = api.create_response(request, {"detail": message}, status=exc.status_code)
        if isinstance(exc, Throttled):
            # RFC 9110 §10.2.3: how long a well-behaved client (a portal's harvester)
            # waits before it asks again.
            response["Retry-After"] = str(max(1, math.ceil(exc.wait or 60)))
        return response
