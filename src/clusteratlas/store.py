"""The embedded store: one DuckDB database file holding loaded data sets and results.

Parsing the Eurostat TSV or the CBP file takes seconds; the store keeps the canonical
tables so that later runs read them in milliseconds, and keeps every mapping result with
the parameters and attribution that produced it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from clusteratlas.errors import OutputError, ParameterError
from clusteratlas.paths import default_database

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ParameterError(
            f"Table names must be letters, digits and underscores, not starting with a digit. "
            f"Got {name!r} instead."
        )
    return name


class Store:
    """A DuckDB database file of named tables with provenance.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Database file; defaults to ``clusteratlas.duckdb`` in the user data directory
        (``CLUSTERATLAS_HOME``). Its directory is created when missing.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_database()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as con:
                con.execute(
                    "CREATE TABLE IF NOT EXISTS _tables (name VARCHAR PRIMARY KEY, "
                    "created VARCHAR, rows BIGINT, metadata VARCHAR)"
                )
        except (OSError, duckdb.IOException) as err:
            raise OutputError(
                f"Cannot open the database {self.path}: {err}. Choose another file with --db."
            ) from err

    def _connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def write(
        self, name: str, frame: pd.DataFrame, *, metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Store ``frame`` as table ``name`` (replacing it) with its metadata, in one transaction."""
        _check_name(name)
        info = json.dumps(dict(metadata or {}), default=str)
        with self._connect() as con:
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
        with self._connect() as con:
            found = con.execute("SELECT count(*) FROM _tables WHERE name = ?", [name]).fetchone()
        return bool(found and found[0])

    def read(self, name: str) -> pd.DataFrame:
        """Return table ``name`` as a pandas frame."""
        if not self.has(_check_name(name)):
            raise ParameterError(
                f"The store {self.path} has no table {name!r}; it has {', '.join(self.tables()) or 'none'}."
            )
        with self._connect() as con:
            return con.execute(f'SELECT * FROM "{name}"').df()

    def metadata(self, name: str) -> dict[str, Any]:
        """Return the metadata stored with table ``name``."""
        with self._connect() as con:
            row = con.execute("SELECT metadata FROM _tables WHERE name = ?", [name]).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def tables(self) -> list[str]:
        """Names of the stored tables."""
        with self._connect() as con:
            rows = con.execute("SELECT name FROM _tables ORDER BY name").fetchall()
        return [row[0] for row in rows]
