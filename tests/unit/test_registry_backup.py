# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Registry backups: dump, wipe, restore, and every table compared row by row.

Runs on SQLite, and on PostgreSQL under ``pg_virtualenv`` (``DATABASE_URL`` set), where the
JSON dump is the default format and sequences must move past the restored ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _registry_support import factory, mirror, registry_url  # noqa: F401
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import ParameterError
from clusteratlas.registry import (
    add_comment,
    create_organisation,
    create_post,
    create_token,
    create_user,
    express_interest,
    follow_post,
    seed_registry,
    update_organisation,
)
from clusteratlas.registry.backup import backup_registry, restore_registry
from clusteratlas.registry.models import Base


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every registry table, ordered by primary key."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(*table.columns).order_by(*table.primary_key.columns)
                ).all()
            ]
            for table in Base.metadata.sorted_tables
        }


def populate(factory: sessionmaker[Session], mirror: Path) -> None:
    with factory() as session:
        seed_registry(session, data_dir=mirror)
        admin = create_user(
            session, email="admin@example.org", password="s3cret-Pass!", role="admin"
        )
        manager = create_user(session, email="m@example.org", password="an0ther-Pass!", name="Ma")
        create_token(session, user=admin, name="ci")
        org = create_organisation(
            session,
            actor=admin,
            data={"name": "Minalogic Backup", "country": "FR", "region": "FR71",
                  "management_fte": 12.5, "technologies": ["photonics", "é ü ß"]},
        )  # fmt: skip
        update_organisation(
            session, actor=admin, organisation_id=org.id, expected_version=org.version,
            changes={"description": "Line one\nline two, with 'quotes' and \"more\""},
        )  # fmt: skip
        post = create_post(
            session, actor=admin, organisation_id=org.id, kind="offer", title="A partner"
        )
        follow_post(session, actor=manager, post_id=post.id)
        express_interest(session, actor=manager, post_id=post.id, message="Interested")
        add_comment(session, actor=manager, post_id=post.id, body="Hello")
        session.commit()


def wipe_and_change(engine: Engine, factory: sessionmaker[Session]) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # as a fresh database: sequences at 1
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    with factory() as session:  # a row the backup does not have must go too
        admin = create_user(session, email="late@example.org", password="x-Pass-123!", role="admin")
        create_organisation(session, actor=admin, data={"name": "Late", "country": "DE"})
        session.commit()


@pytest.mark.parametrize("suffix", ["registry.backup", "registry.json.gz"])
def test_backup_wipe_restore_gives_every_row_back(
    registry_url: str, factory: sessionmaker[Session], mirror: Path, tmp_path: Path, suffix: str
) -> None:
    populate(factory, mirror)
    engine = factory.kw["bind"]
    before = table_rows(engine)
    populated = {name for name, rows in before.items() if rows}
    assert {
        "organisation",
        "app_user",
        "api_token",
        "post",
        "post_comment",
        "audit_log",
    } <= populated

    output = tmp_path / suffix
    counts = backup_registry(registry_url, output)
    json_format = suffix.endswith(".json.gz") or not registry_url.startswith("sqlite")
    if json_format:
        assert counts == {name: len(rows) for name, rows in before.items()}
    wipe_and_change(engine, factory)
    assert table_rows(engine) != before

    engine.dispose()
    restore_registry(registry_url, output)
    after = table_rows(engine)
    for name in before:
        assert after[name] == before[name], f"table {name} differs after the restore"

    with factory() as session:  # new rows get fresh ids (sequences moved past the restored)
        admin = create_user(
            session, email="new@example.org", password="n3w-Pass-word!", role="admin"
        )
        org = create_organisation(session, actor=admin, data={"name": "After", "country": "IT"})
        session.commit()
        assert org.id > max(row[0] for row in before["organisation"])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_restore_refuses_what_is_not_a_backup(registry_url: str, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ParameterError, match=r"notes\.json is not a registry backup"):
        restore_registry(registry_url, bogus)
    broken = tmp_path / "cut.json.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ParameterError, match=r"cut\.json\.gz"):
        restore_registry(registry_url, broken)
    with pytest.raises(ParameterError, match="no such file"):
        restore_registry(registry_url, tmp_path / "missing.json")


def test_restore_refuses_another_schema_revision(
    registry_url: str, factory: sessionmaker[Session], mirror: Path, tmp_path: Path
) -> None:
    populate(factory, mirror)
    output = tmp_path / "r.json"
    backup_registry(registry_url, output)
    output.write_text(output.read_text(encoding="utf-8").replace(
        '"revision":"', '"revision":"9999_future_', 1), encoding="utf-8")  # fmt: skip
    before = table_rows(factory.kw["bind"])
    with pytest.raises(ParameterError, match="schema revision '9999_future_"):
        restore_registry(registry_url, output)
    assert table_rows(factory.kw["bind"]) == before  # nothing changed
