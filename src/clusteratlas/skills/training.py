"""Training providers, their programmes and cluster ↔ provider partnerships, as tables.

The package ships a seed (``clusteratlas/skills/files/``): the providers and partnerships
named in the project's issue 13 (Systematic Paris-Region ↔ EQL, DORANCO and WEBFORCE3 for
conversion to digital jobs; ALPHA-RLH ↔ the PYLA training centre; Nextmove ↔
E-MOBILITY-INDUSTRY-ACADEMY). Names and partnerships are CONFIRMED as the seed names them;
every other detail is UNCONFIRMED and left empty, and the seed programmes are placeholders
for the subjects the seed names (their ``status`` says so). A cluster's own tables, in the
same layout, are read with the same functions.

Partnerships point at the registry's pôle records by ``cluster_name`` (the ``name`` of the
packaged ``reference/poles_competitivite_phase5.csv``) and ``cluster_key`` (the registry's
natural key ``fr:<slug of name>``, :func:`clusteratlas.registry.seed.natural_key`), so a
later database table can join them without guessing.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import ParseError, SchemaError

PROVIDER_COLUMNS = (
    "provider_id", "name", "name_status", "kind", "country", "region_name", "website",
    "details_status", "source",
)  # fmt: skip
PARTNERSHIP_COLUMNS = (
    "cluster_name", "cluster_key", "provider_id", "purpose", "purpose_status", "status", "source",
)  # fmt: skip
PROGRAMME_COLUMNS = (
    "programme_id", "provider_id", "title", "description", "duration_hours", "format",
    "location", "region", "level", "language",
)  # fmt: skip
"""Required columns of a programmes table (``status``, ``source``, ``lat``, ``lon`` optional)."""
FORMATS = ("in-person", "online", "blended")
"""Values of a programme's ``format`` (empty when unknown)."""
STATUSES = ("CONFIRMED", "UNCONFIRMED")
_FILES = {
    "providers": "training_providers.csv",
    "partnerships": "partnerships.csv",
    "programmes": "programmes.csv",
}


def seed_path(table: str) -> Path:
    """Return the packaged seed file of ``table`` (providers, partnerships or programmes)."""
    return Path(str(resources.files("clusteratlas.skills").joinpath("files", _FILES[table])))


def _read(
    path: str | Path | None, table: str, columns: tuple[str, ...]
) -> tuple[pd.DataFrame, str]:
    file = Path(path) if path is not None else seed_path(table)
    where = str(file)
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ParseError(f"Cannot read the {table} table {where}: {err}.") from err
    check_columns(frame, columns, what=f"The {table} table {where}")
    return frame.apply(lambda column: column.str.strip()), where


def _fail(where: str, frame: pd.DataFrame, bad: pd.Series, column: str, expected: str) -> None:
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise SchemaError(
            f"{where}, row {row + 2}, column {column!r}: expected {expected}, "
            f"got {frame[column].iloc[row]!r}."
        )


def _unique(where: str, frame: pd.DataFrame, column: str) -> None:
    _fail(where, frame, frame[column] == "", column, "a non-empty id")
    _fail(where, frame, frame[column].duplicated(), column, "an id that appears once")


def _status(where: str, frame: pd.DataFrame, column: str) -> None:
    ok = frame[column].str.startswith(STATUSES)
    _fail(where, frame, ~ok, column, "a status starting with CONFIRMED or UNCONFIRMED")


def read_providers(path: str | Path | None = None) -> pd.DataFrame:
    """Read training providers (default: the packaged seed).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROVIDER_COLUMNS`, as text; unknown details are empty strings.

    Raises
    ------
    ParseError, SchemaError
        Naming the file, row and column at fault (a repeated id, a status that is neither
        CONFIRMED nor UNCONFIRMED).
    """
    frame, where = _read(path, "providers", PROVIDER_COLUMNS)
    _unique(where, frame, "provider_id")
    _fail(where, frame, frame["name"] == "", "name", "a provider name")
    for column in ("name_status", "details_status"):
        _status(where, frame, column)
    return frame


def read_partnerships(
    path: str | Path | None = None, *, providers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read cluster ↔ training-provider partnerships (default: the packaged seed).

    Parameters
    ----------
    providers : pandas.DataFrame, optional
        When given, every ``provider_id`` must be one of its providers.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PARTNERSHIP_COLUMNS`.
    """
    frame, where = _read(path, "partnerships", PARTNERSHIP_COLUMNS)
    for column in ("cluster_name", "provider_id"):
        _fail(where, frame, frame[column] == "", column, "a value")
    for column in ("purpose_status", "status"):
        _status(where, frame, column)
    if providers is not None:
        known = frame["provider_id"].isin(providers["provider_id"])
        _fail(where, frame, ~known, "provider_id", "the id of a provider of the providers table")
    return frame


def read_programmes(
    path: str | Path | None = None, *, providers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read training programmes (default: the packaged seed).

    Columns: ``programme_id`` (unique), ``provider_id``, ``title``, ``description``,
    ``duration_hours`` (a number ≥ 0, empty when unknown), ``format`` (one of
    :data:`FORMATS`, or empty), ``location`` (a place name), ``region`` (a region code,
    e.g. NUTS-2, used by matching to tell local programmes), ``level`` (e.g. ``EQF 5``),
    ``language`` (ISO 639-1, e.g. ``fr``, or empty); optional ``lat`` and ``lon`` (WGS84
    degrees, for distances), ``status`` and ``source``.

    Returns
    -------
    pandas.DataFrame
        Text columns stripped; ``duration_hours``, ``lat`` and ``lon`` as floats (NaN when
        unknown).

    Raises
    ------
    ParseError, SchemaError
        Naming the file, row and column at fault.
    """
    frame, where = _read(path, "programmes", PROGRAMME_COLUMNS)
    _unique(where, frame, "programme_id")
    _fail(where, frame, frame["title"] == "", "title", "a title")
    _fail(
        where,
        frame,
        ~frame["format"].isin(("", *FORMATS)),
        "format",
        "one of " + ", ".join(FORMATS) + " or empty",
    )
    language = frame["language"]
    _fail(
        where,
        frame,
        ~(language.str.fullmatch(r"[a-z]{2}") | (language == "")),
        "language",
        "a two-letter ISO 639-1 code such as 'fr'",
    )
    if providers is not None:
        known = frame["provider_id"].isin(providers["provider_id"])
        _fail(where, frame, ~known, "provider_id", "the id of a provider of the providers table")
    numbers = {"duration_hours": (0.0, float("inf")), "lat": (-90.0, 90.0), "lon": (-180.0, 180.0)}
    for column, (low, high) in numbers.items():
        if column not in frame:
            continue
        text = frame[column]
        values = pd.to_numeric(text.replace("", None), errors="coerce")
        bad = (text != "") & (values.isna() | (values < low) | (values > high))
        _fail(where, frame, bad, column, f"a number in [{low:g}, {high:g}] or empty")
        frame[column] = values.astype(float)
    return frame
