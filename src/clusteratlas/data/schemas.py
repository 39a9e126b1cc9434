"""The canonical tables every reader produces and every measure consumes.

Observations
    One row per (region, industry, year): ``region`` (str), ``industry`` (str), ``year``
    (int), ``employment``, ``establishments`` and ``wages`` (float; missing, suppressed or
    confidential values are NaN, never 0) and, for each value, a ``*_flag`` column (str)
    keeping the publisher's flag letters (Eurostat ``c``, ``b``, ``p``…; CBP ``D`` for a
    withheld cell). Flags are empty strings where the publisher gave none.

Category definitions
    One row per (industry, category): ``industry`` (str), ``category`` (str),
    ``category_label`` (str), ``category_type`` (str, e.g. ``traded``/``local``, may be
    empty), ``subcategory`` (str, may be empty), ``status`` (``CONFIRMED`` or
    ``UNCONFIRMED``: whether the membership was read in a source).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import SchemaError

KEY_COLUMNS: tuple[str, ...] = ("region", "industry", "year")
VALUE_COLUMNS: tuple[str, ...] = ("employment", "establishments", "wages")
FLAG_COLUMNS: tuple[str, ...] = tuple(f"{value}_flag" for value in VALUE_COLUMNS)
OBSERVATION_COLUMNS: tuple[str, ...] = KEY_COLUMNS + VALUE_COLUMNS + FLAG_COLUMNS

DEFINITION_COLUMNS: tuple[str, ...] = (
    "industry",
    "category",
    "category_label",
    "category_type",
    "subcategory",
    "status",
)


def _rows(index: pd.Index, mask: np.ndarray) -> str:
    bad = index[mask]
    return ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")


def validate_observations(frame: pd.DataFrame, *, origin: str = "observations") -> pd.DataFrame:
    """Check and coerce a frame to the canonical observations table.

    Parameters
    ----------
    frame : pandas.DataFrame
        Must hold ``region``, ``industry``, ``year`` and at least ``employment``; the other
        value and flag columns are added (missing / empty) when absent. Its index is used to
        name offending rows in error messages, so readers set it to file line numbers.
    origin : str
        What the frame came from (a file path), used in error messages.

    Returns
    -------
    pandas.DataFrame
        A new frame with exactly :data:`OBSERVATION_COLUMNS`, a fresh ``RangeIndex``, codes as
        strings, ``year`` as ``int64`` and values as ``float64``.

    Raises
    ------
    SchemaError
        When a key column is missing or empty, a value is not numeric or negative, or a
        (region, industry, year) key repeats; the message names the rows.
    """
    check_columns(frame, ("region", "industry", "year", "employment"), what=origin)
    out = pd.DataFrame(index=frame.index)
    for key in ("region", "industry"):
        values = frame[key]
        missing = values.isna().to_numpy() | (values.astype("string").str.strip() == "").to_numpy(
            dtype=bool, na_value=True
        )
        if missing.any():
            raise SchemaError(
                f"{origin}: column {key!r} must not be empty; empty at row(s) "
                f"{_rows(frame.index, missing)}."
            )
        out[key] = values.astype(str).str.strip()
    years = pd.to_numeric(frame["year"], errors="coerce")
    bad_year = (years.isna() | (years % 1 != 0)).to_numpy()
    if bad_year.any():
        raise SchemaError(
            f"{origin}: column 'year' must hold whole years; bad value(s) at row(s) "
            f"{_rows(frame.index, bad_year)}."
        )
    out["year"] = years.astype("int64")
    for value in VALUE_COLUMNS:
        if value not in frame.columns:
            out[value] = np.nan
            continue
        raw = frame[value]
        numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        not_numeric = (numbers.isna() & raw.notna()).to_numpy()
        if not_numeric.any():
            raise SchemaError(
                f"{origin}: column {value!r} must be numeric (missing allowed); "
                f"non-numeric value(s) at row(s) {_rows(frame.index, not_numeric)}."
            )
        negative = (numbers < 0).to_numpy()
        if negative.any():
            raise SchemaError(
                f"{origin}: column {value!r} must be non-negative; negative value(s) at row(s) "
                f"{_rows(frame.index, negative)}."
            )
        out[value] = numbers
    for flag in FLAG_COLUMNS:
        out[flag] = frame[flag].fillna("").astype(str) if flag in frame.columns else ""
    duplicated = out.duplicated(list(KEY_COLUMNS), keep=False).to_numpy()
    if duplicated.any():
        raise SchemaError(
            f"{origin}: each (region, industry, year) must appear once; repeated at row(s) "
            f"{_rows(frame.index, duplicated)}."
        )
    return out.reset_index(drop=True)[list(OBSERVATION_COLUMNS)]


def validate_definitions(
    frame: pd.DataFrame, *, origin: str = "category definitions"
) -> pd.DataFrame:
    """Check and coerce a frame to the canonical category-definition table.

    ``industry`` and ``category`` are required; the other columns default to empty strings
    (``status`` to ``CONFIRMED``). Raises :class:`SchemaError` on empty codes or an
    (industry, category) pair given twice.
    """
    check_columns(frame, ("industry", "category"), what=origin)
    out = pd.DataFrame(index=frame.index)
    for column in DEFINITION_COLUMNS:
        default = "CONFIRMED" if column == "status" else ""
        values = frame[column] if column in frame.columns else pd.Series(default, index=frame.index)
        out[column] = values.fillna(default).astype(str).str.strip()
    for key in ("industry", "category"):
        empty = (out[key] == "").to_numpy()
        if empty.any():
            raise SchemaError(
                f"{origin}: column {key!r} must not be empty; empty at row(s) "
                f"{_rows(frame.index, empty)}."
            )
    out.loc[out["category_label"] == "", "category_label"] = out["category"]
    duplicated = out.duplicated(["industry", "category"], keep=False).to_numpy()
    if duplicated.any():
        raise SchemaError(
            f"{origin}: each (industry, category) pair must appear once; repeated at row(s) "
            f"{_rows(frame.index, duplicated)}."
        )
    return out.reset_index(drop=True)


def empty_observations() -> pd.DataFrame:
    """Return an empty canonical observations table with the right dtypes."""
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in OBSERVATION_COLUMNS})
    return validate_observations(frame)


def require_values(frame: pd.DataFrame, columns: Sequence[str], *, origin: str) -> None:
    """Raise :class:`SchemaError` unless every column in ``columns`` is present."""
    check_columns(frame, columns, what=origin)
