"""Revision 2: the community (people, votes, comments, campaigns, stories, points, champions).

Adds the community's tables and ``activities``, the append-only log of every
community event. The rows already there are kept, and the log is filled from
them: each event of revision 1 becomes a ``submitted`` or ``moved``
activity, and each proposal's submitter becomes its champion.

Revision ID: rev2_community
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from safety_collab.exchange.store._ddl import append_only, drop_append_only

revision = "rev2_community"
down_revision: str | None = "rev1_exchange"
branch_labels: str | None = None
depends_on: str | None = None

ID = 200

DEFAULT_POINTS = {"submit": 10, "comment": 2, "vote": 1, "receive_vote": 1, "story": 25}
"""The points rules a store starts with (those of ``PointsRules()``)."""


def upgrade() -> None:
    """Create the community's tables and fill the log and the champions from the events."""
    op.create_table(
        "people",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("organisation", sa.String(ID), nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
    )
    op.create_table(
        "votes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person", sa.String(ID), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("proposal", sa.String(ID), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("person", "proposal", name="uq_votes_person_proposal"),
    )
    op.create_index("ix_votes_proposal", "votes", ["proposal"])
    op.create_table(
        "comments",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(ID), nullable=False, unique=True),
        sa.Column("proposal", sa.String(ID), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("person", sa.String(ID), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("reply_to", sa.String(ID), sa.ForeignKey("comments.id")),
        sa.Column("hidden", sa.Text),
    )
    op.create_index("ix_comments_proposal", "comments", ["proposal"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(ID), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("priority", sa.String(ID), nullable=False),
        sa.Column("need", sa.Text, nullable=False),
        sa.Column("opens", sa.Date, nullable=False),
        sa.Column("closes", sa.Date, nullable=False),
    )
    op.create_table(
        "campaign_answers",
        sa.Column("proposal", sa.String(ID), sa.ForeignKey("proposals.id"), primary_key=True),
        sa.Column("campaign", sa.String(ID), sa.ForeignKey("campaigns.id"), nullable=False),
    )
    op.create_table(
        "stories",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal", sa.String(ID), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    rules = op.create_table(
        "points_rules",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    champions = op.create_table(
        "champions",
        sa.Column("proposal", sa.String(ID), sa.ForeignKey("proposals.id"), primary_key=True),
        sa.Column("person", sa.String(ID), nullable=False),
    )
    log = op.create_table(
        "activities",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("person", sa.String(ID), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("proposal", sa.String(ID)),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_activities_proposal", "activities", ["proposal"])
    for statement in append_only(op.get_context().dialect.name, "activities"):
        op.execute(statement)
    assert rules is not None
    assert champions is not None
    assert log is not None
    op.bulk_insert(rules, [{"name": k, "value": v} for k, v in DEFAULT_POINTS.items()])
    _fill_from_events(log, champions)


def _fill_from_events(log: sa.Table, champions: sa.Table) -> None:
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("seq", sa.Integer),
        sa.column("proposal", sa.String),
        sa.column("from_state", sa.String),
        sa.column("to_state", sa.String),
        sa.column("who", sa.String),
        sa.column("at", sa.DateTime),
        sa.column("note", sa.Text),
    )
    rows = bind.execute(sa.select(events).order_by(events.c.seq)).all()
    entries, champs = [], []
    for row in rows:
        if row.from_state is None:
            detail = {"to": row.to_state}
            champs.append({"proposal": row.proposal, "person": row.who})
            kind = "submitted"
        else:
            detail = {"from": row.from_state, "to": row.to_state}
            kind = "moved"
        if row.note:
            detail["note"] = row.note
        entries.append(
            {
                "kind": kind,
                "person": row.who,
                "at": row.at,
                "proposal": row.proposal,
                "detail": json.dumps(detail, sort_keys=True, separators=(",", ":")),
            }
        )
    if entries:
        op.bulk_insert(log, entries)
    if champs:
        op.bulk_insert(champions, champs)


def downgrade() -> None:
    """Drop the community's tables (revision 1's rows stay as they were)."""
    for statement in drop_append_only(op.get_context().dialect.name, "activities"):
        op.execute(statement)
    for table in (
        "activities",
        "champions",
        "points_rules",
        "stories",
        "campaign_answers",
        "campaigns",
        "comments",
        "votes",
        "people",
    ):
        op.drop_table(table)
