"""The training offer as registry records: partnerships and programmes.

Revision ID: 0009_training_offer
Revises: 0008_organisation_kind
Create Date: 2026-12-04

Two new tables (nothing existing changes): ``training_partnership`` (a cluster
organisation ↔ training provider partnership: both organisation ids, nullable and set to
NULL when the organisation is deleted, with the key and name recorded alongside; purpose,
source, status ``active``/``ended``, start and end dates, a version counter) and
``training_programme`` (a provider's programme, ``programme_id`` the stable unique text id
that ``programme_tag_correction`` refers to; its details and their ``field_sources``). The
rows of the packaged seed are written by the application after migrating
(:func:`clusteratlas.registry.seed.seed_training_offer`), not here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_training_offer"
down_revision = "0008_organisation_kind"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    ]


def upgrade() -> None:
    """Create ``training_partnership`` and ``training_programme``."""
    op.create_table(
        "training_partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("provider_organisation_id", sa.Integer(), nullable=True),
        sa.Column("cluster_key", sa.String(length=200), nullable=False),
        sa.Column("cluster_name", sa.String(length=300), nullable=False),
        sa.Column("provider_id", sa.String(length=100), nullable=False),
        sa.Column("provider_name", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("purpose_status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["cluster_id"], ["organisation.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["provider_organisation_id"], ["organisation.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in (
        "cluster_id",
        "provider_organisation_id",
        "cluster_key",
        "provider_id",
        "status",
    ):
        op.create_index(f"ix_training_partnership_{column}", "training_partnership", [column])
    op.create_table(
        "training_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=100), nullable=False),
        sa.Column("provider_organisation_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_hours", sa.Float(), nullable=True),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("field_sources", sa.JSON(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["provider_organisation_id"], ["organisation.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id"),
    )
    for column in ("provider_organisation_id", "provider_id"):
        op.create_index(f"ix_training_programme_{column}", "training_programme", [column])


def downgrade() -> None:
    """Drop ``training_programme`` and ``training_partnership``."""
    op.drop_table("training_programme")
    op.drop_table("training_partnership")
