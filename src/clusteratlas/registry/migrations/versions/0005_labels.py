"""Label workflow: assessments, answers, evidence, reviews, awards and reviewer grants.

Revision ID: 0005_labels
Revises: 0004_meet
Create Date: 2026-12-02

New tables only (nothing existing changes):

* ``label_assessment``: one self-assessment of an organisation against a scheme version,
  its status (draft, submitted, changes_requested, accepted, rejected), its peer keys and
  timestamps; ``label_answer``: its answers (indicator, value, comment, origin, source).
* ``label_evidence``: a URL or an uploaded file (kept outside the database under
  ``CLUSTERATLAS_HOME/evidence`` by SHA-256; the hash, name, type and size are here).
* ``label_review``: a reviewer's decision with comments per indicator.
* ``label_award``: a label awarded, its validity and an early end with its reason.
* ``label_reviewer``: which users review which scheme (granted by an administrator).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_labels"
down_revision = "0004_meet"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _user(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([name], ["app_user.id"], ondelete="SET NULL")


def upgrade() -> None:
    """Create the six ``label_*`` tables."""
    op.create_table(
        "label_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=60), nullable=False),
        sa.Column("scheme_version", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("peer_country", sa.String(length=2), nullable=True),
        sa.Column("peer_ecosystem", sa.String(length=200), nullable=True),
        sa.Column("peer_size_band", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.Column("submitted_at", _TZ, nullable=True),
        sa.Column("decided_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        _user("created_by"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("organisation_id", "scheme", "status"):
        op.create_index(f"ix_label_assessment_{column}", "label_assessment", [column])
    op.create_table(
        "label_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["label_assessment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assessment_id", "indicator"),
    )
    op.create_index("ix_label_answer_assessment_id", "label_answer", ["assessment_id"])
    op.create_table(
        "label_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=80), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("media_type", sa.String(length=120), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["label_assessment.id"], ondelete="CASCADE"),
        _user("uploaded_by"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_label_evidence_assessment_id", "label_evidence", ["assessment_id"])
    op.create_index("ix_label_evidence_sha256", "label_evidence", ["sha256"])
    op.create_table(
        "label_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("indicator_comments", sa.JSON(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["label_assessment.id"], ondelete="CASCADE"),
        _user("reviewer_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_label_review_assessment_id", "label_review", ["assessment_id"])
    op.create_table(
        "label_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=60), nullable=False),
        sa.Column("scheme_version", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=60), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("score_share", sa.Float(), nullable=True),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("awarded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assessment_id"], ["label_assessment.id"], ondelete="SET NULL"),
        _user("awarded_by"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("organisation_id", "scheme", "valid_until"):
        op.create_index(f"ix_label_award_{column}", "label_award", [column])
    op.create_table(
        "label_reviewer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=60), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        _user("granted_by"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "scheme"),
    )
    op.create_index("ix_label_reviewer_user_id", "label_reviewer", ["user_id"])


def downgrade() -> None:
    """Drop the ``label_*`` tables of this revision (evidence files on disk are kept)."""
    for table in (
        "label_reviewer",
        "label_award",
        "label_review",
        "label_evidence",
        "label_answer",
        "label_assessment",
    ):
        op.drop_table(table)
