"""Export and import the whole registry as CSV (a folder or a zip, one file per table) or JSON.

Values keep their type through CSV: JSON columns are written as JSON text, date-times in ISO
8601, booleans as ``true``/``false``, and a missing value as an empty cell (an empty cell in a
NOT NULL text column reads back as an empty string). Import writes into an empty registry and
keeps the primary keys (PostgreSQL sequences are moved past them).

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are written with an apostrophe in front, as are text cells
that start with an apostrophe, and import removes that one apostrophe: the export opens
safely in a spreadsheet and still reads back exactly. Numeric, boolean, date and JSON
columns are written as they are (negative numbers stay numbers).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from clusteratlas._csv import FORMULA_PREFIXES
from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, ParseError
from clusteratlas.registry.models import ORG_KINDS, Base, Organisation
from clusteratlas.registry.models_org import DEFAULT_ORG_KIND

FORMAT = "clusteratlas-registry"
FORMAT_VERSION = 1


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _to_plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def dump_tables(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Return every table as JSON-ready rows ordered by primary key."""
    result: dict[str, list[dict[str, Any]]] = {}
    for table in _tables():
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        result[table.name] = [{k: _to_plain(v) for k, v in row.items()} for row in rows]
    return result


_ESCAPED = (*FORMULA_PREFIXES, "'")


def _is_text(column: Column[Any]) -> bool:
    return not isinstance(column.type, JSON | Boolean | Integer | Float | DateTime)


def _cell(value: Any, column: Column[Any]) -> str:
    if value is None:
        return ""
    if isinstance(column.type, JSON):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(column.type, Boolean):
        return "true" if value else "false"
    text = str(value)
    if _is_text(column) and text.startswith(_ESCAPED):
        return "'" + text  # a formula shown as text; import removes the apostrophe
    return text


def _parse(value: str, column: Column[Any]) -> Any:
    if value == "":
        return None if column.nullable else ("" if not isinstance(column.type, JSON) else None)
    kind = column.type
    if isinstance(kind, JSON):
        return json.loads(value)
    if isinstance(kind, Boolean):
        return value.lower() == "true"
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):
        return float(value)
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if value.startswith("'") and value[1:].startswith(_ESCAPED):
        return value[1:]
    return value


def _csv_text(table: Table, rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    for row in rows:
        writer.writerow([_cell(row[c.name], c) for c in table.columns])
    return buffer.getvalue()


def export_registry(session: Session, path: str | Path, *, format: str = "csv") -> Path:
    """Write the whole registry to ``path``.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    path : str or pathlib.Path
        ``format="csv"``: a folder (one ``<table>.csv`` per table) or a ``.zip`` file;
        ``format="json"``: one JSON file ``{"format", "version", "tables": {name: rows}}``.
    format : {"csv", "json"}, default "csv"

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    check_in(format, ("csv", "json"), name="format")
    target = Path(path)
    data = dump_tables(session)
    if format == "json":
        document = {"format": FORMAT, "version": FORMAT_VERSION, "tables": data}
        target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        return target
    texts = {f"{t.name}.csv": _csv_text(t, data[t.name]) for t in _tables()}
    if target.suffix == ".zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in texts.items():
                archive.writestr(name, content)
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, content in texts.items():
            (target / name).write_text(content, encoding="utf-8")
    return target


def _read_csv_tables(path: Path) -> dict[str, list[dict[str, str]]]:
    def rows_of(content: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(content)))

    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            return {
                t.name: rows_of(archive.read(f"{t.name}.csv").decode("utf-8"))
                for t in _tables()
                if f"{t.name}.csv" in names
            }
    return {
        t.name: rows_of((path / f"{t.name}.csv").read_text(encoding="utf-8"))
        for t in _tables()
        if (path / f"{t.name}.csv").is_file()
    }


def _organisation_kinds(rows: list[dict[str, Any]]) -> None:
    """Give every organisation row a kind: :data:`DEFAULT_ORG_KIND` where it has none.

    Exports written before migration 0008 have no ``kind``; an empty cell (or ``null``)
    reads the same way. Any other value must be one of :data:`ORG_KINDS`.
    """
    for values in rows:
        kind = values.get("kind")
        if kind is None or kind == "":
            values["kind"] = DEFAULT_ORG_KIND
        elif kind not in ORG_KINDS:
            allowed = ", ".join(map(repr, ORG_KINDS))
            raise ParameterError(
                f"Cannot import organisation {values.get('id')} ({values.get('name')!r}): "
                f"its kind {kind!r} is not one of {allowed}."
            )


def import_registry(session: Session, path: str | Path) -> dict[str, int]:
    """Load an export of :func:`export_registry` (CSV folder, ``.zip`` or ``.json``).

    An export written before organisations had a ``kind`` (migration 0008), or with that
    field empty, imports its organisations as cluster organisations.

    Returns
    -------
    dict
        Rows inserted per table.

    Raises
    ------
    ParameterError
        When the registry already holds organisations, or an organisation's kind is not one
        of :data:`~clusteratlas.registry.models.ORG_KINDS`.
    ParseError
        When a JSON file is not a registry export.
    """
    source = Path(path)
    if session.scalar(select(func.count()).select_from(Organisation)):
        raise ParameterError(
            "import_registry writes into an empty registry; this one has organisations."
        )
    if source.suffix == ".json":
        document = json.loads(source.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ParseError(
                f"{source}: not a Cluster Atlas registry export (no format {FORMAT!r})."
            )
        raw: dict[str, list[dict[str, Any]]] = document["tables"]
        parse_text = False
    else:
        raw = dict(_read_csv_tables(source))
        parse_text = True
    counts: dict[str, int] = {}
    for table in _tables():
        rows = raw.get(table.name) or []
        columns = {c.name: c for c in table.columns}
        prepared = []
        for row in rows:
            values = {}
            for name, value in row.items():
                column = columns[name]
                if parse_text:
                    values[name] = _parse(value, column)
                elif isinstance(value, str) and isinstance(column.type, DateTime):
                    values[name] = dt.datetime.fromisoformat(value)
                elif isinstance(value, str) and isinstance(column.type, Date):
                    values[name] = dt.date.fromisoformat(value)
                else:
                    values[name] = value
            prepared.append(values)
        if table.name == Organisation.__tablename__:
            _organisation_kinds(prepared)
        if prepared:
            session.execute(insert(table), prepared)
        counts[table.name] = len(prepared)
    if session.get_bind().dialect.name == "postgresql":
        for table in _tables():
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
            )
    return counts
