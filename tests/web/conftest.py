"""Fixtures of the web site's tests: a seeded store and the site over it."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web site needs the web extra")

from web_helpers import FAST, WM, Clock, Site

from safety_collab.exchange.store import ExchangeStore
from safety_collab.web import seed_demo

sys.path.insert(0, str(Path(__file__).parents[1] / "exchange" / "store"))
import postgres_cluster

_numbers = itertools.count()


@pytest.fixture(scope="session")
def web_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server's URL (skipped without one; a failure under CI)."""
    if postgres_cluster.binaries() is None:
        reason = "PostgreSQL is not installed; .ci/run installs it"
        if os.environ.get("CI", "").lower() in {"true", "1"} or os.environ.get(
            "SAFETY_COLLAB_REQUIRE_POSTGRES"
        ):
            pytest.fail(reason + ", and CI needs the PostgreSQL tests to run")
        pytest.skip(reason)
    cluster = postgres_cluster.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'web.sqlite'}"
    import sqlalchemy as sa

    url = request.getfixturevalue("web_postgres")
    name = f"web_{os.getpid()}_{next(_numbers)}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


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
