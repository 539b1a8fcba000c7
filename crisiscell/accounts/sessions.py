"""The session bookkeeping of a staff login: half-logged-in state, and the two clocks.

``PREAUTH`` holds a user who passed the password step but not yet the second
factor. It is not a login: ``request.user`` stays anonymous and no staff page
opens. ``AUTH_AT`` and ``LAST_SEEN`` drive the absolute and idle limits.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

PREAUTH = "crisiscell_preauth"
INVITATION = "crisiscell_invitation"
AUTH_AT = "crisiscell_auth_at"
LAST_SEEN = "crisiscell_last_seen"
OTP_FAILURES_ALLOWED = 5
# Writing the session on every request is wasteful; refresh the idle clock at most this often.
LAST_SEEN_RESOLUTION_SECONDS = 30


def now_seconds() -> float:
    return time.time()


def preauth_start(session: SessionBase, user_id: int, next_url: str) -> None:
    session.cycle_key()
    session[PREAUTH] = {"uid": user_id, "at": now_seconds(), "next": next_url, "failures": 0}


def preauth_get(session: SessionBase) -> dict[str, Any] | None:
    state: dict[str, Any] | None = session.get(PREAUTH)
    if not state:
        return None
    if now_seconds() - state["at"] > settings.CRISISCELL_PREAUTH_LIFETIME.total_seconds():
        session.pop(PREAUTH, None)
        return None
    return state


def preauth_failed(session: SessionBase) -> bool:
    """Count a wrong code; True when the password must be entered again."""
    state = session.get(PREAUTH) or {}
    state["failures"] = state.get("failures", 0) + 1
    if state["failures"] >= OTP_FAILURES_ALLOWED:
        session.pop(PREAUTH, None)
        return True
    session[PREAUTH] = state
    return False


def stamp_login(session: SessionBase) -> None:
    now = now_seconds()
    session[AUTH_AT] = now
    session[LAST_SEEN] = now


def expiry_reason(session: SessionBase) -> str | None:
    """Why this authenticated session must end now, or None if it may continue."""
    now = now_seconds()
    auth_at = session.get(AUTH_AT)
    last_seen = session.get(LAST_SEEN)
    if auth_at is None or last_seen is None:
        return "unstamped"
    if now - auth_at > settings.CRISISCELL_SESSION_ABSOLUTE.total_seconds():
        return "absolute"
    if now - last_seen > settings.CRISISCELL_SESSION_IDLE.total_seconds():
        return "idle"
    return None


def touch(session: SessionBase) -> None:
    now = now_seconds()
    if now - session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN] = now
