"""What the web site's tests share: a seeded site, signing in, and the routes each test covers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import argon2
from fastapi.testclient import TestClient

import safety_collab as sc
from safety_collab.exchange import Person
from safety_collab.exchange.store import ExchangeStore
from safety_collab.web import LoginThrottle, create_app

F = TypeVar("F", bound=Callable[..., object])

COVERED: dict[str, list[str]] = {}
"""Route ("METHOD /path") -> the tests that exercise it; test_routes checks every route is here."""


def covers(*routes: str) -> Callable[[F], F]:
    """Mark a test as exercising ``routes`` (each "METHOD /path" as the app declares it)."""

    def mark(test: F) -> F:
        for route in routes:
            COVERED.setdefault(route, []).append(test.__name__)
        return test

    return mark


FAST = argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
"""A cheap hasher for the tests (the default one is tested once, in test_security)."""

WM = sc.west_midlands()
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Site:
    """A store seeded with the demo, the app over it, and ways to sign in."""

    def __init__(self, store: ExchangeStore, passwords: dict[str, str], clock: Clock) -> None:
        self.store = store
        self.passwords = passwords
        self.clock = clock
        self.app = create_app(store, hasher=FAST, throttle=LoginThrottle(clock=clock))

    def client(self, **kwargs: object) -> TestClient:
        return TestClient(self.app, follow_redirects=False, **kwargs)  # type: ignore[arg-type]

    def add(self, person: Person, password: str = "a long password") -> str:
        self.store.add_person(person, by="demo-admin")
        self.store.set_password_hash(person.id, FAST.hash(password), by=None)
        self.passwords[person.id] = password
        return person.id

    def page_client(self, person_id: str) -> TestClient:
        """A client signed in through the sign-in form."""
        client = self.client()
        token = csrf_of(client.get("/login").text)
        r = client.post(
            "/login",
            data={"csrf_token": token, "person": person_id, "password": self.passwords[person_id]},
        )
        assert r.status_code == 303, r.text
        return client

    def api_client(self, person_id: str) -> tuple[TestClient, str]:
        """A client signed in through the API, and its CSRF token."""
        client = self.client()
        r = client.post(
            "/api/session", json={"person": person_id, "password": self.passwords[person_id]}
        )
        assert r.status_code == 200, r.text
        return client, r.json()["csrf_token"]


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)
