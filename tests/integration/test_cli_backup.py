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
        run_cli("registry", "restore", bogus, "--db", db, "--yes"),
        str(bogus),
        "not a registry backup",
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


def test_registry_upgrade_migrates_and_seeds_once(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
    from _registry_support import write_mirror

    mirror = write_mirror(tmp_path / "mirror")
    db = tmp_path / "registry.sqlite"
    proc = run_cli("registry", "upgrade", "--db", db, data=mirror)
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as con:
        (revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
        (count,) = con.execute("SELECT count(*) FROM organisation").fetchone()
    assert revision in " ".join(proc.stdout.split())
    # The tiny mirror names 2 US + 4 French + 3 Silicon Europe + 2 EU organisations, with
    # Silicon Saxony and Minalogic in two lists each: at least the 2 US ones, never 0.
    assert count >= 2
    again = run_cli("registry", "upgrade", "--db", db, data=mirror)
    assert again.returncode == 0, again.stderr
    assert "seeded" not in again.stdout  # already seeded: nothing added twice
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM organisation").fetchone() == (count,)
