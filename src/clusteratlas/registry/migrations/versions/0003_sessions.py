"""Server-side sessions; API tokens with expiry dates and scopes.

Revision ID: 0003_sessions
Revises: 0001_initial
Create Date: 2026-12-01

* New table ``user_session``: one row per sign-in (hashed session id, absolute expiry, last
  seen for the idle timeout, revocation time, client address and user agent).
* ``api_token`` gains ``expires_at`` and ``scopes`` (space-separated ``read``, ``write``,
  ``admin``).

Existing tokens keep working: they are given every scope (``read write admin``, which is what
they could do before; the user's role still limits what they may do) and an expiry
:data:`LEGACY_TOKEN_DAYS` days after this migration runs, so that no token lives for ever.
Revoked tokens stay revoked.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0003_sessions"
down_revision = "0002_search"
branch_labels = None
depends_on = None

LEGACY_TOKEN_DAYS = 90
"""Days that tokens created before this revision remain valid after it."""


def upgrade() -> None:
    """Create ``user_session``; add ``expires_at`` and ``scopes`` to ``api_token``."""
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"], unique=False)
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column(
                "scopes",
                sa.String(length=40),
                nullable=False,
                server_default="read write admin",
            )
        )
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=LEGACY_TOKEN_DAYS)
    token = sa.table("api_token", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(token.update().values(expires_at=expiry))


def downgrade() -> None:
    """Drop ``user_session`` and the new ``api_token`` columns."""
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("scopes")
        batch.drop_column("expires_at")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_table("user_session")
