"""The web application: :func:`create_app` puts the pages, the API and the security together."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from safety_collab._validate import check_instance
from safety_collab.errors import ParameterError, SafetyCollabError
from safety_collab.web import _api, _pages
from safety_collab.web._security import DEFAULT_HASHER, LoginThrottle
from safety_collab.web._site import (
    LOG,
    SignInRequiredError,
    Site,
    TooManyAttemptsError,
    error_status,
    public_message,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    import argon2

    from safety_collab.exchange.store import ExchangeStore

__all__ = ["SECURITY_HEADERS", "SESSION_COOKIE", "create_app"]

SESSION_COOKIE = "exchange_session"
"""The name of the signed session cookie."""

SESSION_HOURS = 8
"""How long a session lasts without signing in again."""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
"""Headers on every response: only this site's own scripts and styles, never framed."""

_HERE = Path(__file__).parent


def create_app(
    store: ExchangeStore,
    *,
    secret_key: str | None = None,
    https: bool = False,
    throttle: LoginThrottle | None = None,
    hasher: argon2.PasswordHasher = DEFAULT_HASHER,
) -> FastAPI:
    """The exchange's web site over ``store``: pages for people, a JSON API for other systems.

    Parameters
    ----------
    store
        The exchange store (initialised); every action goes through it, so its
        entitlement checks apply to the site as to the library.
    secret_key
        The key that signs session cookies. By default a random one, so that
        sessions end when the server restarts; give a fixed secret (at least
        32 characters) to keep them, or to run several server processes.
    https
        Whether the site is served over HTTPS (directly or behind a proxy): the
        session cookie is then marked ``Secure``.
    throttle
        Counts wrong passwords; by default five are free, then each attempt
        waits 1 s, 2 s, 4 s, ... (at most 15 minutes).
    hasher
        The Argon2id password hasher.

    Returns
    -------
    fastapi.FastAPI
        An ASGI application (serve it with uvicorn, as ``safety-collab serve`` does).

    Examples
    --------
    >>> import tempfile, pathlib, safety_collab as sc
    >>> from fastapi.testclient import TestClient
    >>> from safety_collab.exchange.store import ExchangeStore
    >>> store = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
    >>> client = TestClient(create_app(store.init()))
    >>> client.get("/health").json()["status"]
    'ok'
    >>> client.get("/proposals", follow_redirects=False).headers["location"]
    '/login?next=/proposals'
    >>> store.close()
    """
    from safety_collab.exchange.store import ExchangeStore  # noqa: PLC0415 - the exchange extra

    check_instance("store", store, ExchangeStore)
    if secret_key is None:
        secret_key = secrets.token_urlsafe(32)
    elif not isinstance(secret_key, str) or len(secret_key) < 32:
        msg = "secret_key: expected a secret of at least 32 characters"
        raise ParameterError(msg)
    site = Site(store, throttle=throttle or LoginThrottle(), hasher=hasher, https=https)
    app = FastAPI(
        title=f"Innovation exchange: {store.collab.name}",
        version="1",
        description=(
            "The innovation exchange of a patient-safety collaborative: proposals, votes, "
            "comments, campaigns, the ranking and portfolios. Sign in with `POST /api/session`; "
            "send the returned `csrf_token` as the `X-CSRF-Token` header on every write."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs load scripts from another host: not served
        redoc_url=None,
    )
    app.state.site = site
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=https,
    )

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.exception_handler(SafetyCollabError)
    async def _library_error(request: Request, exc: SafetyCollabError) -> Response:
        return _error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:5]
        )
        return _error_response(request, ParameterError(problems or "bad request"))

    @app.get("/health", include_in_schema=False)
    def _health(request: Request) -> dict[str, Any]:
        return _api.health(request).model_dump()

    app.include_router(_api.router)
    app.include_router(_pages.router)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    return app


def _error_response(request: Request, exc: SafetyCollabError) -> Response:
    status = error_status(exc)
    if status >= 500 or status == 422:
        LOG.info("%s %s: %s", request.method, request.url.path, type(exc).__name__)
    else:
        LOG.info("%s %s refused (%d)", request.method, request.url.path, status)
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    ):
        response: Response = JSONResponse(
            {"error": type(exc).__name__, "message": public_message(exc)}, status_code=status
        )
    elif isinstance(exc, SignInRequiredError) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={quote(target, safe='/')}"
        return Response(status_code=303, headers={"Location": location})
    else:
        response = _pages.error_page(request, exc)
    if isinstance(exc, TooManyAttemptsError):
        response.headers["Retry-After"] = str(exc.seconds)
    return response
