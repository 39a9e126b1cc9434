"""Backups of the registry database: SQLite's online backup, or a portable JSON dump.

Two formats, chosen per database:

* **SQLite file** (default for an SQLite registry): the ``sqlite3`` online backup API copies
  every page of the live database while the server runs (a consistent snapshot, WAL
  included); restoring copies the pages back the same way. Schema, full-text index and
  Alembic revision travel with it.
* **Portable JSON** (default for PostgreSQL, ``.json`` or ``.json.gz``): every table of the
  registry's models, read through SQLAlchemy in one transaction, with the Alembic revision.
  It restores into PostgreSQL or SQLite alike (so it also moves a registry from one to the
  other). Chosen over ``pg_dump`` because ``pg_dump`` must be at least as new as the server
  and be installed beside the application, and its output loads into PostgreSQL only;
  ``pg_dump`` and continuous archiving remain the tools for very large deployments
  (see ``docs/deployment.md``).

A restore replaces every row in one transaction; the backup's schema revision must be that of
the database (restore with the release that wrote it, then upgrade).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import Date, DateTime, LargeBinary, Numeric, Time

from clusteratlas.errors import OutputError, ParameterError
from clusteratlas.export import atomic_write
from clusteratlas.registry.db import make_engine, migrate
from clusteratlas.registry.models import Base

FORMAT = "clusteratlas-registry"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
FORMATS = ("sqlite", "json")


def backup_format(url: str, output: str | Path, chosen: str | None = None) -> str:
    """Return ``sqlite`` or ``json``: ``chosen``, else JSON for ``.json[.gz]`` or PostgreSQL."""
    if chosen is not None:
        if chosen not in FORMATS:
            raise ParameterError(
                f"The '--format' option must be one of {', '.join(FORMATS)}. Got {chosen!r} instead."
            )
        if chosen == "sqlite" and not url.startswith("sqlite"):
            raise ParameterError(
                "The 'sqlite' backup format needs an SQLite registry; use 'json' for "
                f"{make_url(url).get_backend_name()}."
            )
        return chosen
    name = Path(output).name.lower()
    if name.endswith((".json", ".json.gz")) or not url.startswith("sqlite"):
        return "json"
    return "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ParameterError(f"The registry {url!r} is not an SQLite file; nothing to copy.")
    return Path(database)


def backup_registry(url: str, output: str | Path, *, fmt: str | None = None) -> dict[str, int]:
    """Write a backup of the registry at ``url`` to ``output`` (atomically).

    Parameters
    ----------
    url : str
        SQLAlchemy URL of the registry.
    output : str or pathlib.Path
        The backup file; ``.json`` / ``.json.gz`` choose the portable format.
    fmt : {"sqlite", "json"}, optional
        Force a format (default: SQLite file for SQLite, JSON otherwise).

    Returns
    -------
    dict of str to int
        Rows per table in the backup (JSON), or ``{"pages": n}`` (SQLite file).

    Raises
    ------
    OutputError
        When ``output`` cannot be written.
    ParameterError
        When the format does not suit the database.
    """
    kind = backup_format(url, output, fmt)
    if kind == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.is_file():
            raise ParameterError(f"The registry {source_path} does not exist.")
        counts: dict[str, int] = {}

        def copy(temporary: Path) -> None:
            source = sqlite3.connect(source_path)
            target = sqlite3.connect(temporary)
            try:
                with target:
                    source.backup(target)
                row = target.execute("PRAGMA page_count").fetchone()
                counts["pages"] = int(row[0]) if row else 0
            finally:
                target.close()
                source.close()

        atomic_write(output, copy, what="registry backup")
        return counts
    engine = make_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            document = _dump(connection)
    finally:
        engine.dispose()
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    if str(output).lower().endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    atomic_write(output, lambda tmp: tmp.write_bytes(payload), what="registry backup")
    return {name: len(table["rows"]) for name, table in document["tables"].items()}


def _dump(connection: Connection) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table in Base.metadata.sorted_tables:
        columns = [column.name for column in table.columns]
        order = [table.c[c.name] for c in table.primary_key.columns] or list(table.columns)
        rows = connection.execute(select(*table.columns).order_by(*order)).all()
        tables[table.name] = {
            "columns": columns,
            "rows": [[_encode(value) for value in row] for row in rows],
        }
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dialect": connection.dialect.name,
        "revision": _revision(connection),
        "tables": tables,
    }


def _revision(connection: Connection) -> str | None:
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(value: Any, column_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(column_type, Time):
        return dt.time.fromisoformat(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column_type, Numeric) and isinstance(value, str):
        return Decimal(value)
    return value


def read_backup(path: str | Path) -> dict[str, Any]:
    """Read and check a JSON backup; raise a one-line error naming the file otherwise."""
    origin = Path(path)
    try:
        raw = origin.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        document = json.loads(raw)
    except (OSError, EOFError, ValueError) as err:
        raise ParameterError(
            f"Cannot read the registry backup {origin}: {err}. Expected a backup written by "
            "'clusteratlas registry backup'."
        ) from err
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ParameterError(f"{origin} is not a registry backup (no 'format': {FORMAT!r} member).")
    if document.get("format_version") != FORMAT_VERSION:
        raise ParameterError(
            f"{origin} is a registry backup of format version {document.get('format_version')!r}; "
            f"this release reads version {FORMAT_VERSION}."
        )
    return document


def restore_registry(url: str, backup: str | Path) -> dict[str, int]:
    """Replace the contents of the registry at ``url`` with a backup.

    An SQLite-file backup is copied page by page into an SQLite registry (online backup API,
    which waits for the database's locks); a JSON backup is loaded into any registry in one
    transaction, after the schema is brought to the newest revision, and PostgreSQL sequences
    are moved past the restored ids.

    Returns
    -------
    dict of str to int
        Rows restored per table (JSON), or ``{"pages": n}`` (SQLite file).

    Raises
    ------
    ParameterError
        When the file is missing, not a backup, or of another schema revision.
    """
    origin = Path(backup)
    if not origin.is_file():
        raise ParameterError(f"Cannot restore the registry from {origin}: no such file.")
    with origin.open("rb") as handle:
        magic = handle.read(len(SQLITE_MAGIC))
    if magic == SQLITE_MAGIC:
        return _restore_sqlite_file(url, origin)
    document = read_backup(origin)
    engine = make_engine(url)
    try:
        migrate(engine=engine)
        with engine.begin() as connection:
            return _load(connection, document, origin)
    finally:
        engine.dispose()


def _restore_sqlite_file(url: str, origin: Path) -> dict[str, int]:
    if not url.startswith("sqlite"):
        raise ParameterError(
            f"{origin} is an SQLite-file backup; it restores into an SQLite registry only. "
            "Write a portable one with 'clusteratlas registry backup --format json'."
        )
    target_path = _sqlite_path(url)
    source = sqlite3.connect(f"file:{origin}?mode=ro", uri=True)
    try:
        try:
            found = source.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()
        except sqlite3.DatabaseError as err:
            raise ParameterError(f"Cannot restore from {origin}: {err}.") from err
        if not found or not found[0]:
            raise ParameterError(
                f"{origin} is an SQLite database but not a registry (no alembic_version table)."
            )
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)
            row = target.execute("PRAGMA page_count").fetchone()
        except sqlite3.Error as err:
            raise OutputError(f"Cannot restore into {target_path}: {err}.") from err
        finally:
            target.close()
    finally:
        source.close()
    migrate(url)  # a backup of an older release is brought up to date
    return {"pages": int(row[0]) if row else 0}


def _load(connection: Connection, document: dict[str, Any], origin: Path) -> dict[str, int]:
    current = _revision(connection)
    if document.get("revision") != current:
        raise ParameterError(
            f"{origin} was written at schema revision {document.get('revision')!r}; this "
            f"database is at {current!r}. Restore it with the release that wrote it, then upgrade."
        )
    tables: dict[str, Any] = document.get("tables") or {}
    known = {table.name: table for table in Base.metadata.sorted_tables}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise ParameterError(f"{origin} holds tables this release does not know: {unknown}.")
    for table in reversed(Base.metadata.sorted_tables):
        connection.execute(table.delete())
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        content = tables.get(table.name, {"columns": [], "rows": []})
        columns: list[str] = content["columns"]
        missing = [c for c in columns if c not in table.c]
        if missing:
            raise ParameterError(f"{origin}: table {table.name} has unknown columns {missing}.")
        types = [table.c[c].type for c in columns]
        rows = [
            {c: _decode(v, t) for c, v, t in zip(columns, row, types, strict=True)}
            for row in content["rows"]
        ]
        if rows:
            connection.execute(insert(table), rows)
        counts[table.name] = len(rows)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, table)
    return counts


def _reset_sequences(connection: Connection, table: Table) -> None:
    """Move a serial/identity column's sequence past the restored ids (PostgreSQL)."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer):
        return
    column = keys[0]
    sequence = connection.execute(
        select(func.pg_get_serial_sequence(table.name, column.name))
    ).scalar()
    if sequence:
        highest = connection.execute(select(func.max(column))).scalar()
        connection.execute(select(func.setval(sequence, highest or 1, highest is not None)))
