"""What the HTML atlas and the PNG plots share: checks, class breaks, colours, safe writes."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, suggest
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError

#: Class breaks of the location quotient (1 sits between the second and third class).
LQ_BREAKS: tuple[float, ...] = (0.5, 0.8, 1.25, 2.0, 3.0)
#: Colours of the LQ classes: one sequential scale, lighter = lower LQ, darker and more
#: saturated = higher LQ (ColorBrewer OrRd, 6 classes), the convention of the dashboard too.
LQ_COLOURS: tuple[str, ...] = ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000")
#: Colours of the quantile classes of every other measure (light to dark).
QUANTILE_COLOURS: tuple[str, ...] = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
#: Fill and hatching of a missing (suppressed) value.
MISSING_FILL = "#d4d4d4"
MISSING_HATCH = "#7a7a7a"
#: Outline of a rated region (strong cluster, enough stars).
RATED_STROKE = "#111111"

MEASURE_LABELS: dict[str, str] = {
    "lq": "Location quotient (LQ)",
    "employment": "Employment",
    "establishments": "Establishments",
    "share_of_region": "Share of regional employment",
    "growth": "Employment growth (CAGR)",
}
#: Measures held as fractions (0.05 = 5 %) and shown as percentages.
PERCENT_MEASURES = frozenset({"share_of_region", "growth"})

RESULT_COLUMNS = ("region", "category")


@dataclass(frozen=True)
class Rating:
    """How rows of a results frame are rated.

    Attributes
    ----------
    column : str
        The rating column.
    kind : {"flag", "stars"}
        A boolean flag (``strong``) or an integer number of stars.
    threshold : int
        Rows whose flag is true, or whose stars are at least this, are *rated*.
    maximum : int
        The highest number of stars (1 for a flag).
    """

    column: str
    kind: str
    threshold: int
    maximum: int

    @property
    def label(self) -> str:
        """Say what a rated row is, e.g. ``'strong'`` or ``'stars ≥ 2'``."""
        if self.kind == "flag":
            return self.column.replace("_", " ")
        return f"{self.column.replace('_', ' ')} ≥ {self.threshold}"

    def values(self, frame: pd.DataFrame) -> pd.Series:
        """Return the rating as floats (1/0 for a flag, the stars), NaN where missing."""
        column = frame[self.column]
        if self.kind == "flag":
            return column.map(_flag_value).astype("float64")
        return pd.to_numeric(column, errors="coerce").astype("float64")


def _flag_value(value: object) -> float:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    return 1.0 if bool(value) else 0.0


def resolve_rating(frame: pd.DataFrame, rating: str | None, *, min_stars: int = 1) -> Rating | None:
    """Find the rating column of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Results with rating columns.
    rating : str or None
        A column name, ``"auto"`` (``stars`` if present, else ``strong``, else none) or
        ``None`` for no rating.
    min_stars : int
        Stars needed for a row to count as rated.

    Returns
    -------
    Rating or None
    """
    if rating is None:
        return None
    if rating == "auto":
        found = [name for name in ("stars", "strong") if name in frame.columns]
        if not found:
            return None
        rating = found[0]
    check_columns(frame, [rating], what="results")
    column = frame[rating]
    known = column.dropna()
    if pd.api.types.is_bool_dtype(column) or (
        not pd.api.types.is_numeric_dtype(column)
        and all(isinstance(v, bool | np.bool_) for v in known)
    ):
        return Rating(rating, "flag", 1, 1)
    if not pd.api.types.is_numeric_dtype(column):
        raise SchemaError(
            f"results: the rating column {rating!r} must hold booleans or integer stars; "
            f"it has dtype {column.dtype}."
        )
    if rating != "stars" and known.isin([0, 1]).all():
        return Rating(rating, "flag", 1, 1)
    maximum = int(np.nanmax(column.to_numpy(dtype="float64"), initial=0.0))
    return Rating(rating, "stars", int(min_stars), max(maximum, int(min_stars)))


def check_results(frame: pd.DataFrame, measures: Sequence[str], *, what: str = "results") -> None:
    """Check that ``frame`` has one row per region and category, of one year."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame. Got {type(frame).__name__} instead.")
    check_columns(frame, [*RESULT_COLUMNS, "lq", "employment", *measures], what=what)
    for measure in measures:
        if not pd.api.types.is_numeric_dtype(frame[measure]):
            raise SchemaError(
                f"{what}: measure column {measure!r} must be numeric; "
                f"it has dtype {frame[measure].dtype}."
            )
    if "year" in frame.columns and frame["year"].nunique() > 1:
        years = sorted(map(str, frame["year"].dropna().unique()))
        raise SchemaError(
            f"{what} must hold one year; it holds {', '.join(years)}. "
            f"Filter it first, e.g. results[results['year'] == {years[-1]}]."
        )
    duplicated = frame.duplicated(list(RESULT_COLUMNS))
    if duplicated.any():
        row = frame.loc[duplicated].iloc[0]
        raise SchemaError(
            f"{what} must have one row per (region, category); {int(duplicated.sum())} "
            f"duplicate(s), e.g. region {row['region']!r}, category {row['category']!r}."
        )


def portfolio_y(frame: pd.DataFrame) -> str:
    """Return ``"growth"`` when ``frame`` has any growth value, else ``"share_of_region"``."""
    if "growth" in frame.columns and frame["growth"].notna().any():
        return "growth"
    return "share_of_region"


def attribution_lines(attribution: str | Sequence[str]) -> list[str]:
    """Return the attribution as a non-empty list of non-empty strings."""
    lines = [attribution] if isinstance(attribution, str) else list(attribution)
    lines = [str(line).strip() for line in lines if str(line).strip()]
    if not lines:
        raise ParameterError(
            "The 'attribution' parameter must name every data source (e.g. 'Source: "
            "Eurostat'). Got an empty value instead."
        )
    return lines


def lq_class(values: np.ndarray) -> np.ndarray:
    """Return the LQ class (0 … len(LQ_BREAKS)) of each value, -1 where missing."""
    classes = np.searchsorted(np.asarray(LQ_BREAKS), values, side="right")
    return np.where(np.isnan(values), -1, classes)


def quantile_breaks(values: np.ndarray, k: int = len(QUANTILE_COLOURS)) -> np.ndarray:
    """Return the distinct inner quantile breaks of the non-missing ``values``."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.array([])
    return np.unique(np.quantile(finite, np.arange(1, k) / k))


class ArrayPool:
    """Store each distinct list once and hand out its index."""

    def __init__(self) -> None:
        self.arrays: list[list[float | int | None]] = []
        self._index: dict[str, int] = {}

    def add(self, values: list[float | int | None]) -> int:
        """Return the index of ``values``, storing them if new."""
        key = json.dumps(values, separators=(",", ":"))
        if key not in self._index:
            self._index[key] = len(self.arrays)
            self.arrays.append(values)
        return self._index[key]


def encode_values(values: np.ndarray, digits: int) -> list[float | int | None]:
    """Round to ``digits`` significant digits (integers stay integers); NaN → None."""
    out: list[float | int | None] = []
    for value in values.tolist():
        if not math.isfinite(value):
            out.append(None)
        elif value == int(value) and abs(value) < 2**53:
            out.append(int(value))
        else:
            out.append(float(f"{value:.{digits}g}"))
    return out


def unique_strings(frame: pd.DataFrame, column: str) -> list[str]:
    """Return the sorted distinct non-empty strings of ``frame[column]`` (none if absent)."""
    if column not in frame.columns:
        return []
    values = {str(v).strip() for v in frame[column].dropna().unique()}
    return sorted(v for v in values if v and v.lower() != "nan")


def sorted_codes(codes: Any) -> list[str]:
    """Sort codes as strings, with trailing numbers in numeric order (C9 before C10)."""

    def key(code: str) -> tuple[str, int, str]:
        head = code.rstrip("0123456789")
        tail = code[len(head) :]
        return (head, int(tail) if tail else -1, code)

    return sorted(map(str, codes), key=key)


def initial_category_index(requested: str | None, frame: pd.DataFrame, view: dict[str, Any]) -> int:
    """Index of the category the page opens on: the requested one, else the most rated."""
    codes = [str(category["code"]) for category in view["categories"]]
    if requested is not None:
        if str(requested) not in codes:
            raise UnknownCodeError(
                f"The 'initial_category' parameter must be a category of the first view. Got "
                f"{requested!r} instead.{suggest(str(requested), codes)}"
            )
        return codes.index(str(requested))
    spec = resolve_rating(frame, "auto")
    if spec is None or not codes:
        return 0
    values = spec.values(frame)
    rated = values >= (2 if spec.kind == "stars" and spec.maximum >= 2 else spec.threshold)
    if not rated.any():
        return 0
    employment = pd.to_numeric(frame["employment"], errors="coerce").where(rated, 0.0)
    score = (
        pd.DataFrame({"category": frame["category"].astype(str), "n": rated, "e": employment})
        .groupby("category")[["n", "e"]]
        .sum()
        .sort_values(["n", "e"], ascending=False)
    )
    return codes.index(str(score.index[0]))
