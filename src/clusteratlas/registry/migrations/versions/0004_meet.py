"""Cluster events with B2B matchmaking (issue 12).

Revision ID: 0004_meet
Revises: 0003_sessions
Create Date: 2026-12-02

New tables (see :mod:`clusteratlas.registry.models_meet`): ``meet_event`` (the event's TOML
definition and its indexed facts, status, request limit, the last schedule's status, bound
and gap), ``meet_organiser``, ``meet_participant``, ``meet_availability`` (private),
``meet_item`` (marketplace offers and requests), ``meet_request`` (unique per unordered pair
of an event), ``meet_meeting`` (slot, table, private notes; one meeting per slot and table)
and ``meet_rating``. Nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_meet"
down_revision = "0003_sessions"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _fk(column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], ondelete=ondelete)


def upgrade() -> None:
    """Create the eight ``meet_*`` tables and their indexes."""
    op.create_table(
        "meet_event",
        _id(),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("time_zone", sa.String(length=60), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("registration_opens", sa.DateTime(), nullable=True),
        sa.Column("registration_closes", sa.DateTime(), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("request_limit", sa.Integer(), nullable=False),
        sa.Column("schedule_status", sa.String(length=12), nullable=True),
        sa.Column("schedule_objective", sa.Float(), nullable=True),
        sa.Column("schedule_bound", sa.Float(), nullable=True),
        sa.Column("schedule_gap", sa.Float(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        _created(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_index(op.f("ix_meet_event_status"), "meet_event", ["status"], unique=False)
    op.create_table(
        "meet_organiser",
        _id(),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        _created(),
        _fk("event_id", "meet_event.id"),
        _fk("granted_by", "app_user.id", "SET NULL"),
        _fk("user_id", "app_user.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "user_id"),
    )
    op.create_index(op.f("ix_meet_organiser_user_id"), "meet_organiser", ["user_id"])
    op.create_table(
        "meet_participant",
        _id(),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        _created(),
        _fk("event_id", "meet_event.id"),
        _fk("organisation_id", "organisation.id"),
        _fk("user_id", "app_user.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "user_id"),
    )
    op.create_index(op.f("ix_meet_participant_event_id"), "meet_participant", ["event_id"])
    op.create_index(
        op.f("ix_meet_participant_organisation_id"), "meet_participant", ["organisation_id"]
    )
    op.create_table(
        "meet_availability",
        _id(),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False),
        _fk("participant_id", "meet_participant.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("participant_id", "slot"),
    )
    op.create_index(
        op.f("ix_meet_availability_participant_id"), "meet_availability", ["participant_id"]
    )
    op.create_table(
        "meet_item",
        _id(),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("technologies", sa.JSON(), nullable=False),
        _created(),
        _fk("participant_id", "meet_participant.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_meet_item_participant_id"), "meet_item", ["participant_id"])
    op.create_table(
        "meet_request",
        _id(),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("pair_low", sa.Integer(), nullable=False),
        sa.Column("pair_high", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        _created(),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _fk("event_id", "meet_event.id"),
        _fk("from_id", "meet_participant.id"),
        _fk("proposed_by", "app_user.id", "SET NULL"),
        _fk("to_id", "meet_participant.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "pair_low", "pair_high"),
    )
    op.create_index(op.f("ix_meet_request_event_id"), "meet_request", ["event_id"])
    op.create_table(
        "meet_meeting",
        _id(),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note_a", sa.Text(), nullable=True),
        sa.Column("note_b", sa.Text(), nullable=True),
        _created(),
        _fk("a_id", "meet_participant.id"),
        _fk("b_id", "meet_participant.id"),
        _fk("event_id", "meet_event.id"),
        _fk("request_id", "meet_request.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "slot", "table_no"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index(op.f("ix_meet_meeting_event_id"), "meet_meeting", ["event_id"])
    op.create_table(
        "meet_rating",
        _id(),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("cooperation", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        _created(),
        _fk("meeting_id", "meet_meeting.id"),
        _fk("participant_id", "meet_participant.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "participant_id"),
    )
    op.create_index(op.f("ix_meet_rating_meeting_id"), "meet_rating", ["meeting_id"])


def downgrade() -> None:
    """Drop the ``meet_*`` tables (their data is lost)."""
    for table, index in (
        ("meet_rating", "meeting_id"),
        ("meet_meeting", "event_id"),
        ("meet_request", "event_id"),
        ("meet_item", "participant_id"),
        ("meet_availability", "participant_id"),
        ("meet_participant", "organisation_id"),
        ("meet_participant", "event_id"),
        ("meet_organiser", "user_id"),
        ("meet_event", "status"),
    ):
        op.drop_index(op.f(f"ix_{table}_{index}"), table_name=table)
    for table in (
        "meet_rating", "meet_meeting", "meet_request", "meet_item", "meet_availability",
        "meet_participant", "meet_organiser", "meet_event",
    ):  # fmt: skip
        op.drop_table(table)
