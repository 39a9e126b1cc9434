"""Initial schema: every registry table and the full-text index.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26

Full text (on ``name``, ``acronym``, ``description`` and ``technologies``):

* SQLite: an external-content FTS5 table ``organisation_fts`` (tokenizer ``unicode61`` with
  diacritics removed) kept in sync with ``organisation`` by three triggers;
* PostgreSQL: a stored generated ``tsvector`` column ``organisation.search_vector``
  (``to_tsvector('simple', …)``, no stemming, as FTS5) with a GIN index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_FTS_COLUMNS = "name, acronym, description, technologies"
_NEW = "new.id, new.name, new.acronym, new.description, new.technologies"
_OLD = "'delete', old.id, old.name, old.acronym, old.description, old.technologies"
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE organisation_fts USING fts5("
    f"{_FTS_COLUMNS}, content='organisation', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER organisation_fts_ai AFTER INSERT ON organisation BEGIN "
    f"INSERT INTO organisation_fts(rowid, {_FTS_COLUMNS}) VALUES ({_NEW}); END",
    "CREATE TRIGGER organisation_fts_ad AFTER DELETE ON organisation BEGIN "
    f"INSERT INTO organisation_fts(organisation_fts, rowid, {_FTS_COLUMNS}) VALUES ({_OLD}); END",
    "CREATE TRIGGER organisation_fts_au AFTER UPDATE ON organisation BEGIN "
    f"INSERT INTO organisation_fts(organisation_fts, rowid, {_FTS_COLUMNS}) VALUES ({_OLD}); "
    f"INSERT INTO organisation_fts(rowid, {_FTS_COLUMNS}) VALUES ({_NEW}); END",
]
_PG_FTS = [
    "ALTER TABLE organisation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(acronym, '') || ' ' || "
    "coalesce(description, '') || ' ' || coalesce(technologies::text, ''))) STORED",
    "CREATE INDEX ix_organisation_search_vector ON organisation USING gin (search_vector)",
]


def _create_full_text() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": _SQLITE_FTS, "postgresql": _PG_FTS}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def _drop_full_text() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS organisation_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS organisation_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_organisation_search_vector")
        op.execute("ALTER TABLE organisation DROP COLUMN IF EXISTS search_vector")


def upgrade() -> None:
    """Create every table, then the dialect's full-text index."""
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("acronym", sa.String(length=60), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=12), nullable=True),
        sa.Column("region_name", sa.String(length=200), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("founding_year", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("management_fte", sa.Float(), nullable=True),
        sa.Column("members_sme", sa.Integer(), nullable=True),
        sa.Column("members_large", sa.Integer(), nullable=True),
        sa.Column("members_startup", sa.Integer(), nullable=True),
        sa.Column("members_research", sa.Integer(), nullable=True),
        sa.Column("members_public", sa.Integer(), nullable=True),
        sa.Column("members_other", sa.Integer(), nullable=True),
        sa.Column("technologies", sa.JSON(), nullable=False),
        sa.Column("field_sources", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(op.f("ix_organisation_country"), "organisation", ["country"], unique=False)
    op.create_index(op.f("ix_organisation_name"), "organisation", ["name"], unique=False)
    op.create_index(op.f("ix_organisation_region"), "organisation", ["region"], unique=False)
    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_index(
        op.f("ix_app_user_organisation_id"), "app_user", ["organisation_id"], unique=False
    )
    op.create_table(
        "label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=60), nullable=False),
        sa.Column("level", sa.String(length=60), nullable=False),
        sa.Column("awarded", sa.String(length=40), nullable=True),
        sa.Column("valid_until", sa.String(length=40), nullable=True),
        sa.Column("duration", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "scheme", "level"),
    )
    op.create_index(op.f("ix_label_organisation_id"), "label", ["organisation_id"], unique=False)
    op.create_table(
        "member_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("member_type", sa.String(length=20), nullable=False),
        sa.Column("classification", sa.String(length=10), nullable=True),
        sa.Column("industry_code", sa.String(length=20), nullable=True),
        sa.Column("region", sa.String(length=12), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    op.create_index(
        op.f("ix_member_organisation_organisation_id"),
        "member_organisation",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "organisation_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "kind", "value"),
    )
    op.create_index(
        op.f("ix_organisation_tag_organisation_id"),
        "organisation_tag",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(op.f("ix_organisation_tag_value"), "organisation_tag", ["value"], unique=False)
    op.create_table(
        "partnership_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_id", "organisation_id"),
    )
    op.create_index(
        op.f("ix_partnership_member_organisation_id"),
        "partnership_member",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_partnership_member_partnership_id"),
        "partnership_member",
        ["partnership_id"],
        unique=False,
    )
    op.create_table(
        "support_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    op.create_index(
        op.f("ix_support_programme_organisation_id"),
        "support_programme",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prefix"),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_entity"), "audit_log", ["entity"], unique=False)
    op.create_index(op.f("ix_audit_log_entity_id"), "audit_log", ["entity_id"], unique=False)
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_post_organisation_id"), "post", ["organisation_id"], unique=False)
    op.create_table(
        "post_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_post_comment_post_id"), "post_comment", ["post_id"], unique=False)
    op.create_table(
        "post_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "user_id"),
    )
    op.create_index(op.f("ix_post_follow_post_id"), "post_follow", ["post_id"], unique=False)
    op.create_table(
        "post_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "user_id"),
    )
    op.create_index(op.f("ix_post_interest_post_id"), "post_interest", ["post_id"], unique=False)
    _create_full_text()


def downgrade() -> None:
    """Drop the full-text index, then every table."""
    _drop_full_text()
    op.drop_index(op.f("ix_post_interest_post_id"), table_name="post_interest")
    op.drop_table("post_interest")
    op.drop_index(op.f("ix_post_follow_post_id"), table_name="post_follow")
    op.drop_table("post_follow")
    op.drop_index(op.f("ix_post_comment_post_id"), table_name="post_comment")
    op.drop_table("post_comment")
    op.drop_index(op.f("ix_post_organisation_id"), table_name="post")
    op.drop_table("post")
    op.drop_index(op.f("ix_audit_log_entity_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_entity"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_api_token_user_id"), table_name="api_token")
    op.drop_table("api_token")
    op.drop_index(op.f("ix_support_programme_organisation_id"), table_name="support_programme")
    op.drop_table("support_programme")
    op.drop_index(op.f("ix_partnership_member_partnership_id"), table_name="partnership_member")
    op.drop_index(op.f("ix_partnership_member_organisation_id"), table_name="partnership_member")
    op.drop_table("partnership_member")
    op.drop_index(op.f("ix_organisation_tag_value"), table_name="organisation_tag")
    op.drop_index(op.f("ix_organisation_tag_organisation_id"), table_name="organisation_tag")
    op.drop_table("organisation_tag")
    op.drop_index(op.f("ix_member_organisation_organisation_id"), table_name="member_organisation")
    op.drop_table("member_organisation")
    op.drop_index(op.f("ix_label_organisation_id"), table_name="label")
    op.drop_table("label")
    op.drop_index(op.f("ix_app_user_organisation_id"), table_name="app_user")
    op.drop_table("app_user")
    op.drop_table("partnership")
    op.drop_index(op.f("ix_organisation_region"), table_name="organisation")
    op.drop_index(op.f("ix_organisation_name"), table_name="organisation")
    op.drop_index(op.f("ix_organisation_country"), table_name="organisation")
    op.drop_table("organisation")
