"""Who is asking, from where, under which request id — available to actions and logs.

Actions receive the acting user explicitly; the network address and request id are
ambient facts of the request, kept in a context variable so that the audit log can
record them even when an action is called deep inside a form or an API handler.
Outside a request (commands, background tasks) the values are simply empty.
"""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


# RequestContext is frozen, so sharing one empty instance as the default is safe.
_EMPTY = RequestContext()
_current = contextvars.ContextVar("jejaring_request_context", default=_EMPTY)  # noqa: B039


def current() -> RequestContext:
    return _current.get()


def activate(context: RequestContext) -> contextvars.Token:
    return _current.set(context)


def deactivate(token: contextvars.Token) -> None:
    _current.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]
