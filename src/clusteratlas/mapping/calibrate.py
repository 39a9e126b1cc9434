"""Calibrate an unpublished threshold so that a rule reproduces a published count.

The European Cluster Panorama 2021 reports 1,501 sector specialisations in 201 EU-27 regions
holding about 25 % of EU employment, but not the LQ cut-off behind them (see
``data/reference/headline_figures.md`` §1). :func:`calibrate_threshold` finds the cut-off that
reproduces the count on our data, and reports how close the region count and the employment
share then come, so the threshold is *reported*, not assumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_interval
from clusteratlas.errors import ParameterError

_TABLE_COLUMNS = ["threshold", "count", "regions", "employment_share"]


@dataclass(frozen=True)
class CalibrationResult:
    """The threshold that best reproduces a target count, and how close it comes.

    Attributes
    ----------
    threshold : float
        The chosen cut-off ``t``: the cells with ``measure >= t`` are selected. Any cut-off in
        ``(next_lower, threshold]`` selects the same cells.
    next_lower : float
        The largest measure value below ``threshold`` (``-inf`` when there is none).
    count, regions : int
        The number of selected (region, category) cells and of distinct regions among them.
    target_count, target_regions : int
        The published figures aimed at.
    employment_share : float
        Employment in the selected cells divided by the total employment of the frame
        (or ``total_employment`` when given).
    min_employment : float
        The minimum cell employment used (the best one when a grid was searched).
    table : pandas.DataFrame
        ``threshold``, ``count``, ``regions``, ``employment_share`` for the distinct cut-offs
        around the chosen one (a few either side), highest threshold first.
    grid : pandas.DataFrame or None
        With ``min_employment_grid``: the best result per minimum employment
        (``min_employment`` plus the table's columns); else None.
    """

    threshold: float
    next_lower: float
    count: int
    regions: int
    target_count: int
    target_regions: int
    employment_share: float
    min_employment: float
    table: pd.DataFrame
    grid: pd.DataFrame | None = None

    def _repr_html_(self) -> str:
        """Show the calibration in a notebook: the cut-off, the counts, the table around it."""
        from clusteratlas._html import html_summary

        return html_summary(
            "CalibrationResult",
            [
                ("threshold", self.threshold),
                ("count", f"{self.count:,} (target {self.target_count:,})"),
                ("regions", f"{self.regions:,} (target {self.target_regions:,})"),
                ("employment share", f"{self.employment_share:.1%}"),
                ("minimum employment", self.min_employment),
            ],
            self.grid if self.grid is not None else self.table,
        )


def calibrate_threshold(
    frame: pd.DataFrame,
    *,
    measure: str = "lq",
    target_count: int = 1501,
    target_regions: int = 201,
    min_employment: float = 0.0,
    min_employment_grid: Sequence[float] | None = None,
    region: str = "region",
    category: str = "category",
    employment: str = "employment",
    total_employment: float | None = None,
    around: int = 5,
) -> CalibrationResult:
    r"""Find the cut-off ``t`` for which ``measure >= t`` selects about ``target_count`` cells.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per (region, category) cell, for one year, with the ``measure``,
        ``employment``, ``region`` and ``category`` columns. Not modified.
    measure : str, default "lq"
        The column compared with the threshold.
    target_count, target_regions : int, default 1501 and 201
        The published number of cells and of regions holding them (Panorama 2021).
    min_employment : float, default 0.0
        Cells must also have ``employment >= min_employment``.
    min_employment_grid : sequence of float, optional
        When given, calibrate for each of these minimum employments and keep the one whose
        best count is closest to ``target_count``, ties broken by the closest region count,
        then by the smaller minimum; ``min_employment`` is then ignored.
    region, category, employment : str
        Column labels.
    total_employment : float, optional
        Denominator of ``employment_share``; by default the employment summed over all rows
        of ``frame`` (missing values skipped), i.e. the frame's regions' total when its
        categories cover the whole economy.
    around : int, default 5
        How many distinct cut-offs either side of the chosen one the table shows.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    SchemaError
        When a column is missing.
    ParameterError
        When a target is below 1, a (region, category) cell repeats, or no cell has a
        measure and enough employment.

    Notes
    -----
    The count :math:`N(t) = \#\{i : m_i \ge t\}` is a step function that only changes at
    the measure values, so the search is exact: sort the eligible values in decreasing
    order; at each distinct value :math:`v`, :math:`N(v)` is the position of the last value
    equal to :math:`v`, plus one. The chosen :math:`v` minimises :math:`|N(v) - N^*|`, ties
    (equal distance above and below) broken by the region count closest to the target, then
    by the higher threshold. Tied measure values make some counts unreachable. Cells with a
    missing measure or employment are never selected.

    Examples
    --------
    >>> frame = pd.DataFrame({"region": list("ABCD"), "category": "x",
    ...                       "employment": [10.0, 20.0, 30.0, 40.0],
    ...                       "lq": [0.5, 1.5, 2.5, 3.5]})
    >>> result = calibrate_threshold(frame, target_count=2, target_regions=2)
    >>> result.threshold, result.count, result.regions, result.employment_share
    (2.5, 2, 2, 0.7)
    """
    for name, value in (("target_count", target_count), ("target_regions", target_regions)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ParameterError(
                f"The {name!r} parameter of calibrate_threshold must be an int in [1, inf). "
                f"Got {value!r} instead."
            )
    check_columns(frame, (region, category, employment, measure), what="calibration frame")
    keys = frame[[region, category]]
    if keys.duplicated().any():
        first = keys[keys.duplicated()].iloc[0].tolist()
        raise ParameterError(
            f"calibrate_threshold needs one row per ({region}, {category}) cell, for one "
            f"year; cell {first} repeats. Select a single year first."
        )
    emp = pd.to_numeric(frame[employment], errors="coerce").to_numpy(dtype="float64")
    values = pd.to_numeric(frame[measure], errors="coerce").to_numpy(dtype="float64")
    regions = frame[region].to_numpy()
    total = float(np.nansum(emp)) if total_employment is None else float(total_employment)
    check_interval(total, name="total_employment", low=0.0, closed="right")
    targets = (int(target_count), int(target_regions))
    minima = [min_employment] if min_employment_grid is None else list(min_employment_grid)
    if not minima:
        raise ParameterError("The 'min_employment_grid' parameter must not be empty.")
    results: list[tuple[float, pd.DataFrame, int, dict[str, Any]]] = []
    for minimum in minima:
        eligible = ~np.isnan(values) & (emp >= minimum)
        if not eligible.any():
            raise ParameterError(
                f"No cell has a {measure!r} value and employment >= {minimum:g}; cannot calibrate."
            )
        steps = _steps(values[eligible], emp[eligible], regions[eligible], total)
        best = _best(steps, *targets)
        results.append((float(minimum), steps, best, _row(steps, best)))
    minimum, steps, best, row = min(
        results,
        key=lambda r: (
            abs(r[3]["count"] - targets[0]),
            abs(r[3]["regions"] - targets[1]),
            r[0],
        ),
    )
    grid = None
    if min_employment_grid is not None:
        rows = [{"min_employment": m, **found} for m, _, _, found in results]
        grid = pd.DataFrame(rows, columns=["min_employment", *_TABLE_COLUMNS])
    lower = _row(steps, best + 1)["threshold"] if best + 1 < len(steps) else -np.inf
    table = steps.iloc[max(best - around, 0) : best + around + 1].reset_index(drop=True)
    return CalibrationResult(
        threshold=row["threshold"],
        next_lower=float(lower),
        count=row["count"],
        regions=row["regions"],
        target_count=targets[0],
        target_regions=targets[1],
        employment_share=row["employment_share"],
        min_employment=minimum,
        table=table,
        grid=grid,
    )


def _steps(values: np.ndarray, emp: np.ndarray, regions: np.ndarray, total: float) -> pd.DataFrame:
    """Return count, regions and employment share at each distinct value, highest first."""
    order = np.argsort(-values, kind="stable")
    values, emp, regions = values[order], np.nan_to_num(emp[order]), regions[order]
    new_region = ~pd.Series(regions).duplicated().to_numpy()
    n_regions = np.cumsum(new_region)
    cum_emp = np.cumsum(emp)
    last = np.r_[values[1:] != values[:-1], True]  # last position of each run of equal values
    share = cum_emp[last] / total if total > 0 else np.full(int(last.sum()), np.nan)
    return pd.DataFrame(
        {
            "threshold": values[last],
            "count": np.flatnonzero(last) + 1,
            "regions": n_regions[last],
            "employment_share": share,
        }
    )


def _row(steps: pd.DataFrame, i: int) -> dict[str, Any]:
    """Return row ``i`` of ``steps`` as Python numbers."""
    return {
        "threshold": float(steps["threshold"].to_numpy()[i]),
        "count": int(steps["count"].to_numpy()[i]),
        "regions": int(steps["regions"].to_numpy()[i]),
        "employment_share": float(steps["employment_share"].to_numpy()[i]),
    }


def _best(steps: pd.DataFrame, target_count: int, target_regions: int) -> int:
    """Return the row of ``steps`` closest to the targets (count, then regions, then higher t)."""
    distance = np.abs(steps["count"].to_numpy() - target_count)
    region_distance = np.abs(steps["regions"].to_numpy() - target_regions)
    return int(np.lexsort((np.arange(len(steps)), region_distance, distance))[0])


__all__ = ["CalibrationResult", "calibrate_threshold"]
