"""Writing result tables to CSV, Parquet and GeoJSON, atomically and with attribution."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas._csv import neutralise_frame
from clusteratlas._validation import optional_import
from clusteratlas.errors import OutputError, ParameterError

FORMATS = ("csv", "parquet", "geojson")
LEGACY_TEMPORARY_AGE = 3600.0
"""Seconds after which a temporary file without an owner (older releases) counts as stale."""


def _owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process
        return True
    return True


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the hidden temporary files that killed runs left beside ``target``.

    :func:`atomic_write` names its temporary ``.<name>.pid<PID>.<random>.tmp``; one whose
    process no longer runs on this machine is stale (a run killed mid-write). Temporary files
    without a process id (written by older releases) are stale after an hour. Files of runs
    still writing are left alone.

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    path = Path(target).expanduser()
    if not path.parent.is_dir():
        return []
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(?:pid(\d+)\.)?[^/]*\.tmp$")
    removed = []
    for candidate in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        match = pattern.match(candidate.name)
        if match is None:
            continue
        try:
            if match.group(1) is not None:
                stale = int(match.group(1)) != os.getpid() and not _owner_alive(int(match.group(1)))
            else:
                stale = time.time() - candidate.stat().st_mtime > LEGACY_TEMPORARY_AGE
            if stale and candidate.is_file():
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue  # removed meanwhile by another run, or not ours to remove
    return removed


def atomic_write(
    path: str | os.PathLike[str],
    write: Callable[[Path], object],
    *,
    what: str = "output",
    mode: int = 0o644,
) -> Path:
    """Call ``write(temporary)`` then move the temporary file onto ``path``.

    The file gets the permissions ``mode`` (default 0644: outputs are meant to be shared;
    0600 for a file holding secrets, which is then never readable by others).

    The temporary file lies in the target directory, so the move is atomic: a failure
    leaves no partial file and an older file at ``path`` stays as it was. Temporary files
    that killed runs left for the same target are removed first
    (:func:`remove_stale_temporaries`).

    Raises
    ------
    OutputError
        When ``path`` cannot be written; the message names it and says why.
    """
    target = Path(path).expanduser()
    directory = target.parent
    if directory.exists() and not directory.is_dir():
        raise OutputError(
            f"Cannot write the {what} to {str(target)!r}: {str(directory)!r} is not a directory."
        )
    if not directory.is_dir():
        raise OutputError(
            f"Cannot write the {what} to {str(target)!r}: directory {str(directory)!r} does not exist."
        )
    remove_stale_temporaries(target)
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(
            dir=directory, prefix=f".{target.name}.pid{os.getpid()}.", suffix=".tmp"
        )
        os.close(handle)
        temporary = Path(name)
        write(temporary)
        os.chmod(temporary, mode)  # mkstemp creates 0600
        os.replace(temporary, target)
    except OSError as err:
        raise OutputError(
            f"Cannot write the {what} to {str(target)!r}: {err.strerror or err}."
        ) from err
    finally:
        if temporary is not None and temporary.exists():
            with contextlib.suppress(OSError):
                temporary.unlink()
    return target


def output_format(path: str | Path) -> str:
    """Return ``csv``, ``parquet`` or ``geojson`` from a file suffix, or raise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = {"pq": "parquet", "json": "geojson"}.get(suffix, suffix)
    if suffix not in FORMATS:
        raise ParameterError(
            f"Cannot tell the output format of {str(path)!r}: use a .csv, .parquet or .geojson file."
        )
    return suffix


def write_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    attribution: Sequence[str],
    boundaries: Any | None = None,
) -> Path:
    """Write a result table with its attribution, choosing the format from the suffix.

    CSV and Parquet carry an ``attribution`` column (Parquet also in its schema metadata);
    GeoJSON joins ``boundaries`` (a GeoDataFrame with ``region`` and ``geometry``) on
    ``region`` and puts the attribution in each feature and in a top-level member; every
    row becomes a feature, those of regions without a boundary with a null geometry. In CSV,
    text cells that a spreadsheet would run as a formula get an apostrophe in front
    (:func:`clusteratlas._csv.neutralise`); numbers are written as they are.
    """
    text = "; ".join(attribution)
    kind = output_format(path)
    table = frame.assign(attribution=text)
    if kind == "csv":
        # Names come from users' files: text that a spreadsheet would run as a formula is
        # written with an apostrophe in front, as the API's CSV exports do.
        safe = neutralise_frame(table)
        return atomic_write(path, lambda tmp: safe.to_csv(tmp, index=False))
    if kind == "parquet":
        pa = optional_import("pyarrow", extra="all")
        import pyarrow.parquet as pq

        arrow = pa.Table.from_pandas(table, preserve_index=False)
        arrow = arrow.replace_schema_metadata(
            {**(arrow.schema.metadata or {}), b"attribution": text.encode()}
        )
        return atomic_write(path, lambda tmp: pq.write_table(arrow, tmp))
    if boundaries is None:
        raise ParameterError("GeoJSON output needs region boundaries for this source.")
    optional_import("geopandas", extra="geo")
    shapes = boundaries[["region", "geometry"]].merge(table, on="region", how="right")

    def write_geojson(tmp: Path) -> None:
        document = json.loads(shapes.to_json(na="null", drop_id=True))
        document["attribution"] = text
        tmp.write_text(json.dumps(document), encoding="utf-8")

    return atomic_write(path, write_geojson)
