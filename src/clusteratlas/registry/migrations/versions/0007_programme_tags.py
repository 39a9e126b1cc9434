"""Hand corrections of the training programmes' ESCO tags.

Revision ID: 0007_programme_tags
Revises: 0006_meet_signup
Create Date: 2026-12-02

One new table (nothing existing changes): ``programme_tag_correction``, one row per
programme (the seed's string id) and ESCO skill URI, with the action (``add`` or
``remove``), who made it and when. A later correction of the same pair replaces the row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_programme_tags"
down_revision = "0006_meet_signup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``programme_tag_correction``."""
    op.create_table(
        "programme_tag_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=100), nullable=False),
        sa.Column("skill_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "skill_id"),
    )
    op.create_index(
        "ix_programme_tag_correction_programme_id", "programme_tag_correction", ["programme_id"]
    )


def downgrade() -> None:
    """Drop ``programme_tag_correction``."""
    op.drop_table("programme_tag_correction")
