"""What the pages and the API share: the site's state, who is signed in, CSRF, errors.

Every action of the site goes through :class:`~safety_collab.exchange.store.ExchangeStore`,
which checks the person's entitlements inside its transaction; the checks
here (signed in, the right role to see the ranking, a tier that grants a
service) decide only what a page shows and refuse early.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from typing import TYPE_CHECKING, Any

import attrs

from safety_collab.access import can_access, resource_min_tier
from safety_collab.errors import (
    ConflictError,
    EntitlementError,
    SafetyCollabError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange.people import Person, Role
from safety_collab.exchange.stages import Workflow
from safety_collab.web._security import (
    DEFAULT_HASHER,
    LoginThrottle,
    new_token,
    same_token,
    verify_password,
)

if TYPE_CHECKING:
    import argon2
    from starlette.requests import Request

    from safety_collab.exchange.store import ExchangeStore

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOG",
    "BadCredentialsError",
    "CsrfError",
    "SignInRequiredError",
    "Site",
    "TooManyAttemptsError",
    "check_csrf",
    "credential_mark",
    "csrf_token",
    "error_status",
    "form_list",
    "in_play",
    "need_entitled",
    "need_ranking",
    "new_comment_id",
    "new_proposal_id",
    "public_message",
    "sees_ranking",
]

LOG = logging.getLogger("safety_collab.web")
"""The site's logger: actions and refusals by person id and route, never names, e-mails or text."""

CSRF_FIELD = "csrf_token"
"""The hidden form field that carries the session's CSRF token."""
CSRF_HEADER = "x-csrf-token"
"""The request header that carries it on writes through the API."""


class SignInRequiredError(SafetyCollabError):
    """The request needs a signed-in person and has none (pages: go to sign in; API: 401)."""


class BadCredentialsError(SignInRequiredError):
    """A wrong password or an unknown account (one message for both, 401)."""


class CsrfError(SafetyCollabError):
    """A write came without the session's CSRF token, or with another one (403)."""


class TooManyAttemptsError(SafetyCollabError):
    """Too many wrong passwords: the next attempt must wait ``seconds`` (429)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(1, int(seconds + 0.999))
        super().__init__(f"too many failed sign-ins: try again in {self.seconds} s")


def error_status(exc: BaseException) -> int:
    """The HTTP status for a library error.

    Examples
    --------
    >>> from safety_collab.errors import ConflictError, ParameterError
    >>> error_status(ConflictError("p1", expected=1, actual=2)), error_status(ParameterError("x"))
    (409, 422)
    """
    if isinstance(exc, SignInRequiredError):
        return 401
    if isinstance(exc, EntitlementError | CsrfError):
        return 403
    if isinstance(exc, UnknownIdError):
        return 404
    if isinstance(exc, ConflictError | WorkflowError):
        return 409
    if isinstance(exc, TooManyAttemptsError):
        return 429
    return 422


@attrs.define
class Site:
    """The state one running site shares across requests.

    Attributes
    ----------
    store
        The exchange store every action goes through.
    throttle
        Counts wrong passwords per account and per client address.
    hasher
        The Argon2id hasher of the passwords.
    https
        Whether the site is served over HTTPS (the session cookie is then ``Secure``).
    """

    store: ExchangeStore
    throttle: LoginThrottle = attrs.field(factory=LoginThrottle)
    hasher: argon2.PasswordHasher = DEFAULT_HASHER
    https: bool = False

    def person(self, request: Request) -> Person | None:
        """The signed-in person, or ``None``; a session whose password changed is ended."""
        session = request.session
        person_id = session.get("person")
        if not isinstance(person_id, str):
            return None
        mark = credential_mark(self.store.password_hash(person_id))
        if mark is None or not same_token(mark, session.get("mark")):
            session.clear()
            return None
        return self.store.person(person_id)

    def need_person(self, request: Request) -> Person:
        """The signed-in person; :class:`SignInRequiredError` without one."""
        person = self.person(request)
        if person is None:
            msg = "sign in first"
            raise SignInRequiredError(msg)
        return person

    def sign_in(self, request: Request, person_id: str, password: str) -> Person:
        """Check a password (throttled) and start a fresh session for the person.

        Raises
        ------
        TooManyAttemptsError
            After too many wrong passwords for the account or from the address.
        BadCredentialsError
            For a wrong password or an unknown account (the same message for both).
        """
        keys = (f"user:{person_id}", f"addr:{_client(request)}")
        wait = self.throttle.wait(*keys)
        if wait > 0:
            LOG.warning("sign-in refused: throttled (%s)", _client(request))
            raise TooManyAttemptsError(wait)
        stored = self.store.password_hash(person_id) if _ID_RE.match(person_id) else None
        if not verify_password(stored, password, hasher=self.hasher):
            self.throttle.failed(*keys)
            LOG.info("sign-in failed from %s", _client(request))
            msg = "the account or the password is wrong"
            raise BadCredentialsError(msg)
        self.throttle.succeeded(keys[0])
        if stored is not None and self.hasher.check_needs_rehash(stored):
            self.store.set_password_hash(person_id, self.hasher.hash(password), by=person_id)
            stored = self.store.password_hash(person_id)
        person = self.store.person(person_id)
        request.session.clear()  # a new session: no fixation, a new CSRF token
        request.session.update(
            person=person.id, mark=credential_mark(stored), csrf=new_token(), at=_now()
        )
        LOG.info("signed in: %s", person.id)
        return person

    def entitled(self, person: Person, resource: str) -> bool:
        """Whether the person's organisation's tier grants ``resource`` (a network or service)."""
        return can_access(self.store.collab, person.organisation, resource)


_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def credential_mark(password_hash: str | None) -> str | None:
    """A short fingerprint of a password hash, kept in the session to end it when the hash changes.

    Examples
    --------
    >>> credential_mark(None) is None, len(credential_mark("$argon2id$..."))
    (True, 32)
    """
    if password_hash is None:
        return None
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (a session starts before sign-in)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = new_token()
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, given: object) -> None:
    """Refuse a write whose token is missing or not the session's (:class:`CsrfError`)."""
    if not same_token(request.session.get("csrf"), given):
        LOG.warning("refused %s %s: CSRF token missing or wrong", request.method, request.url.path)
        msg = "the form's security token is missing or out of date: reload the page and try again"
        raise CsrfError(msg)


def sees_ranking(person: Person | None) -> bool:
    """Whether the person may see the ranking and portfolios (programme managers, admins).

    Examples
    --------
    >>> sees_ranking(Person("pm", "wmahsn", roles=["programme-manager"]))
    True
    >>> sees_ranking(Person("bo", "RRK"))
    False
    """
    return person is not None and person.has(Role.PROGRAMME_MANAGER, Role.ADMIN)


def in_play(workflow: Workflow) -> tuple[str, ...]:
    """The stages whose proposals the ranking and portfolios weigh: the voting ones, in order.

    Examples
    --------
    >>> in_play(Workflow.default())
    ('submitted', 'screened', 'shortlisted')
    """
    return tuple(s for s in workflow.stages if s in workflow.voting)


def need_ranking(person: Person) -> None:
    """Refuse (:class:`EntitlementError`) a person who may not see the ranking."""
    if not sees_ranking(person):
        msg = (
            f"person {person.id!r} may not see the ranking: it needs the admin or "
            "programme-manager role"
        )
        raise EntitlementError(msg, organisation=person.organisation)


def need_entitled(site: Site, person: Person, resource: str) -> None:
    """Refuse (:class:`EntitlementError`) a person whose organisation's tier lacks ``resource``."""
    collab = site.store.collab
    known = {s.id for s in collab.services} | {n.id for n in collab.networks}
    if resource not in known:
        raise UnknownIdError("service", resource, sorted(known))
    if not site.entitled(person, resource):
        tier = collab.tier_of(person.organisation)
        held = "is not a member" if tier is None else f"holds the {tier.id} tier"
        msg = (
            f"organisation {person.organisation!r} {held}; {resource!r} is for "
            f"{resource_min_tier(collab, resource)} members"
        )
        raise EntitlementError(msg, organisation=person.organisation)


_SLUG = re.compile(r"[^a-z0-9]+")


def new_proposal_id(title: str) -> str:
    """A fresh proposal id from its title: a slug and a random suffix.

    Examples
    --------
    >>> new_proposal_id("Sepsis screening: a digital app!")[:30]
    'sepsis-screening-a-digital-app'
    >>> import re; bool(re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{6}", new_proposal_id("Ça va")))
    True
    """
    slug = _SLUG.sub("-", title.lower()).strip("-")[:48].strip("-") or "proposal"
    return f"{slug}-{secrets.token_hex(3)}"


def new_comment_id() -> str:
    """A fresh comment id.

    Examples
    --------
    >>> new_comment_id().startswith("c-") and new_comment_id() != new_comment_id()
    True
    """
    return f"c-{secrets.token_hex(8)}"


def public_message(exc: BaseException) -> str:
    """The message a page or a JSON error shows for a library error (no list of known accounts)."""
    if isinstance(exc, UnknownIdError):
        return f"unknown {exc.kind} {str(exc.id)[:200]!r}"
    return str(exc)


def form_list(values: Any) -> list[str]:
    """Non-empty strings of a form's repeated field."""
    return [v for v in values if isinstance(v, str) and v]
