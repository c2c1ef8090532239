"""Revision 1: the exchange as its files hold it (proposals and their stage history).

``exchange_meta`` (the collaborative's id), ``proposals`` (with the stage they
are in and a ``version`` for optimistic concurrency) and the append-only
``events``.

Revision ID: rev1_exchange
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safety_collab.exchange.store._ddl import append_only, drop_append_only

revision = "rev1_exchange"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ID = 200


def upgrade() -> None:
    """Create the tables of revision 1 and the triggers that keep ``events`` append-only."""
    op.create_table(
        "exchange_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "proposals",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(ID), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("organisation", sa.String(ID), nullable=False),
        sa.Column("priorities", sa.Text, nullable=False),
        sa.Column("theme", sa.String(ID), nullable=False),
        sa.Column("safety_area", sa.String(ID), nullable=False),
        sa.Column("evidence", sa.String(64), nullable=False),
        sa.Column("investment", sa.BigInteger, nullable=False),
        sa.Column("expected_effect", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("builds_on", sa.String(ID)),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed", sa.DateTime, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal", sa.String(ID), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("from_state", sa.String(64)),
        sa.Column("to_state", sa.String(64), nullable=False),
        sa.Column("who", sa.String(ID), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_events_proposal", "events", ["proposal"])
    for statement in append_only(op.get_context().dialect.name, "events"):
        op.execute(statement)


def downgrade() -> None:
    """Drop everything revision 1 created."""
    for statement in drop_append_only(op.get_context().dialect.name, "events"):
        op.execute(statement)
    op.drop_table("events")
    op.drop_table("proposals")
    op.drop_table("exchange_meta")
