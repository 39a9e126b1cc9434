"""The embedded store: one DuckDB database file holding loaded data sets and results.

Parsing the Eurostat TSV or the CBP file takes seconds; the store keeps the canonical
tables so that later runs read them in milliseconds, and keeps every mapping result with
the parameters and attribution that produced it.

Sharing one store between processes
-----------------------------------
DuckDB lets one process open a database file read-write, or any number of processes open it
read-only, never both at once: a second writer, or a reader beside a writer, fails with an
``IOException`` ("Could not set lock on file"). Several ``clusteratlas`` runs and the
``serve`` workers therefore agree on a reader/writer lock kept next to the store
(``<store>.lock``, :class:`filelock.ReadWriteLock`, a lock held by the operating system and
released when a process dies):

* every read opens the file **read-only** under a shared lock: readers never wait for one
  another, and see a table either as it was before a write or as it is after it;
* every write opens it read-write under the exclusive lock, which waits for the readers of
  the moment and holds back new ones (one writer at a time); a write is one transaction;
* a connection lives only as long as one operation (milliseconds), so a parse of several
  seconds never holds the store;
* a wait longer than ``timeout`` (default 120 s, ``CLUSTERATLAS_STORE_TIMEOUT``) raises
  :class:`~clusteratlas.errors.StoreBusyError` naming the store and the lock file.

A lock rather than per-run staging files merged afterwards: writes are small (one result
table) and short, and a lock keeps a single file that other DuckDB clients can open. A
process outside Cluster Atlas holding the file (the ``duckdb`` shell) is waited for too: the
open is retried until the same deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from filelock import ReadWriteLock, Timeout

from clusteratlas.errors import OutputError, ParameterError, StoreBusyError
from clusteratlas.paths import default_database

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TIMEOUT_ENV = "CLUSTERATLAS_STORE_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
"""Seconds a read or a write waits for the store before giving up."""
_RETRY_PAUSE = 0.05


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ParameterError(
            f"Table names must be letters, digits and underscores, not starting with a digit. "
            f"Got {name!r} instead."
        )
    return name


def _default_timeout() -> float:
    value = os.environ.get(TIMEOUT_ENV)
    if value is None or not value.strip():
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise ParameterError(
            f"The {TIMEOUT_ENV} variable must be a number of seconds > 0. Got {value!r} instead."
        )
    return seconds


def _held_by_another_process(err: duckdb.Error) -> bool:
    text = str(err)
    return "lock" in text.lower() or "different configuration" in text


class Store:
    """A DuckDB database file of named tables with provenance, shared safely by processes.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Database file; defaults to ``clusteratlas.duckdb`` in the user data directory
        (``CLUSTERATLAS_HOME``). Its directory is created when missing.
    timeout : float, optional
        Seconds a read or a write waits while another process holds the store (default:
        ``CLUSTERATLAS_STORE_TIMEOUT`` or 120).

    Raises
    ------
    OutputError
        When the file cannot be created or is not a DuckDB database.
    StoreBusyError
        When the store stays locked for longer than ``timeout``.

    Notes
    -----
    Reads take a shared lock and open the file read-only; writes take the exclusive lock
    (see the module documentation). The lock file ``<path>.lock`` stays beside the store.
    """

    def __init__(self, path: str | Path | None = None, *, timeout: float | None = None) -> None:
        self.path = Path(path) if path is not None else default_database()
        self.timeout = _default_timeout() if timeout is None else float(timeout)
        if not self.timeout > 0:
            raise ParameterError(
                f"The 'timeout' parameter of Store must be > 0 seconds. Got {timeout!r} instead."
            )
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._needs_setup():
                with self._open(write=True) as con:
                    con.execute(
                        "CREATE TABLE IF NOT EXISTS _tables (name VARCHAR PRIMARY KEY, "
                        "created VARCHAR, rows BIGINT, metadata VARCHAR)"
                    )
        except (OSError, duckdb.IOException, duckdb.InvalidInputException) as err:
            if isinstance(err, OutputError):
                raise
            raise OutputError(
                f"Cannot open the database {self.path}: {err}. Choose another file with --db."
            ) from err

    # ------------------------------------------------------------------ connections

    def _needs_setup(self) -> bool:
        """Whether the file is new, or holds no ``_tables`` yet, or a killed writer's log."""
        if not self.path.exists() or Path(f"{self.path}.wal").exists():
            return True
        with self._open(write=False) as con:
            found = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = '_tables'"
            ).fetchone()
        return not (found and found[0])

    @contextlib.contextmanager
    def _open(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the store's lock (exclusive to write, shared to read) and a connection."""
        deadline = time.monotonic() + self.timeout
        try:
            lock: ReadWriteLock | None = ReadWriteLock(
                self.lock_path, timeout=self.timeout, is_singleton=False
            )
        except (sqlite3.Error, OSError) as err:
            if write:
                raise OutputError(
                    f"Cannot write the store {self.path}: its lock file {self.lock_path} "
                    f"cannot be created ({err})."
                ) from err
            lock = None  # a read-only directory: nobody can write here, read without a lock
        try:
            with contextlib.ExitStack() as stack:
                if lock is not None:
                    stack.enter_context(lock.write_lock() if write else lock.read_lock())
                con = self._connect(read_only=not write, deadline=deadline)
                stack.callback(con.close)
                yield con
        except Timeout as err:
            raise self._busy() from err
        finally:
            if lock is not None:
                lock.close()

    def _connect(self, *, read_only: bool, deadline: float) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying while a process outside our lock (a DuckDB shell) holds it."""
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except (duckdb.IOException, duckdb.ConnectionException) as err:
                if not _held_by_another_process(err) or time.monotonic() >= deadline:
                    if _held_by_another_process(err):
                        raise self._busy() from err
                    raise
                time.sleep(_RETRY_PAUSE)

    def _busy(self) -> StoreBusyError:
        return StoreBusyError(
            f"The store {self.path} is busy: another process has held it for more than "
            f"{self.timeout:g} s (lock file {self.lock_path}). Wait for it to finish, or set "
            f"{TIMEOUT_ENV} to wait longer."
        )

    # ------------------------------------------------------------------ tables

    def write(
        self, name: str, frame: pd.DataFrame, *, metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Store ``frame`` as table ``name`` (replacing it) with its metadata, in one transaction.

        Readers at the same moment see the previous table until the transaction commits.
        """
        _check_name(name)
        info = json.dumps(dict(metadata or {}), default=str)
        with self._open(write=True) as con:
            con.register("incoming", frame)
            con.execute("BEGIN TRANSACTION")
            con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM incoming')
            con.execute("DELETE FROM _tables WHERE name = ?", [name])
            con.execute(
                "INSERT INTO _tables VALUES (?, ?, ?, ?)",
                [name, datetime.now(UTC).isoformat(timespec="seconds"), len(frame), info],
            )
            con.execute("COMMIT")

    def has(self, name: str) -> bool:
        """Whether a table called ``name`` exists."""
        with self._open(write=False) as con:
            found = con.execute("SELECT count(*) FROM _tables WHERE name = ?", [name]).fetchone()
        return bool(found and found[0])

    def read(self, name: str) -> pd.DataFrame:
        """Return table ``name`` as a pandas frame."""
        _check_name(name)
        with self._open(write=False) as con:
            found = con.execute("SELECT count(*) FROM _tables WHERE name = ?", [name]).fetchone()
            if found and found[0]:
                return con.execute(f'SELECT * FROM "{name}"').df()
            names = [
                row[0] for row in con.execute("SELECT name FROM _tables ORDER BY name").fetchall()
            ]
        raise ParameterError(
            f"The store {self.path} has no table {name!r}; it has {', '.join(names) or 'none'}."
        )

    def metadata(self, name: str) -> dict[str, Any]:
        """Return the metadata stored with table ``name``."""
        with self._open(write=False) as con:
            row = con.execute("SELECT metadata FROM _tables WHERE name = ?", [name]).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def tables(self) -> list[str]:
        """Names of the stored tables."""
        with self._open(write=False) as con:
            rows = con.execute("SELECT name FROM _tables ORDER BY name").fetchall()
        return [row[0] for row in rows]

    def backup(self, target: str | Path) -> Path:
        """Copy the store to ``target`` (a new DuckDB file) under the shared lock.

        Writers wait while the copy is made, so the copy is one consistent state; the copy is
        written to a hidden temporary file beside ``target`` and moved into place.

        Raises
        ------
        OutputError
            When ``target`` cannot be written.
        """
        from clusteratlas.export import atomic_write

        def copy(temporary: Path) -> None:
            temporary.unlink()  # DuckDB creates the file itself
            with self._open(write=False) as con:
                con.execute(f"ATTACH '{_quoted(temporary)}' AS backup (READ_WRITE)")
                try:
                    con.execute(f'COPY FROM DATABASE "{_database(con)}" TO backup')
                finally:
                    con.execute("DETACH backup")

        return atomic_write(target, copy, what="store backup")

    def restore(self, source: str | Path) -> None:
        """Replace every table of the store with those of the DuckDB file ``source``.

        Runs under the exclusive lock in one transaction: readers see the old store or the
        restored one.

        Raises
        ------
        ParameterError
            When ``source`` is missing or is not a Cluster Atlas store.
        """
        origin = Path(source)
        if not origin.is_file():
            raise ParameterError(f"Cannot restore the store from {origin}: no such file.")
        with self._open(write=True) as con:
            try:
                con.execute(f"ATTACH '{_quoted(origin)}' AS incoming (READ_ONLY)")
            except duckdb.Error as err:
                raise ParameterError(
                    f"Cannot restore the store from {origin}: not a DuckDB database ({err})."
                ) from err
            try:
                names = [
                    row[0]
                    for row in con.execute(
                        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'incoming'"
                    ).fetchall()
                ]
                if "_tables" not in names:
                    raise ParameterError(
                        f"Cannot restore the store from {origin}: it has no _tables catalogue, "
                        "so it is not a Cluster Atlas store."
                    )
                database = _database(con)
                current = [
                    row[0]
                    for row in con.execute(
                        "SELECT table_name FROM duckdb_tables() WHERE database_name = ?",
                        [database],
                    ).fetchall()
                ]
                con.execute("BEGIN TRANSACTION")
                for name in current:
                    if name != "_tables":
                        con.execute(f'DROP TABLE "{database}".main."{name}"')
                con.execute(f'DELETE FROM "{database}".main._tables')
                con.execute(
                    f'INSERT INTO "{database}".main._tables SELECT * FROM incoming.main._tables'
                )
                for name in names:
                    if name != "_tables":
                        con.execute(
                            f'CREATE TABLE "{database}".main."{name}" AS '
                            f'SELECT * FROM incoming.main."{name}"'
                        )
                con.execute("COMMIT")
            finally:
                con.execute("DETACH incoming")


def _database(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT current_database()").fetchone()
    return str(row[0]) if row else "memory"


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
