"""Full text over the labels around an organisation, not only its own words.

Revision ID: 0002_search
Revises: 0001_initial
Create Date: 2026-12-01

Adds ``organisation.search_text`` (a derived document: category, NACE/NAICS, ecosystem,
value-chain and partnership labels, in English and French where the classifications have
them, kept by :mod:`clusteratlas.registry.search_index`) and ``partnership.sectors``
(NACE/NAICS codes of a partnership's field), then rebuilds the full-text index over
``name, acronym, description, technologies, search_text``:

* SQLite: the FTS5 table ``organisation_fts`` and its three triggers are re-created with the
  new column and rebuilt from the content table;
* PostgreSQL: the generated ``search_vector`` column (and its GIN index) is re-created with the
  new column.

The documents of existing organisations are filled by
:func:`~clusteratlas.registry.search_index.reindex` (Core queries only, so the migration does
not depend on later ORM models).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def _sqlite_fts(columns: list[str]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in ["id", *columns])
    old = ", ".join(f"old.{c}" for c in ["id", *columns])
    return [
        "CREATE VIRTUAL TABLE organisation_fts USING fts5("
        f"{names}, content='organisation', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')",
        "CREATE TRIGGER organisation_fts_ai AFTER INSERT ON organisation BEGIN "
        f"INSERT INTO organisation_fts(rowid, {names}) VALUES ({new}); END",
        "CREATE TRIGGER organisation_fts_ad AFTER DELETE ON organisation BEGIN "
        f"INSERT INTO organisation_fts(organisation_fts, rowid, {names}) "
        f"VALUES ('delete', {old}); END",
        "CREATE TRIGGER organisation_fts_au AFTER UPDATE ON organisation BEGIN "
        f"INSERT INTO organisation_fts(organisation_fts, rowid, {names}) "
        f"VALUES ('delete', {old}); "
        f"INSERT INTO organisation_fts(rowid, {names}) VALUES ({new}); END",
        "INSERT INTO organisation_fts(organisation_fts) VALUES ('rebuild')",
    ]


def _pg_fts(columns: list[str]) -> list[str]:
    parts = " || ' ' || ".join(
        f"coalesce({c}::text, '')" if c == "technologies" else f"coalesce({c}, '')" for c in columns
    )
    return [
        "ALTER TABLE organisation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"to_tsvector('simple', {parts})) STORED",
        "CREATE INDEX ix_organisation_search_vector ON organisation USING gin (search_vector)",
    ]


_BEFORE = ["name", "acronym", "description", "technologies"]
_AFTER = [*_BEFORE, "search_text"]


def _drop_full_text(dialect: str) -> None:
    if dialect == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS organisation_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS organisation_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_organisation_search_vector")
        op.execute("ALTER TABLE organisation DROP COLUMN IF EXISTS search_vector")


def _create_full_text(dialect: str, columns: list[str]) -> None:
    statements = {"sqlite": _sqlite_fts(columns), "postgresql": _pg_fts(columns)}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    """Add the derived document and the partnership sectors; index them; fill them."""
    dialect = op.get_bind().dialect.name
    _drop_full_text(dialect)
    op.add_column("organisation", sa.Column("search_text", sa.Text(), nullable=True))
    op.add_column(
        "partnership",
        sa.Column("sectors", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    _create_full_text(dialect, _AFTER)
    from clusteratlas.registry.search_index import reindex

    reindex(op.get_bind())


def downgrade() -> None:
    """Return to the index of revision 0001 (the derived document is dropped)."""
    dialect = op.get_bind().dialect.name
    _drop_full_text(dialect)
    with op.batch_alter_table("partnership") as batch:
        batch.drop_column("sectors")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("search_text")
    _create_full_text(dialect, _BEFORE)
