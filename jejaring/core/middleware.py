"""Request-scoped context: a request id for logs and audit rows, and the client address."""

import logging

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from . import request_context


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
