"""Tracking codes a citizen keeps (``LM-7K3QP-9XPAW`` for a report, ``PG-…`` for a
complaint), and the rate limit on what one network address sends."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jejaring.core import clock

# Letters and digits a person reads off a phone and types back without confusing them
# (no 0/O, 1/I/L). Ten of them: 31**10 codes, so a guessed code finds nothing.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(prefix: str) -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{prefix}-{chars[:5]}-{chars[5:]}"


def unused_code(model, prefix: str, field: str = "tracking_code") -> str:
    while True:
        code = new_code(prefix)
        if not model.objects.filter(**{field: code}).exists():
            return code


def normalise_code(typed: str, prefix: str) -> str:
    """What a person typed back: any case, spaces or dashes anywhere, with or without
    the prefix. "" when it cannot be a code."""
    cleaned = "".join(ch for ch in (typed or "").upper() if ch.isalnum())[:20]
    if cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix) :]
    if len(cleaned) != 10:
        return ""
    return f"{prefix}-{cleaned[:5]}-{cleaned[5:]}"


def sender_key(address: str) -> str:
    """A keyed hash of the sender's network address: enough to count one sender's
    messages for the rate limit, useless to find who sent them (the address is never
    stored)."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def check_sender(model, address: str, limit: int) -> str:
    """The sender's key, once what they sent of ``model`` in the last hour is under
    ``limit``; counted from the rows themselves, so it holds across every process."""
    key = sender_key(address)
    since = clock.now() - datetime.timedelta(hours=1)
    if model.objects.filter(sender_key=key, submitted_at__gte=since).count() >= limit:
        raise ValidationError(
            _(
                "Many messages were sent from this connection in the last hour. Please wait "
                "an hour, or call the social office directly in an emergency."
            ),
            code="rate_limited",
        )
    return key
