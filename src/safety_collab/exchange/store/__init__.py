"""The innovation exchange on a relational database: :class:`ExchangeStore`.

SQLite (a file; no server) is the embedded default, PostgreSQL (a URL) the
shared deployment; the same code runs on both, through SQLAlchemy 2. The
schema's migrations (Alembic) ship inside this package and run from
:meth:`ExchangeStore.init` and :meth:`ExchangeStore.upgrade`.

This package needs the ``exchange`` extra (SQLAlchemy and Alembic), and
PostgreSQL the ``postgresql`` extra (psycopg 3); without them, importing it
raises :class:`~safety_collab.errors.MissingDependencyError` naming the extra.

Examples
--------
>>> import tempfile, pathlib, safety_collab as sc
>>> from safety_collab.exchange.store import ExchangeStore
>>> store = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "exchange.sqlite", sc.west_midlands())
>>> store.init().revision() == ExchangeStore.head()
True
"""

from __future__ import annotations

from safety_collab.errors import MissingDependencyError

try:
    import alembic  # noqa: F401 - checked here, used by the submodules
    import sqlalchemy  # noqa: F401
except ImportError as exc:  # pragma: no cover - the test extra brings both
    raise MissingDependencyError("exchange", exc.name or "sqlalchemy") from None

from safety_collab.exchange.store._store import MIGRATIONS, ExchangeStore, database_url

__all__ = ["MIGRATIONS", "ExchangeStore", "database_url"]
