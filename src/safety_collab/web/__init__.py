"""The innovation exchange on the web: a small, secure site over the exchange store.

:func:`create_app` builds the site (FastAPI and Jinja2 templates, pages that
work without scripts, a JSON API beside them documented by OpenAPI at
``/api/openapi.json``); ``safety-collab serve`` runs it with uvicorn. Every
action goes through :class:`~safety_collab.exchange.store.ExchangeStore`, so the
store's entitlement checks (role and organisation tier) are the site's.

Security: local accounts with Argon2id password hashes (:func:`hash_password`),
signed session cookies (HttpOnly, SameSite=Lax, Secure over HTTPS) that end
when the password changes, a CSRF token on every form and every API write,
wrong passwords slowed down (:class:`LoginThrottle`), autoescaped templates,
SQL only through SQLAlchemy parameters, a strict Content-Security-Policy, and
person ids, never names or e-mails, in the logs.

This package needs the ``web`` extra (FastAPI, uvicorn, argon2-cffi,
python-multipart, itsdangerous, Jinja2) and the ``exchange`` extra; without
them, importing it raises :class:`~safety_collab.errors.MissingDependencyError`.

Examples
--------
>>> import tempfile, pathlib, safety_collab as sc
>>> from fastapi.testclient import TestClient
>>> from argon2 import PasswordHasher
>>> from safety_collab.exchange.store import ExchangeStore
>>> from safety_collab.web import create_app, seed_demo
>>> store = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands()).init()
>>> fast = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
>>> passwords = seed_demo(store, hasher=fast)
>>> client = TestClient(create_app(store, hasher=fast))
>>> r = client.post("/api/session", json={"person": "demo-standard",
...                                        "password": passwords["demo-standard"]})
>>> r.json()["tier"]
'standard'
>>> len(client.get("/api/proposals").json())
10
>>> store.close()
"""

from __future__ import annotations

from safety_collab.errors import MissingDependencyError

try:
    import argon2  # noqa: F401 - checked here, used by the submodules
    import fastapi  # noqa: F401
    import itsdangerous  # noqa: F401
    import jinja2  # noqa: F401
    import python_multipart  # noqa: F401
except ImportError as exc:  # pragma: no cover - the test extra brings them
    raise MissingDependencyError("web", exc.name or "fastapi") from None

from safety_collab.web._app import SECURITY_HEADERS, SESSION_COOKIE, create_app
from safety_collab.web._demo import DEMO_PEOPLE, seed_demo
from safety_collab.web._security import (
    LoginThrottle,
    hash_password,
    new_token,
    same_token,
    verify_password,
)

__all__ = [
    "DEMO_PEOPLE",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "LoginThrottle",
    "create_app",
    "hash_password",
    "new_token",
    "same_token",
    "seed_demo",
    "verify_password",
]
