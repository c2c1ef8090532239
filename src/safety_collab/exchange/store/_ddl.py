"""Database-side rules the migrations install: the append-only triggers.

SQLite and PostgreSQL each get triggers that refuse every ``UPDATE`` and
``DELETE`` (and, on PostgreSQL, ``TRUNCATE``) on a history table, so that
the history stays append-only whatever program writes to the database.
"""

from __future__ import annotations

__all__ = ["APPEND_ONLY_MESSAGE", "append_only", "drop_append_only"]

APPEND_ONLY_MESSAGE = "is append-only"
"""Part of the error the database raises for a refused change (the store recognises it)."""


def append_only(dialect: str, table: str) -> list[str]:
    r"""The statements that make ``table`` append-only on ``dialect`` (sqlite or postgresql).

    Examples
    --------
    >>> append_only("sqlite", "events")[0].splitlines()[0]
    'CREATE TRIGGER events_no_update BEFORE UPDATE ON events'
    """
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}\n"
            f"BEGIN SELECT RAISE(ABORT, '{table} {APPEND_ONLY_MESSAGE}: {op} refused'); END"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        function = f"{table}_append_only"
        return [
            (
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN RAISE EXCEPTION '{table} {APPEND_ONLY_MESSAGE}: % refused', TG_OP; END $$"
            ),
            (
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}\n"
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            ),
            (
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}\n"
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            ),
        ]
    msg = f"the exchange store supports sqlite and postgresql, not {dialect!r}"
    raise NotImplementedError(msg)


def drop_append_only(dialect: str, table: str) -> list[str]:
    """The statements that undo :func:`append_only` (for a downgrade).

    Examples
    --------
    >>> drop_append_only("sqlite", "events")
    ['DROP TRIGGER IF EXISTS events_no_update', 'DROP TRIGGER IF EXISTS events_no_delete']
    """
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_append_only()",
    ]
