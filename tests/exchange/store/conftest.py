"""Fixtures of the exchange store's tests: the same suite on SQLite and on PostgreSQL.

PostgreSQL is a throwaway server (``postgres_cluster.start``) shared by the
session, one fresh database per test. Without PostgreSQL the PostgreSQL half
is skipped, saying why; under CI (``CI=true``, or
``SAFETY_COLLAB_REQUIRE_POSTGRES=1``) it fails instead, so a CI run can never
pass without it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the store needs the exchange extra")

import postgres_cluster

BACKENDS = ("sqlite", "postgresql")
_numbers = itertools.count()


def _required() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1"} or bool(
        os.environ.get("SAFETY_COLLAB_REQUIRE_POSTGRES")
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[postgres_cluster.Cluster]:
    """A PostgreSQL server for the session, stopped at its end."""
    if postgres_cluster.binaries() is None:
        reason = (
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in "
            "/usr/lib/postgresql/*/bin); .ci/run installs it"
        )
        if _required():
            pytest.fail(f"{reason}, and CI needs the PostgreSQL tests to run")
        pytest.skip(reason)
    cluster = postgres_cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def new_database(cluster: postgres_cluster.Cluster) -> str:
    """Create an empty database on ``cluster``; its URL."""
    import sqlalchemy as sa

    name = f"store_{os.getpid()}_{next(_numbers)}"
    engine = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return cluster.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'exchange.sqlite'}"
    return new_database(request.getfixturevalue("postgres"))


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    from store_helpers import OPEN

    yield
    while OPEN:
        OPEN.pop().close()
