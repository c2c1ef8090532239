"""Builders shared by the exchange store's tests."""

from __future__ import annotations

import datetime as dt

import safety_collab as sc
from safety_collab.exchange import Person, Proposal
from safety_collab.exchange.store import ExchangeStore
from safety_collab.model import EvidenceLevel

WM = sc.west_midlands()
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)

ADMIN = Person("ada", "RRK", roles=["admin", "moderator", "programme-manager"])
MEMBERS = [Person(f"m{i}", org) for i, org in enumerate(["RRK", "RXK", "QHL", "RNA"])]
OUTSIDER = Person("out", WM.host)  # the host organisation is no member: it may not take part


def proposal(pid: str, org: str = "RRK", *, title: str | None = None) -> Proposal:
    return Proposal(
        pid,
        title or pid.replace("-", " ").title(),
        org,
        priorities=["digital-health"],
        theme="patient-safety",
        safety_area="deterioration",
        evidence=EvidenceLevel.CASE_SERIES,
        investment=20_000,
    )


OPEN: list[ExchangeStore] = []
"""Stores a test opened: closed after it (conftest)."""


def opened(store: ExchangeStore) -> ExchangeStore:
    OPEN.append(store)
    return store


def new_store(url: str) -> ExchangeStore:
    store = opened(ExchangeStore(url, WM)).init(admin=ADMIN)
    for person in [*MEMBERS, OUTSIDER]:
        store.add_person(person, by=ADMIN.id)
    return store
