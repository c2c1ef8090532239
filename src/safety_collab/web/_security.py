"""The site's security parts: password hashing, sign-in throttling and CSRF tokens.

* :func:`hash_password`, :func:`verify_password` — Argon2id through
  argon2-cffi; the store keeps only the hash.
* :class:`LoginThrottle` — after a few wrong passwords for one account (or from
  one address), every further attempt must wait, longer each time.
* :func:`new_token`, :func:`same_token` — the per-session CSRF token every form
  and every write through the API carries.
"""

from __future__ import annotations

import contextlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from safety_collab._validate import check_int, check_number
from safety_collab.errors import ParameterError

__all__ = [
    "DEFAULT_HASHER",
    "LoginThrottle",
    "hash_password",
    "new_token",
    "same_token",
    "verify_password",
]

DEFAULT_HASHER = argon2.PasswordHasher()
"""Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes)."""

MIN_PASSWORD = 8
"""The shortest password :func:`hash_password` accepts."""

_MAX_PASSWORD = 1024


def hash_password(password: str, *, hasher: argon2.PasswordHasher = DEFAULT_HASHER) -> str:
    """Hash a password with Argon2id (salted; the result names its own parameters).

    Parameters
    ----------
    password
        At least 8 and at most 1,024 characters.
    hasher
        The argon2-cffi hasher; the default uses RFC 9106's low-memory profile.

    Raises
    ------
    ParameterError
        For a password that is not text, or too short or too long.

    Examples
    --------
    >>> h = hash_password("correct horse battery")
    >>> h.startswith("$argon2id$"), verify_password(h, "correct horse battery")
    (True, True)
    >>> hash_password("short")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: password: needs at least 8 characters, got 5
    """
    if not isinstance(password, str):
        msg = f"password: expected text, got {type(password).__name__}"  # type: ignore[unreachable]
        raise ParameterError(msg)
    if len(password) < MIN_PASSWORD:
        msg = f"password: needs at least {MIN_PASSWORD} characters, got {len(password)}"
        raise ParameterError(msg)
    if len(password) > _MAX_PASSWORD:
        msg = f"password: at most {_MAX_PASSWORD} characters, got {len(password)}"
        raise ParameterError(msg)
    return hasher.hash(password)


def verify_password(
    password_hash: str | None, password: str, *, hasher: argon2.PasswordHasher = DEFAULT_HASHER
) -> bool:
    """Whether ``password`` matches ``password_hash``; ``False`` for no hash or a broken one.

    Without a hash (an unknown account) a dummy hash is checked all the same,
    so that the time taken does not tell whether an account exists.

    Examples
    --------
    >>> h = hash_password("correct horse battery")
    >>> verify_password(h, "wrong horse battery"), verify_password(None, "anything at all")
    (False, False)
    """
    if not isinstance(password, str) or len(password) > _MAX_PASSWORD:
        return False
    if password_hash is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_dummy_hash(hasher), password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMIES: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: argon2.PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMIES:
        _DUMMIES[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMIES[key]


class LoginThrottle:
    """Slows down guessing: after ``free`` wrong passwords, each attempt must wait.

    Failures are counted per key (the site counts the account id and the
    client's address separately). After ``free`` failures within ``window``
    seconds, the next attempt is refused until ``base * 2**(failures - free)``
    seconds (at most ``cap``) have passed since the last failure; a right
    password clears the account's count. The counts live in the server
    process's memory (a restart forgets them).

    Parameters
    ----------
    free
        Wrong passwords allowed before waiting starts (default 5).
    base, cap
        The first wait and the longest, in seconds.
    window
        Failures older than this (seconds) are forgotten.
    clock
        A monotonic clock in seconds (for tests).

    Examples
    --------
    >>> now = [0.0]
    >>> th = LoginThrottle(clock=lambda: now[0])
    >>> for _ in range(5):
    ...     th.failed("user:bo")
    >>> th.wait("user:bo")
    1.0
    >>> now[0] += 1.0
    >>> th.wait("user:bo")
    0.0
    >>> th.failed("user:bo"); th.wait("user:bo")
    2.0
    >>> th.succeeded("user:bo"); th.wait("user:bo")
    0.0
    """

    def __init__(
        self,
        *,
        free: int = 5,
        base: float = 1.0,
        cap: float = 900.0,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = check_int("free", free, lo=1)
        self.base = check_number("base", base, lo=0.0)
        self.cap = check_number("cap", cap, lo=self.base)
        self.window = check_number("window", window, lo=0.0)
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}

    def __repr__(self) -> str:
        return f"LoginThrottle(free={self.free}, base={self.base}, cap={self.cap})"

    def _count(self, key: str, now: float) -> tuple[int, float]:
        count, last = self._failures.get(key, (0, -math.inf))
        if now - last > self.window:
            self._failures.pop(key, None)
            return 0, -math.inf
        return count, last

    def wait(self, *keys: str) -> float:
        """Seconds to wait before the next attempt for any of ``keys`` (0: go ahead)."""
        now = self._clock()
        longest = 0.0
        with self._lock:
            for key in keys:
                count, last = self._count(key, now)
                if count >= self.free:
                    delay = min(self.cap, self.base * 2.0 ** (count - self.free))
                    longest = max(longest, last + delay - now)
        return max(0.0, longest)

    def failed(self, *keys: str) -> None:
        """Count a wrong password for each of ``keys``."""
        now = self._clock()
        with self._lock:
            for key in keys:
                count, _ = self._count(key, now)
                self._failures[key] = (count + 1, now)

    def succeeded(self, *keys: str) -> None:
        """Clear the counts of ``keys`` after a right password."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def new_token() -> str:
    """A fresh random token (32 bytes, URL-safe text) for a session's CSRF check.

    Examples
    --------
    >>> len(new_token()) >= 43 and new_token() != new_token()
    True
    """
    return secrets.token_urlsafe(32)


def same_token(expected: object, given: object) -> bool:
    """Whether ``given`` is the session's token ``expected``, compared in constant time.

    Examples
    --------
    >>> t = new_token()
    >>> same_token(t, t), same_token(t, t[:-1] + "x"), same_token(None, None), same_token(t, "")
    (True, False, False, False)
    """
    if not isinstance(expected, str) or not isinstance(given, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
