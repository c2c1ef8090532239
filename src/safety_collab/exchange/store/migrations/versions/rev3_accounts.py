"""Revision 3: sign-in credentials for the exchange's web site.

Adds ``credentials``: one password hash per person (a hash string made by the
web site's hasher, never the password), and when it was set. The table is
not part of the exchange's files: exporting an exchange leaves it out, and
importing one never touches it.

Revision ID: rev3_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rev3_accounts"
down_revision: str | None = "rev2_community"
branch_labels: str | None = None
depends_on: str | None = None

ID = 200


def upgrade() -> None:
    """Create the credentials table (no rows: nobody has a password yet)."""
    op.create_table(
        "credentials",
        sa.Column("person", sa.String(ID), sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("changed", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop the credentials table."""
    op.drop_table("credentials")
