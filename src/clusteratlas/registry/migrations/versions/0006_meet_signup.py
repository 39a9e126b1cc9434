"""Self-service sign-up: e-mail verification tokens, a mail outbox, the participant role.

Revision ID: 0006_meet_signup
Revises: 0005_labels
Create Date: 2026-12-02

* ``email_verification``: one row per signed-up account, the SHA-256 hash of its token, when
  it expires and when the address was confirmed (accounts made by administrators have none).
* ``mail_outbox``: messages the server would have mailed (no mail server is configured).
* ``app_user.role`` widens from 10 to 20 characters for the ``participant`` role.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_meet_signup"
down_revision = "0005_labels"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``email_verification`` and ``mail_outbox``; widen ``app_user.role``."""
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("role", existing_type=sa.String(length=10), type_=sa.String(length=20))
    op.create_table(
        "email_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("verified_at", _TZ, nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mail_outbox_recipient", "mail_outbox", ["recipient"])


def downgrade() -> None:
    """Drop the two tables and narrow ``app_user.role`` back (participants become public)."""
    op.drop_index("ix_mail_outbox_recipient", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("email_verification")
    op.execute("UPDATE app_user SET role = 'public' WHERE role = 'participant'")
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("role", existing_type=sa.String(length=20), type_=sa.String(length=10))
