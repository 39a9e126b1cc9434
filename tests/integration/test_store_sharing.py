"""One DuckDB store shared by concurrent processes: ``map`` runs, readers beside a writer.

DuckDB lets one process open a file read-write or many open it read-only; before the store
took a reader/writer lock, 6 of 9 concurrent ``clusteratlas map`` runs on one store failed.
These tests run real subprocesses on one store and check that every run succeeds (waiting
its turn), that a reader beside a writer sees a whole table (old or new, never an error),
that a run blocked too long says so on one line, and that killed runs leave nothing stale.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from _cli import assert_one_line_error, run_cli
from filelock import ReadWriteLock
from test_cli import VALID_BODY, eu_mirror

from clusteratlas.errors import StoreBusyError
from clusteratlas.export import atomic_write
from clusteratlas.store import Store

RUNS = 9


def map_run(mirror: Path, db: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "map", "--source", "eu-sbs", "--year", "2014", "--rules", "panorama2021",
        "--output", output, "--db", db, data=mirror, cwd=output.parent,
    )  # fmt: skip


def test_nine_concurrent_map_runs_on_one_store_all_succeed(tmp_path: Path, data_dir: Path) -> None:
    mirror = eu_mirror(tmp_path / "mirror", data_dir, VALID_BODY)
    db = tmp_path / "shared.duckdb"
    outputs = [tmp_path / f"out{i}.csv" for i in range(RUNS)]
    with ThreadPoolExecutor(RUNS) as pool:
        procs = list(pool.map(lambda out: map_run(mirror, db, out), outputs))
    failures = [(p.returncode, p.stderr) for p in procs if p.returncode != 0]
    assert failures == [], failures
    # Every run computed the same map: DE11 C29 LQ = (300/400) / (400/800) = 1.5 on paper.
    for output in outputs:
        with output.open(newline="", encoding="utf-8") as handle:
            rows = {(r["region"], r["category"]): r for r in csv.DictReader(handle)}
        assert float(rows[("DE11", "C29")]["lq"]) == pytest.approx(1.5, rel=1e-12)
        assert float(rows[("FR10", "C29")]["lq"]) == pytest.approx(0.5, rel=1e-12)
    store = Store(db)
    assert "observations_eu_sbs" in store.tables()
    assert len(store.read("observations_eu_sbs")) > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


WRITER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from clusteratlas.store import Store

    store = Store(sys.argv[1])
    for version in range(1, int(sys.argv[2]) + 1):
        store.write("t", pd.DataFrame({"version": [version] * 5000}), metadata={"v": version})
    """
)


def test_reader_beside_a_writer_sees_a_whole_table(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    Store(db).write("t", pd.DataFrame({"version": [0] * 5000}))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), "40"], env=dict(os.environ))
    reader = Store(db)
    seen: set[int] = set()
    try:
        while writer.poll() is None:
            frame = reader.read("t")
            assert len(frame) == 5000
            versions = set(frame["version"])
            assert len(versions) == 1, f"a torn table: versions {sorted(versions)}"
            seen |= versions
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert reader.read("t")["version"].iloc[0] == 40
    assert len(seen) >= 2, "the reader never overlapped the writer; the test proved nothing"


def test_a_store_held_too_long_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    store = Store(db, timeout=0.5)
    holder = ReadWriteLock(store.lock_path, is_singleton=False)
    with holder.read_lock():  # a reader does not stop another reader ...
        assert store.tables() == []
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match=r"is busy.*lock file .*store\.duckdb\.lock"):
            store.write("t", pd.DataFrame({"a": [1]}))  # ... but holds a writer back
        assert 0.4 < time.monotonic() - started < 10
    store.write("t", pd.DataFrame({"a": [1]}))
    holder.close()


def test_cli_blocked_by_a_writer_says_so_on_one_line(tmp_path: Path, data_dir: Path) -> None:
    mirror = eu_mirror(tmp_path / "mirror", data_dir, VALID_BODY)
    db = tmp_path / "store.duckdb"
    Store(db)
    holder = ReadWriteLock(db.with_name(db.name + ".lock"), is_singleton=False)
    os.environ["CLUSTERATLAS_STORE_TIMEOUT"] = "1"
    try:
        with holder.write_lock():
            proc = map_run(mirror, db, tmp_path / "out.csv")
    finally:
        del os.environ["CLUSTERATLAS_STORE_TIMEOUT"]
        holder.close()
    assert_one_line_error(proc, str(db), "is busy", "CLUSTERATLAS_STORE_TIMEOUT")
    assert not (tmp_path / "out.csv").exists()


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    import duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("CREATE OR REPLACE TABLE t AS SELECT 1 AS version FROM range(100000)")
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE OR REPLACE TABLE t AS SELECT 2 AS version FROM range(100000)")
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_killed_writer_leaves_a_store_that_opens(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    Store(db)
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(db)], check=False)
    assert proc.returncode == -signal.SIGKILL
    store = Store(db)  # replays what the killed process committed, drops what it did not
    assert store.tables() == []
    store.write("u", pd.DataFrame({"a": [1, 2]}))
    assert store.read("u")["a"].tolist() == [1, 2]


def test_stale_temporary_files_of_killed_runs_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f".out.csv.pid{int(dead.stdout)}.abcd1234.tmp"
    stale.write_text("half a file")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as alive:
        live = tmp_path / f".out.csv.pid{alive.pid}.efgh5678.tmp"
        live.write_text("being written")
        other = tmp_path / f".other.csv.pid{int(dead.stdout)}.abcd1234.tmp"
        other.write_text("another output's")
        atomic_write(target, lambda tmp: tmp.write_text("done"))
        alive.kill()
    assert target.read_text() == "done"
    assert not stale.exists(), "a dead run's temporary file was left behind"
    assert live.exists(), "a running process's temporary file was removed"
    assert other.exists(), "only the target's own temporary files are touched"


def test_store_backup_and_restore_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.duckdb")
    first = pd.DataFrame({"region": ["DE11", "FR10"], "lq": [1.5, float("nan")]})
    store.write("map_a", first, metadata={"year": 2014})
    copy = store.backup(tmp_path / "backup.duckdb")
    store.write("map_a", pd.DataFrame({"region": ["XX"], "lq": [9.0]}))
    store.write("map_b", pd.DataFrame({"x": [1]}))
    store.restore(copy)
    assert store.tables() == ["map_a"]
    restored = store.read("map_a")
    assert restored["region"].tolist() == ["DE11", "FR10"]
    assert restored["lq"].iloc[0] == 1.5 and pd.isna(restored["lq"].iloc[1])
    assert store.metadata("map_a") == {"year": 2014}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_threads_of_one_process_read_and_write_one_store(tmp_path: Path) -> None:
    """The server's case: request threads read while another thread writes a map."""
    store = Store(tmp_path / "store.duckdb")
    store.write("t", pd.DataFrame({"version": [0] * 1000}))
    problems: list[str] = []

    def read_many() -> None:
        for _ in range(30):
            try:
                versions = set(store.read("t")["version"])
                if len(versions) != 1:
                    problems.append(f"torn table {sorted(versions)}")
            except Exception as err:
                problems.append(f"{type(err).__name__}: {err}")

    def write_many() -> None:
        for version in range(1, 16):
            try:
                store.write("t", pd.DataFrame({"version": [version] * 1000}))
            except Exception as err:
                problems.append(f"{type(err).__name__}: {err}")

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(read_many) for _ in range(4)] + [pool.submit(write_many)]
        for future in futures:
            future.result()
    assert problems == []
    assert set(store.read("t")["version"]) == {15}
