"""Self-service sign-up: e-mail verification tokens, a mail outbox, the participant role.

Revision ID: 0006_meet_signup
Revises: 0005_labels
Create Date: 2026-12-02

* ``email_verification``: one row per signed-up account, the SHA-256 hash of its token, when
  it expires and when the address was confirmed (accounts made by administrators have none).
* ``mail_outbox``: messages the server would have mailed (no mail server is configured).
* ``app_user.role`` widens from 10 to 20 characters for the ``participant`` role.
* ``organisation_proposal``: organisations proposed by participants, pending an
  administrator's decision; ``meet_participant.proposal_id`` points at one, and
  ``meet_participant.organisation_id`` may be empty while it is pending.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_meet_signup"
down_revision = "0006_skills"
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
    op.create_table(
        "organisation_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", _TZ, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["proposed_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_organisation_proposal_status", "organisation_proposal", ["status"])
    with op.batch_alter_table("meet_participant") as batch:
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_meet_participant_proposal_id",
            "organisation_proposal",
            ["proposal_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    """Drop the new tables and columns (participants of pending organisations go too)."""
    op.execute("DELETE FROM meet_participant WHERE organisation_id IS NULL")
    with op.batch_alter_table("meet_participant") as batch:
        batch.drop_constraint("fk_meet_participant_proposal_id", type_="foreignkey")
        batch.drop_column("proposal_id")
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_organisation_proposal_status", table_name="organisation_proposal")
    op.drop_table("organisation_proposal")
    op.drop_index("ix_mail_outbox_recipient", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("email_verification")
    op.execute("UPDATE app_user SET role = 'public' WHERE role = 'participant'")
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("role", existing_type=sa.String(length=20), type_=sa.String(length=10))
