"""The open-data API's rate limit: requests per network address, counted in a cache
every server process shares (the ``throttle`` cache, a database table by default), so
three gunicorn workers do not each allow the limit.

django-ninja's throttle keeps the timestamps of an address's recent requests; the key
is the address's keyed hash (``codes.sender_key``), so the cache never holds an address
either."""

from django.conf import settings
from django.core.cache import caches
from ninja.throttling import SimpleRateThrottle

from jejaring.core import request_context

from .codes import sender_key


class OpenDataThrottle(SimpleRateThrottle):
    scope = "open_data"

    def __init__(self):
        super().__init__(rate=settings.OPEN_DATA_RATE)

    @property
    def cache(self):
        return caches["throttle"]

    def allow_request(self, request) -> bool:
        # Read the rate on every request, not once at import: an office that changes
        # OPEN_DATA_RATE restarts anyway, and tests lower it for one case.
        self.num_requests, self.duration = self.parse_rate(settings.OPEN_DATA_RATE)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        address = request_context.current().ip_address or request.META.get("REMOTE_ADDR", "")
        return f"open-data:{sender_key(address)}"
