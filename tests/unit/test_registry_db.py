# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
from __future__ import annotations

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from clusteratlas.registry import (
    create_organisation,
    database_url,
    make_engine,
    migrate,
    search_organisations,
)
from clusteratlas.registry.models import Base


def test_default_url_is_sqlite_in_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url().endswith("registry.sqlite")
    assert database_url().startswith("sqlite:///")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://")
    assert database_url() == "postgresql+psycopg://"
    assert database_url("sqlite://") == "sqlite://"


def test_migration_creates_every_table(registry_url: str) -> None:
    engine = make_engine(registry_url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {t.name for t in Base.metadata.sorted_tables} <= names
    assert "alembic_version" in names


def _schema(url: str) -> tuple[str | None, dict[str, list[str]], int]:
    engine = make_engine(url)
    inspector = inspect(engine)
    columns = {
        t: sorted(c["name"] for c in inspector.get_columns(t)) for t in inspector.get_table_names()
    }
    with engine.connect() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        rows = connection.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar()
    engine.dispose()
    return head, columns, int(rows or 0)


def test_migrate_twice_is_a_no_op(factory) -> None:  # type: ignore[no-untyped-def]
    with factory() as session:
        create_organisation(session, actor=None, data={"name": "Kept Cluster", "country": "DE"})
        session.commit()
    url = str(factory.kw["bind"].url.render_as_string(hide_password=False))
    before = _schema(url)
    assert before[0] is not None and before[2] == 1
    migrate(url)
    assert _schema(url) == before  # same revision, same tables and columns
    with factory() as session:  # and the data is untouched
        assert search_organisations(session).total == 1
        assert search_organisations(session).items[0].name == "Kept Cluster"


def test_sqlite_pragmas(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_full_text_index_exists(session: Session) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        found = session.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'organisation_fts'")
        ).scalar()
        assert found == "organisation_fts"
    else:
        assert dialect == "postgresql", dialect
        index = session.execute(
            text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_organisation_search_vector'"
            )
        ).scalar()
        assert index is not None and "search_vector" in index


@pytest.mark.postgres
def test_postgres_tsvector_and_gin(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    generated = session.execute(
        text(
            "SELECT is_generated FROM information_schema.columns "
            "WHERE table_name = 'organisation' AND column_name = 'search_vector'"
        )
    ).scalar()
    assert generated == "ALWAYS"
    index = session.execute(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_organisation_search_vector'")
    ).scalar()
    assert index is not None and "gin" in index.lower()
