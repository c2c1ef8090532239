"""The exchange store's tables at the newest revision (SQLAlchemy Core).

The migrations under ``migrations/versions`` build these tables step by step
and never import this module: each revision says what it creates. A test
checks that a database migrated to the head has exactly these columns.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

__all__ = [
    "APPEND_ONLY",
    "ID",
    "UTCDateTime",
    "activities",
    "campaign_answers",
    "campaigns",
    "champions",
    "comments",
    "credentials",
    "events",
    "meta",
    "metadata",
    "people",
    "points_rules",
    "proposals",
    "stories",
    "votes",
]

ID = 200
"""Longest id (proposal, person, comment, campaign) a column holds."""

APPEND_ONLY = ("events", "activities")
"""The tables the database itself keeps append-only (triggers refuse UPDATE and DELETE)."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC date and time, stored naive in UTC (the same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stamp: dt.datetime = value
        return stamp.replace(tzinfo=dt.UTC)


metadata = MetaData()

meta = Table(
    "exchange_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

proposals = Table(
    "proposals",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(ID), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("organisation", String(ID), nullable=False),
    Column("priorities", Text, nullable=False),
    Column("theme", String(ID), nullable=False),
    Column("safety_area", String(ID), nullable=False),
    Column("evidence", String(64), nullable=False),
    Column("investment", BigInteger, nullable=False),
    Column("expected_effect", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("builds_on", String(ID)),
    Column("stage", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("changed", UTCDateTime, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("proposal", String(ID), ForeignKey("proposals.id"), nullable=False, index=True),
    Column("from_state", String(64)),
    Column("to_state", String(64), nullable=False),
    Column("who", String(ID), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("organisation", String(ID), nullable=False),
    Column("roles", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
)

votes = Table(
    "votes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("person", String(ID), ForeignKey("people.id"), nullable=False),
    Column("proposal", String(ID), ForeignKey("proposals.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("person", "proposal", name="uq_votes_person_proposal"),
)

comments = Table(
    "comments",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(ID), nullable=False, unique=True),
    Column("proposal", String(ID), ForeignKey("proposals.id"), nullable=False, index=True),
    Column("person", String(ID), ForeignKey("people.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("reply_to", String(ID), ForeignKey("comments.id")),
    Column("hidden", Text),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("title", Text, nullable=False),
    Column("priority", String(ID), nullable=False),
    Column("need", Text, nullable=False),
    Column("opens", Date, nullable=False),
    Column("closes", Date, nullable=False),
)

campaign_answers = Table(
    "campaign_answers",
    metadata,
    Column("proposal", String(ID), ForeignKey("proposals.id"), primary_key=True),
    Column("campaign", String(ID), ForeignKey("campaigns.id"), nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("proposal", String(ID), ForeignKey("proposals.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

points_rules = Table(
    "points_rules",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

champions = Table(
    "champions",
    metadata,
    Column("proposal", String(ID), ForeignKey("proposals.id"), primary_key=True),
    Column("person", String(ID), nullable=False),
)

activities = Table(
    "activities",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("person", String(ID), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("proposal", String(ID)),
    Column("detail", Text, nullable=False),
)

credentials = Table(
    "credentials",
    metadata,
    Column("person", String(ID), ForeignKey("people.id"), primary_key=True),
    Column("hash", Text, nullable=False),
    Column("changed", UTCDateTime, nullable=False),
)
