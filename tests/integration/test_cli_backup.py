"""``clusteratlas registry backup|restore`` and ``store backup|restore`` as a subprocess."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
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


def _evidence_registry(tmp_path: Path, digests: list[str]) -> Path:
    """A registry with one assessment whose evidence names ``digests`` (and a web address)."""
    from clusteratlas.registry.models import Organisation
    from clusteratlas.registry.models_labels import LabelAssessment, LabelEvidence

    db = tmp_path / "registry.sqlite"
    url = f"sqlite:///{db}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        organisation = Organisation(key="test:1", name="Test cluster", country="FR")
        session.add(organisation)
        session.flush()
        assessment = LabelAssessment(
            organisation_id=organisation.id, scheme="esca", scheme_version="1"
        )
        session.add(assessment)
        session.flush()
        for digest in digests:
            session.add(LabelEvidence(assessment_id=assessment.id, indicator="I1", sha256=digest))
        session.add(
            LabelEvidence(
                assessment_id=assessment.id, indicator="I2", url="https://example.org/report"
            )
        )
        session.commit()
    engine.dispose()
    return db


def _store(folder: Path, content: bytes) -> str:
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    path = folder / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return digest


def test_registry_backup_and_restore_carry_the_evidence_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(tmp_path / "home"))
    store = tmp_path / "home" / "evidence"
    first, second = _store(store, b"%PDF-1.4 report"), _store(store, b"minutes of the board")
    unreferenced = _store(store, b"an upload whose assessment was deleted")
    db = _evidence_registry(tmp_path, [first, second, second])
    backup, copies = tmp_path / "registry.json.gz", tmp_path / "evidence-backup"
    proc = run_cli("registry", "backup", "--db", db, "--output", backup, "--evidence", copies)
    assert proc.returncode == 0, proc.stderr
    assert "2 copied, 0 already in place" in proc.stdout
    assert sorted(p.name for p in copies.glob("*/*")) == sorted([first, second])
    assert not (copies / unreferenced[:2] / unreferenced).exists()
    # A second backup into the same folder copies nothing again.
    proc = run_cli("registry", "backup", "--db", db, "--output", backup, "--evidence", copies)
    assert "0 copied, 2 already in place" in proc.stdout
    # The evidence store is lost; restoring brings back both files, byte for byte.
    import shutil

    shutil.rmtree(store)
    proc = run_cli("registry", "restore", backup, "--db", db, "--yes", "--evidence", copies)
    assert proc.returncode == 0, proc.stderr
    assert "2 copied" in proc.stdout
    assert (store / first[:2] / first).read_bytes() == b"%PDF-1.4 report"
    assert (store / second[:2] / second).read_bytes() == b"minutes of the board"


def test_registry_backup_names_missing_and_damaged_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(tmp_path / "home"))
    store = tmp_path / "home" / "evidence"
    kept = _store(store, b"kept")
    damaged = _store(store, b"original")
    (store / damaged[:2] / damaged).write_bytes(b"overwritten by hand")
    missing = "ab" * 32
    db = _evidence_registry(tmp_path, [kept, damaged, missing])
    backup, copies = tmp_path / "registry.json", tmp_path / "evidence-backup"
    proc = run_cli("registry", "backup", "--db", db, "--output", backup, "--evidence", copies)
    assert proc.returncode == 1
    assert (
        f"1 evidence files named by the registry are missing from the evidence folder: {missing}"
        in proc.stderr
    )
    assert f"are damaged in the evidence folder: {damaged}" in proc.stderr
    assert "Traceback" not in proc.stderr
    # The database backup and the good file are written all the same; the damaged one is not.
    assert backup.is_file() and (copies / kept[:2] / kept).read_bytes() == b"kept"
    assert not (copies / damaged[:2] / damaged).exists()
    assert not list(copies.glob("*/.copy-*"))


def test_registry_restore_checks_the_evidence_folder_before_the_database(tmp_path: Path) -> None:
    db = _evidence_registry(tmp_path, [])
    backup = tmp_path / "registry.json"
    assert run_cli("registry", "backup", "--db", db, "--output", backup).returncode == 0
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM label_evidence")
        (before,) = con.execute("SELECT count(*) FROM label_evidence").fetchone()
    proc = run_cli(
        "registry", "restore", backup, "--db", db, "--yes", "--evidence", tmp_path / "nowhere"
    )
    assert_one_line_error(proc, "'--evidence' folder", "does not exist")
    with sqlite3.connect(db) as con:
        # Still as it was: the restore did not start.
        assert con.execute("SELECT count(*) FROM label_evidence").fetchone() == (before,)
        assert before == 0
