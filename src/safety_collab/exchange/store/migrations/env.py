"""Alembic's entry point for the exchange store: migrate on the connection the store passes.

Alembic runs this file itself (``ExchangeStore.upgrade``); imported any other
way (a doctest collector, say) it does nothing, because Alembic's context
only exists while Alembic runs.
"""

from __future__ import annotations

from alembic import context

VERSION_TABLE = "exchange_schema_version"
"""The table where Alembic records the schema's revision."""


def run() -> None:
    """Run the migrations on ``config.attributes["connection"]``, in its transaction."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


try:
    context.config  # noqa: B018 - fails unless Alembic is running this file
except (NameError, AttributeError):
    pass
else:
    run()
