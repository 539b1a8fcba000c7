"""Who is asking, from where, in which request: carried to the audit writer.

The request middleware fills it; management commands and the sealer run with the
empty context, which the audit log records as "system".
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_ip: str | None = None


_EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "crisiscell_request_context", default=None
)


def current() -> RequestContext:
    return _current.get() or _EMPTY


def bind(ctx: RequestContext) -> contextvars.Token[RequestContext | None]:
    return _current.set(ctx)


def unbind(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)
