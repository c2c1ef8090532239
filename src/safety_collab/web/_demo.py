"""The embedded default's demo: the West Midlands exchange and a demo account for each role."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from safety_collab.exchange.files import example_exchange
from safety_collab.exchange.people import Person
from safety_collab.web._security import DEFAULT_HASHER

if TYPE_CHECKING:
    import argon2

    from safety_collab.exchange.store import ExchangeStore

__all__ = ["DEMO_PEOPLE", "seed_demo"]

DEMO_PEOPLE: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("demo-admin", "@host", ("admin", "moderator", "programme-manager"), "administrator"),
    ("demo-moderator", "@host", ("moderator",), "moderator"),
    ("demo-manager", "@host", ("programme-manager",), "programme manager"),
    ("demo-enhanced", "@enhanced", ("member",), "member user, enhanced-tier organisation"),
    ("demo-standard", "@standard", ("member",), "member user, standard-tier organisation"),
)
"""The demo accounts: id, organisation (``@host``, or the first member of a tier), roles, what."""


def seed_demo(
    store: ExchangeStore, *, hasher: argon2.PasswordHasher = DEFAULT_HASHER
) -> dict[str, str]:
    """Fill an empty store with the embedded example exchange and demo accounts.

    Each demo account gets a fresh random password, returned (and nowhere
    kept but as its hash): the ``serve`` command prints them once. The
    example exchange's proposals are imported by ``demo-admin``.

    Parameters
    ----------
    store
        An initialised store with nobody in it.

    Returns
    -------
    dict
        Account id -> password.

    Raises
    ------
    ParameterError
        If the store has people already (a demo is only seeded once).

    Examples
    --------
    >>> import tempfile, pathlib, safety_collab as sc
    >>> from argon2 import PasswordHasher
    >>> from safety_collab.exchange.store import ExchangeStore
    >>> store = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
    >>> fast = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    >>> accounts = seed_demo(store.init(), hasher=fast)
    >>> sorted(accounts)[:2], len(store.proposals()) > 0
    (['demo-admin', 'demo-enhanced'], True)
    >>> store.close()
    """
    from safety_collab.errors import ParameterError  # noqa: PLC0415 - keeps the layer table short

    if store.people():
        msg = f"{store.url}: has people already; the demo is seeded only into an empty store"
        raise ParameterError(msg)
    collab = store.collab
    by_tier = {
        t.id: [m.organisation for m in collab.members if m.tier == t.id] for t in collab.tiers
    }
    ranked = sorted(collab.tiers, key=lambda t: t.rank)
    lowest, highest = ranked[0].id, ranked[-1].id
    places = {
        "@host": collab.host,
        "@standard": by_tier[lowest][0],
        "@enhanced": by_tier[highest][0],
    }
    passwords: dict[str, str] = {}
    admin = None
    for person_id, where, roles, what in DEMO_PEOPLE:
        person = Person(person_id, places[where], roles=roles, name=f"Demo {what}")
        store.add_person(person, by=admin)
        admin = admin or person_id
        passwords[person_id] = secrets.token_urlsafe(12)
        store.set_password_hash(person_id, hasher.hash(passwords[person_id]), by=None)
    store.import_exchange(example_exchange(), by="demo-admin")
    return passwords
