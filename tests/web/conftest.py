"""Fixtures of the web site's tests: a seeded store and the site over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web site needs the web extra")

from web_helpers import FAST, WM, Clock, Site

from safety_collab.exchange.store import ExchangeStore
from safety_collab.web import seed_demo


@pytest.fixture
def make_site(tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Make a fresh site (a SQLite file by default, or the database ``url``), closed after."""
    stores: list[ExchangeStore] = []

    def make(url: str | None = None) -> Site:
        store = ExchangeStore(url or tmp_path / f"exchange{len(stores)}.sqlite", WM).init()
        stores.append(store)
        return Site(store, seed_demo(store, hasher=FAST), Clock())

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    """A site over a fresh SQLite store seeded with the demo."""
    return make_site()
