"""Skill needs of cluster organisations.

Revision ID: 0006_skills
Revises: 0005_labels
Create Date: 2026-12-02

One new table (nothing existing changes): ``skill_need``, a need posted by a cluster
organisation for its members: free text and/or ESCO skill URIs (a JSON list), number of
people, region, horizon, preferred format, status (open or withdrawn) and a version counter
for optimistic concurrency.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_skills"
down_revision = "0005_labels"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``skill_need``."""
    op.create_table(
        "skill_need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=12), nullable=False),
        sa.Column("horizon", sa.String(length=60), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("organisation_id", "status"):
        op.create_index(f"ix_skill_need_{column}", "skill_need", [column])


def downgrade() -> None:
    """Drop ``skill_need``."""
    op.drop_table("skill_need")
