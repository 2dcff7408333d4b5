"""Request-wide concerns: the request id and client address, the language, input that
no view should see (NUL characters, absurd offsets), and the Permissions-Policy header."""

import json
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from . import request_context, text


def client_address(request) -> str | None:
    # Only trust X-Forwarded-For when the deployment says a proxy sets it.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming[:64] if incoming.isalnum() else request_context.new_request_id()
        request.request_id = request_id
        token = request_context.activate(
            request_context.RequestContext(
                request_id=request_id, ip_address=client_address(request)
            )
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.deactivate(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds the current request id to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_context.current().request_id or "-"
        return True


class LanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the person chose otherwise.

    Many office phones and laptops run an English system, so the browser's
    Accept-Language says little about what the staff read: pages follow only the
    language chosen in the switcher (cookie). The API, used by programs, honours
    Accept-Language as well.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language or not translation.check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# Larger offsets than this cannot point at a row (and overflow PostgreSQL's bigint).
MAX_OFFSET = 10**9
_JSON_NUL_ESCAPE = re.compile(rb"\\u0000")
_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")


class BadInput(Exception):
    """A request value no view should see: answered 422 (API) or 400 (pages)."""

    def __init__(self, source: str, field: str, message: str, kind: str):
        self.source, self.field, self.message, self.kind = source, field, message, kind
        super().__init__(message)


def _nul_message() -> str:
    return _("Text may not contain NUL characters (invisible character code 0).")


def check_text(source: str, field: str, value: str) -> None:
    """Refuse NUL (PostgreSQL cannot store it) and absurdly long text in any value."""
    if "\x00" in value:
        raise BadInput(source, field.replace("\x00", ""), _nul_message(), "nul_character")
    if len(value) > text.LONG_TEXT_MAX:
        try:
            text.check_length(value, text.LONG_TEXT_MAX)
        except ValidationError as exc:
            raise BadInput(source, field, exc.messages[0], "string_too_long") from None


def _walk_json(value, path: list[str]) -> None:
    if isinstance(value, str):
        check_text("body", ".".join(path), value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text("body", ".".join([*path, str(key)]), str(key))
            _walk_json(item, [*path, str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk_json(item, [*path, str(index)])


def _check_offset(request) -> None:
    from pydantic import TypeAdapter
    from pydantic import ValidationError as PydanticError

    for name in ("offset", "limit"):
        raw = request.GET.get(name)
        if raw is None:
            continue
        try:
            number = TypeAdapter(int).validate_python(raw)
        except PydanticError:
            continue  # ninja answers "enter a whole number"
        if number > MAX_OFFSET:
            message = _("Must be at most {le}.").format(le=MAX_OFFSET)
            raise BadInput("query", name, message, "less_than_equal")


def _check_body(request) -> None:
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        # Files may hold NUL bytes; only the other fields are checked, and only when
        # the body is small enough to keep in memory (so request.body stays readable
        # for the view). Larger uploads are checked by the forms and the API parser.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            return
        request.body  # noqa: B018 — read it first, see above
        for key, values in request.POST.lists():
            check_text("body", key, key)
            for value in values:
                check_text("body", key, value)
        return
    if not content_type.startswith(_TEXT_BODIES) and not content_type.endswith("+json"):
        return
    body = request.body
    if not body:
        return
    if b"\x00" in body or (
        content_type == "application/x-www-form-urlencoded" and b"%00" in body.lower()
    ):
        raise BadInput("body", "", _nul_message(), "nul_character")
    if content_type == "application/x-www-form-urlencoded":
        if len(body) > text.LONG_TEXT_MAX:
            for key, values in request.POST.lists():
                for value in values:
                    check_text("body", key, value)
        return
    if "json" in content_type and (_JSON_NUL_ESCAPE.search(body) or len(body) > text.LONG_TEXT_MAX):
        try:
            data = json.loads(body)
        except ValueError:
            return  # the view answers "not valid JSON"
        _walk_json(data, [])


class InputGuardMiddleware:
    """Refuses, before any view runs, values that would fail in the database.

    A NUL character in the path, the query string or a text body, or an offset past
    any real row, used to reach PostgreSQL and answer 500; a text of megabytes was
    stored as sent. Checked once here for every page and operation; the actions and
    the API schema types (jejaring.core.text, jejaring.core.schema_types) hold the
    tighter per-field rules.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            if "\x00" in request.path:
                raise BadInput("path", "", _nul_message(), "nul_character")
            for key, values in request.GET.lists():
                check_text("query", key, key)
                for value in values:
                    check_text("query", key, value)
            if request.path.startswith("/api/"):
                _check_offset(request)
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                _check_body(request)
        except BadInput as bad:
            return refuse(request, bad)
        return self.get_response(request)


def refuse(request, bad: BadInput):
    if request.path.startswith("/api/"):
        loc = [bad.source, *([bad.field] if bad.field else [])]
        error = {"field": bad.field, "loc": loc, "msg": bad.message, "type": bad.kind}
        return JsonResponse({"detail": [error]}, status=422)
    return render(request, "error.html", {"status": 400, "message": bad.message}, status=400)


class PermissionsPolicyMiddleware:
    """Tells the browser which device features pages may use (Permissions-Policy).

    Only the product's own pages may ask for the camera (a person's photo is taken on
    the spot) and the location; the rest is off, so neither an embedded frame nor a
    script slipped into a page can reach them.
    """

    POLICY = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response
