"""Administrators: one token from settings (``KG_ADMIN_TOKEN``) unlocks document changes.

The browser gives the token once (``POST /api/admin/session``) and gets an HttpOnly,
SameSite=Strict session cookie; API clients may send ``Authorization: Bearer TOKEN``
instead. Every changing action (upload, remove, re-ingest, Gradio's own upload route)
checks :meth:`AdminAuth.is_admin`. Tokens are compared in constant time and never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping

from kg.settings import Settings

COOKIE = "kg_admin"
FAILURE_WINDOW = 600.0  # seconds over which failed sign-ins from one address are counted
MAX_FAILURES = 10  # failed sign-ins per address and window before sign-in is refused


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class AdminAuth:
    """The admin token, the open browser sessions and a brake on guessing."""

    def __init__(self, settings: Settings) -> None:
        self._token_digest = _digest(settings.admin_token) if settings.admin_token else None
        self._lifetime = settings.admin_session_hours * 3600.0
        self._sessions: dict[str, float] = {}
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when no token is configured: nobody can change documents from the web."""
        return self._token_digest is not None

    def token_matches(self, given: str) -> bool:
        """Constant-time comparison (of digests, so the length does not leak either)."""
        if self._token_digest is None or not given:
            return False
        return hmac.compare_digest(_digest(given), self._token_digest)

    def throttled(self, client: str) -> bool:
        """True when ``client`` has failed to sign in too often lately."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(client, []) if now - t < FAILURE_WINDOW]
            self._failures[client] = recent
            return len(recent) >= MAX_FAILURES

    def sign_in(self, given: str, client: str) -> str | None:
        """A new session id for a correct token, else None (and the failure is counted)."""
        if self.throttled(client) or not self.token_matches(given):
            with self._lock:
                self._failures.setdefault(client, []).append(time.monotonic())
            return None
        session = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session] = time.monotonic() + self._lifetime
        return session

    def sign_out(self, session: str | None) -> None:
        with self._lock:
            self._sessions.pop(session or "", None)

    def session_valid(self, session: str | None) -> bool:
        if not session or not self.enabled:
            return False
        with self._lock:
            expiry = self._sessions.get(session)
            if expiry is None:
                return False
            if expiry < time.monotonic():
                del self._sessions[session]
                return False
            return True

    def is_admin(self, headers: Mapping[str, str], cookies: Mapping[str, str]) -> bool:
        """A valid session cookie, or the token itself as a bearer credential."""
        if self.session_valid(cookies.get(COOKIE)):
            return True
        scheme, _, credential = (headers.get("authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(credential.strip())

    @property
    def max_age(self) -> int:
        return int(self._lifetime)
