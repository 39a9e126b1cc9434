"""The kind of an organisation: cluster organisation or training provider.

Revision ID: 0008_organisation_kind
Revises: 0007_programme_tags
Create Date: 2026-12-04

One new column ``organisation.kind`` (``String(40)``, NOT NULL, server default
``'cluster organisation'``): every existing row becomes a cluster organisation. The allowed
values are :data:`clusteratlas.registry.models.ORG_KINDS`, checked by the services and the
API (not by the database, so that a new kind needs no migration). On SQLite the table is
rebuilt in batch mode (``registry.migrate`` runs it with foreign keys off).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_organisation_kind"
down_revision = "0007_programme_tags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``organisation.kind``; existing rows get ``'cluster organisation'``."""
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.String(length=40),
                nullable=False,
                server_default="cluster organisation",
            )
        )
    op.create_index("ix_organisation_kind", "organisation", ["kind"])


def downgrade() -> None:
    """Drop ``organisation.kind``."""
    op.drop_index("ix_organisation_kind", table_name="organisation")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("kind")
