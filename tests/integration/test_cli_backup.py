"""``clusteratlas registry backup|restore`` and ``store backup|restore`` as a subprocess."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
from _cli import assert_one_line_error, run_cli

from clusteratlas.registry import create_user, make_engine, make_session_factory, migrate
from clusteratlas.store import Store


def rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT id, email, role, name FROM app_user ORDER BY id").fetchall()


def test_registry_backup_and_restore_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "registry.sqlite"
    url = f"sqlite:///{db}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        create_user(session, email="a@example.org", password="pass-word-1!", role="admin", name="A")
        session.commit()
    engine.dispose()
    before = rows(db)
    for output in (tmp_path / "copy.sqlite", tmp_path / "dump.json.gz"):
        proc = run_cli("registry", "backup", "--db", db, "--output", output)
        assert proc.returncode == 0, proc.stderr
        with sqlite3.connect(db) as con:
            con.execute("DELETE FROM app_user")
        assert rows(db) == []
        refused = run_cli("registry", "restore", output, "--db", db)
        assert_one_line_error(refused, "--yes")
        proc = run_cli("registry", "restore", output, "--db", db, "--yes")
        assert proc.returncode == 0, proc.stderr
        assert rows(db) == before
    bogus = tmp_path / "bogus.json"
    bogus.write_text("[1, 2]", encoding="utf-8")
    assert_one_line_error(
        run_cli("registry", "restore", bogus, "--db", db, "--yes"), str(bogus), "not a registry backup"
    )


def test_store_backup_and_restore_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "atlas.duckdb"
    Store(db).write("map_x", pd.DataFrame({"region": ["DE11"], "lq": [1.5]}), metadata={"y": 1})
    output = tmp_path / "atlas-copy.duckdb"
    proc = run_cli("store", "backup", "--db", db, "--output", output)
    assert proc.returncode == 0, proc.stderr
    Store(db).write("map_x", pd.DataFrame({"region": ["FR10"], "lq": [0.5]}))
    proc = run_cli("store", "restore", output, "--db", db, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert Store(db).read("map_x").to_dict("list") == {"region": ["DE11"], "lq": [1.5]}
    assert_one_line_error(
        run_cli("store", "restore", tmp_path / "none.duckdb", "--db", db, "--yes"), "no such file"
    )
