r"""The canonical establishments table (firm-level micro-data) and its readers.

One row per establishment (plant):

``id`` (str)
    Unique identifier (SIRET, or the line of the file when the source has none).
``industry`` (str)
    Activity code; NAF rév. 2 sub-classes are written compactly (``"6420Z"``).
``weight`` (float)
    Employees. Missing (NaN) when unknown; 0 for an establishment without employees.
``size_band`` (str)
    The INSEE employee band the weight came from (``"12"``), or ``""`` when the source gave
    a head count.
``x``, ``y`` (float)
    Coordinates in projected metres (Lambert-93 by default for France); NaN when the
    establishment is located by area only.
region columns (str)
    Any other column is a region code (``iris``, ``commune``, …); missing codes are NaN.

Readers set the frame's ``attrs["crs"]`` to the CRS of ``x``/``y`` when they know it.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, optional_import
from clusteratlas.data._compressed import decompression_errors
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError

ESTABLISHMENT_COLUMNS: tuple[str, ...] = ("id", "industry", "weight", "size_band", "x", "y")
LAMBERT93 = "EPSG:2154"

#: Employees assigned to each INSEE employee band (``tranche d'effectifs``): the midpoint
#: of the band's range. ``NN`` (unknown) gives NaN and ``00`` (no employee) gives 0. The
#: open band ``53`` (10,000 or more) gets its lower bound, 10,000: a conservative choice,
#: since the band has no upper bound. Override any value with the ``midpoints`` argument.
INSEE_BAND_MIDPOINTS: dict[str, float] = {
    "NN": float("nan"),
    "00": 0.0,
    "01": 1.5,
    "02": 4.0,
    "03": 7.5,
    "11": 14.5,
    "12": 34.5,
    "21": 74.5,
    "22": 149.5,
    "31": 224.5,
    "32": 374.5,
    "41": 749.5,
    "42": 1499.5,
    "51": 3499.5,
    "52": 7499.5,
    "53": 10000.0,
}

NAF_LEVELS: tuple[str, ...] = ("naf", "class", "group", "division")
_NAF = re.compile(r"^(\d{2})\.?(\d)(\d)([A-Z])$")
_LONLAT_FIX = (
    "project them first, e.g. gdf.to_crs(gdf.estimate_utm_crs()) with geopandas, or read "
    "them with to_crs='EPSG:2154' (Lambert-93) for France"
)


def _rows(index: pd.Index, mask: np.ndarray) -> str:
    bad = index[mask]
    return ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")


def _text(values: pd.Series) -> pd.Series:
    """Return codes as stripped strings; missing and blank values become NaN."""
    text = values.astype("str").str.strip()
    return text.where(values.notna() & (text != ""))


def band_weights(
    bands: pd.Series, *, midpoints: Mapping[str, float] | None = None, origin: str = "data"
) -> pd.Series:
    """Return the employees of each INSEE employee band.

    Parameters
    ----------
    bands : pandas.Series
        Band codes (``"00"``, ``"12"``, ``"NN"``…); one-digit codes are zero-padded and a
        blank band counts as ``"NN"`` (unknown).
    midpoints : mapping of str to float, optional
        Values that replace those of :data:`INSEE_BAND_MIDPOINTS`, e.g. ``{"53": 12000}``.
    origin : str
        What the bands came from, used in error messages.

    Returns
    -------
    pandas.Series
        Float weights, on the index of ``bands``.

    Raises
    ------
    SchemaError
        When a band is not a known code; the message names the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> band_weights(pd.Series(["00", "12", "NN"])).tolist()
    [0.0, 34.5, nan]
    """
    table = {**INSEE_BAND_MIDPOINTS, **(midpoints or {})}
    codes = _text(bands).fillna("NN").str.upper().str.zfill(2)
    unknown = (~codes.isin(list(table))).to_numpy()
    if unknown.any():
        raise SchemaError(
            f"{origin}: unknown INSEE employee band(s) {sorted(set(codes[unknown]))[:5]} at "
            f"row(s) {_rows(bands.index, unknown)}; known bands: {', '.join(table)}."
        )
    return codes.map(table).astype("float64")


def _naf_parts(code: str) -> re.Match[str]:
    match = _NAF.match(code.strip().upper()) if isinstance(code, str) else None
    if match is None:
        raise UnknownCodeError(
            f"{code!r} is not a NAF rév. 2 sub-class; expected e.g. '6420Z' or '64.20Z'."
        )
    return match


def naf_division(code: str) -> str:
    """Return the NAF/NACE division of a NAF sub-class (``"6420Z"`` → ``"64"``)."""
    return _naf_parts(code)[1]


def naf_class(code: str) -> str:
    """Return the NAF/NACE class of a NAF sub-class (``"6420Z"`` → ``"64.20"``)."""
    parts = _naf_parts(code)
    return f"{parts[1]}.{parts[2]}{parts[3]}"


def naf_codes(codes: pd.Series, level: str) -> pd.Series:
    """Return NAF sub-classes at ``level``: ``"naf"`` (unchanged), ``"class"``, ``"group"``, ``"division"``.

    Raises :class:`~clusteratlas.errors.UnknownCodeError` naming the first code that is not
    a NAF sub-class when a coarser level is asked for.
    """
    check_in(level, NAF_LEVELS, name="industry_level")
    if level == "naf":
        return codes.copy()
    parts = codes.astype("str").str.strip().str.upper().str.extract(_NAF.pattern)
    bad = (parts[0].isna() & codes.notna()).to_numpy()
    if bad.any():
        _naf_parts(str(codes[bad].iloc[0]))
    if level == "division":
        return parts[0]
    if level == "group":
        return parts[0] + "." + parts[1]
    return parts[0] + "." + parts[1] + parts[2]


def _compact_naf(values: pd.Series, origin: str, column: str) -> pd.Series:
    text = values.astype("str").str.strip().str.upper()
    parts = text.str.extract(_NAF.pattern)
    bad = parts[0].isna().to_numpy()
    if bad.any():
        raise SchemaError(
            f"{origin}: column {column!r} must hold NAF rév. 2 sub-classes such as '6420Z' "
            f"or '64.20Z'; bad value(s) at line(s) {_rows(values.index, bad)}."
        )
    return parts[0] + parts[1] + parts[2] + parts[3]


def _crs(value: Any) -> Any:
    pyproj = optional_import("pyproj", extra="geo")
    return pyproj.CRS.from_user_input(value)


def _reproject(x: pd.Series, y: pd.Series, source: Any, target: Any) -> tuple[pd.Series, pd.Series]:
    """Transform the finite coordinates from ``source`` to ``target`` (axis order x, y)."""
    pyproj = optional_import("pyproj", extra="geo")
    transformer = pyproj.Transformer.from_crs(_crs(source), _crs(target), always_xy=True)
    ok = (np.isfinite(x) & np.isfinite(y)).to_numpy()
    new_x, new_y = x.copy(), y.copy()
    if ok.any():
        tx, ty = transformer.transform(x.to_numpy()[ok], y.to_numpy()[ok])
        new_x[ok], new_y[ok] = tx, ty
    return new_x, new_y


def _numbers(frame: pd.DataFrame, column: str, problems: list[str]) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    raw = frame[column]
    blank = raw.astype("str").str.strip().eq("").to_numpy() & raw.notna().to_numpy()
    numbers = pd.to_numeric(raw.where(~blank), errors="coerce").astype("float64")
    bad = (numbers.isna() & raw.notna() & ~blank).to_numpy() | np.isinf(numbers.to_numpy())
    if bad.any():
        problems.append(
            f"column {column!r} must hold finite numbers (missing allowed); bad value(s) at "
            f"row(s) {_rows(frame.index, bad)}"
        )
    return numbers


def validate_establishments(
    frame: pd.DataFrame,
    *,
    origin: str = "establishments",
    crs: Any = None,
    check_lonlat: bool = True,
) -> pd.DataFrame:
    """Check and coerce a frame to the canonical establishments table.

    Parameters
    ----------
    frame : pandas.DataFrame
        Must hold ``id`` and ``industry``; ``weight``, ``size_band``, ``x`` and ``y`` are
        added (missing) when absent and every other column is kept as a region code. Its
        index names the offending rows in error messages (readers use file lines).
    origin : str
        What the frame came from, used in error messages.
    crs : str, int or pyproj.CRS, optional
        The CRS of ``x``/``y``, recorded in ``attrs["crs"]``; a geographic CRS is refused.
    check_lonlat : bool, default True
        Refuse coordinates that all lie within [-180, 180] × [-90, 90]: longitudes and
        latitudes declared as metres. Turn off only for a genuinely tiny projected window.

    Returns
    -------
    pandas.DataFrame
        A new frame: the canonical columns, then the region columns, a fresh ``RangeIndex``.

    Raises
    ------
    SchemaError
        Listing every problem at once: an empty ``id`` or ``industry``, a repeated ``id``,
        a weight or coordinate that is not a finite number, a negative weight, a point with
        ``x`` but no ``y`` (or the reverse). Each names the rows.
    ParameterError
        When the coordinates are longitudes/latitudes, with the fix in the message.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{origin} must be a pandas.DataFrame. Got {type(frame).__name__}.")
    check_columns(frame, ("id", "industry"), what=origin)
    problems: list[str] = []
    out = pd.DataFrame(index=frame.index)
    for key in ("id", "industry"):
        out[key] = _text(frame[key])
        empty = out[key].isna().to_numpy()
        if empty.any():
            problems.append(
                f"column {key!r} must not be empty; empty at row(s) {_rows(frame.index, empty)}"
            )
    repeated = (out["id"].notna() & out["id"].duplicated(keep=False)).to_numpy()
    if repeated.any():
        problems.append(
            f"column 'id' must be unique; repeated at row(s) {_rows(frame.index, repeated)}"
        )
    out["weight"] = _numbers(frame, "weight", problems)
    negative = (out["weight"] < 0).to_numpy()
    if negative.any():
        problems.append(
            f"column 'weight' must be non-negative; negative at row(s) {_rows(frame.index, negative)}"
        )
    has_band = "size_band" in frame.columns
    out["size_band"] = _text(frame["size_band"]).fillna("").astype("str") if has_band else ""
    out["x"] = _numbers(frame, "x", problems)
    out["y"] = _numbers(frame, "y", problems)
    half = (out["x"].isna() != out["y"].isna()).to_numpy()
    if half.any():
        problems.append(
            f"'x' and 'y' must be both given or both missing; not so at row(s) {_rows(frame.index, half)}"
        )
    if problems:
        raise SchemaError(f"{origin}: " + "; ".join(problems) + ".")
    if crs is not None and _crs(crs).is_geographic:
        raise ParameterError(
            f"{origin}: coordinates are in the geographic CRS {crs!r} (degrees) but "
            f"establishments need projected metres; {_LONLAT_FIX}."
        )
    located = out["x"].notna()
    if check_lonlat and located.any():
        xs, ys = out.loc[located, "x"], out.loc[located, "y"]
        if bool((xs.abs() <= 180).all() and (ys.abs() <= 90).all()):
            raise ParameterError(
                f"{origin}: columns 'x' and 'y' look like longitude/latitude in degrees (all "
                f"{int(located.sum())} located rows lie within [-180, 180] × [-90, 90]) but "
                f"must be projected metres; {_LONLAT_FIX}. Pass check_lonlat=False if they "
                "really are metres."
            )
    for column in frame.columns:
        if column not in ESTABLISHMENT_COLUMNS:
            out[str(column)] = _text(frame[column])
    out = out.reset_index(drop=True)
    out.attrs = {"crs": _crs(crs).to_string()} if crs is not None else {}
    return out


def load_table(path: Path) -> pd.DataFrame:
    """Read a CSV (any compression) or Parquet file with codes as strings, indexed by line."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist.")
    if path.suffix.lower() in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        return frame
    opener: Any = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(
        path.suffix.lower(), open
    )
    with decompression_errors(path):
        with opener(path, "rt", encoding="utf-8-sig") as handle:
            header = handle.readline()
        sep = max(",;\t|", key=header.count)
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


if TYPE_CHECKING:
    from clusteratlas.data.establishments_io import (
        read_points,
        read_sirene,
        read_strasbourg_extract,
    )

_READERS = ("read_points", "read_sirene", "read_strasbourg_extract")


def __getattr__(name: str) -> Any:
    """Give the readers of :mod:`clusteratlas.data.establishments_io` under this module too."""
    if name in _READERS:
        from clusteratlas.data import establishments_io

        return getattr(establishments_io, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ESTABLISHMENT_COLUMNS",
    "INSEE_BAND_MIDPOINTS",
    "LAMBERT93",
    "NAF_LEVELS",
    "band_weights",
    "load_table",
    "naf_class",
    "naf_codes",
    "naf_division",
    "read_points",
    "read_sirene",
    "read_strasbourg_extract",
    "validate_establishments",
]
