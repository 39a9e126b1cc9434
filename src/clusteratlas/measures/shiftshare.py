r"""Shift-share analysis: classic (Dunn), Esteban-Marquillas and dynamic (year-by-year).

The change of a region's value (employment) in a category between two years is split into
what national growth, the category's growth relative to it, and the region's own
performance account for. Cells that cannot be compared over the period (a missing value,
a year without a row, a publisher's break-in-series flag) are marked in ``status`` and
left out: they are not decomposed and do not enter the reference totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.specialisation import _check_table, _floats, _reference_codes

Method = Literal["dunn", "esteban-marquillas"]
COMPONENTS: dict[str, tuple[str, ...]] = {
    "dunn": ("national", "mix", "competitive"),
    "esteban-marquillas": ("national", "mix", "competitive", "allocation"),
}


def _check_years(data: pd.DataFrame, year: str, years: Sequence[int]) -> None:
    """Every year of ``years`` must have rows in ``data``."""
    if not isinstance(years[0], int | np.integer) or not isinstance(years[-1], int | np.integer):
        raise TypeError(
            f"The 'start' and 'end' parameters must be ints. Got {years[0]!r} and {years[-1]!r}."
        )
    if years[-1] <= years[0]:
        raise ParameterError(
            f"The 'end' year must come after the 'start' year. Got start={years[0]}, "
            f"end={years[-1]}."
        )
    present = set(pd.unique(data[year]).tolist())
    absent = [y for y in years if y not in present]
    if absent:
        raise ParameterError(
            f"Year(s) {', '.join(map(str, absent))} have no row in column {year!r} of data; "
            f"the years present are {', '.join(map(str, sorted(present)))}."
        )


def _cells(
    data: pd.DataFrame,
    keys: list[str],
    *,
    year: str,
    value: str,
    start: int,
    end: int,
    flags: str | None,
    break_flags: str,
    absent: str,
) -> pd.DataFrame:
    """One row per (region, category) with both years' values and the cell's status."""
    window = data[data[year].between(start, end)]
    wide = window.pivot(index=keys, columns=year, values=value)
    out = pd.DataFrame(index=wide.index)
    for name, y in (("start_value", start), ("end_value", end)):
        column = _floats(wide[y])
        if absent == "zero":  # a cell without a row that year is a zero, not a gap
            rows = window.loc[window[year] == y, keys].set_index(keys).index
            column = np.where(wide.index.isin(rows), column, 0.0)
        out[name] = column
    status = np.where(out[["start_value", "end_value"]].isna().any(axis=1), "missing", "ok")
    if flags is not None:
        marks = window.assign(_f=window[flags].fillna("").astype(str))
        broken = pd.Series(False, index=marks.index)
        for letter in break_flags:
            # 'b' (break in series) at year t breaks the comparison of t-1 and t: it counts
            # after the start year; any other flag (e.g. 'd', definition differs) counts in
            # every year of the window.
            inside = marks[year] > start if letter == "b" else marks[year] >= start
            broken |= marks["_f"].str.contains(letter, regex=False) & inside
        flagged = marks.loc[broken, keys].drop_duplicates().set_index(keys).index
        status = np.where(out.index.isin(flagged) & (status == "ok"), "break", status)
    out["status"] = status
    return out.reset_index()


def _decompose(
    cells: pd.DataFrame, keys: list[str], method: Method, reference: np.ndarray
) -> pd.DataFrame:
    """Add the components of ``method`` to ``cells`` (one period)."""
    region, category = keys
    ok = (cells["status"] == "ok").to_numpy()
    e0 = cells["start_value"].to_numpy(dtype="float64")
    e1 = cells["end_value"].to_numpy(dtype="float64")
    base = cells.assign(
        _e0=np.where(ok & reference, e0, 0.0), _e1=np.where(ok & reference, e1, 0.0)
    )
    by_category = base.groupby(category, sort=False)[["_e0", "_e1"]].sum()
    e_c0 = cells[category].map(by_category["_e0"]).to_numpy(dtype="float64")
    e_c1 = cells[category].map(by_category["_e1"]).to_numpy(dtype="float64")
    total0, total1 = base["_e0"].sum(), base["_e1"].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        g = total1 / total0 if total0 > 0 else np.nan
        g_c = np.where(e_c0 > 0, e_c1 / e_c0, np.nan)
        out = cells.assign(change=e1 - e0, national=e0 * (g - 1.0), mix=e0 * (g_c - g))
        out["competitive"] = e1 - e0 * g_c
        if method == "esteban-marquillas":
            t_r0 = (
                cells.assign(_e0=np.where(ok, e0, 0.0))
                .groupby(region, sort=False)["_e0"]
                .transform("sum")
                .to_numpy(dtype="float64")
            )
            homothetic = t_r0 * e_c0 / total0
            gap = np.where(e0 > 0, e1 / np.where(e0 > 0, e0, 1.0) - g_c, 0.0)
            entry = (e0 == 0) & (e1 > 0)
            out["homothetic"] = homothetic
            out["competitive"] = np.where(entry, np.nan, homothetic * gap)
            out["allocation"] = np.where(entry, np.nan, (e0 - homothetic) * gap)
            out["status"] = np.where(ok & entry, "entry", out["status"])
        # A category with nothing in the reference economy in the start year has no
        # growth rate to compare with.
        out["status"] = np.where(ok & ~np.isfinite(g_c), "no-reference", out["status"])
        ok = (out["status"] == "ok").to_numpy()
    components = list(COMPONENTS[method]) + (["homothetic"] if method != "dunn" else [])
    for column in ["change", *components]:
        out[column] = out[column].where(ok)
    return out


def shift_share(
    data: pd.DataFrame,
    *,
    start: int,
    end: int,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    year: str = "year",
    method: Method = "dunn",
    flags: str | None = None,
    break_flags: str = "bd",
    absent: Literal["missing", "zero"] = "missing",
    reference_regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    r"""Split each region's change in each category into shift-share effects.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``year``) and a ``value``
        (NaN: missing); other years are ignored.
    start, end : int
        First and last year of the period; both must have rows in ``data``.
    region, category, value, year : str
        Column labels of ``data``.
    method : {"dunn", "esteban-marquillas"}, default "dunn"
        The classic decomposition into national, industry-mix and competitive effects,
        or Esteban-Marquillas's, which splits the competitive effect into a homothetic
        competitive effect and an allocation effect.
    flags : str, optional
        Column of the publisher's flags (e.g. ``employment_flag`` of the Eurostat
        reader); a cell flagged with a letter of ``break_flags`` is not decomposed.
    break_flags : str, default "bd"
        Flag letters that make a cell incomparable over the period: Eurostat's ``b``
        (break in time series; counted in the years after ``start``) and ``d``
        (definition differs; counted in every year of the period).
    absent : {"missing", "zero"}, default "missing"
        What a (region, category, year) without a row means: no information (Eurostat)
        or no activity (County Business Patterns lists only the industries present).
    reference_regions : iterable of str, optional
        Regions whose sum is the reference ("national") economy (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per (region, category) with a row in either year, sorted, with ``start``,
        ``end``, ``start_value``, ``end_value``, ``change`` and the effects: ``national``,
        ``mix``, ``competitive`` (+ ``allocation`` and ``homothetic`` employment for
        Esteban-Marquillas), and ``status``: ``ok``, ``missing`` (a value or row missing
        in either year), ``break`` (flagged) or, for Esteban-Marquillas, ``entry`` (no
        employment in the start year, so no own growth rate), or ``no-reference`` (the
        category is empty in the reference economy in the start year). Only ``ok`` rows
        are decomposed; the others have a missing ``change`` and missing effects.

    Raises
    ------
    SchemaError
        When a column is missing, a value is not numeric or is negative, or a
        (region, category, year) repeats.
    ParameterError, UnknownCodeError
        When a year has no row, ``end`` is not after ``start``, or an option is unknown.

    Notes
    -----
    With :math:`e_{rc}` the region's value in category c, :math:`E_c` the reference
    economy's, :math:`E = \sum_c E_c`, superscripts 0 and 1 the two years,
    :math:`g = E^1/E^0`, :math:`g_c = E_c^1/E_c^0` and :math:`g_{rc} = e_{rc}^1/e_{rc}^0`:

    .. math:: e^1_{rc} - e^0_{rc} =
              \underbrace{e^0_{rc}(g - 1)}_{\text{national}}
              + \underbrace{e^0_{rc}(g_c - g)}_{\text{industry mix}}
              + \underbrace{e^0_{rc}(g_{rc} - g_c)}_{\text{competitive}}

    The competitive (regional-share) effect is computed as
    :math:`e^1_{rc} - e^0_{rc} g_c`, defined also for a cell empty in the start year, so
    the three effects sum to the change up to floating-point rounding. Esteban-Marquillas
    (1972) use the homothetic value :math:`\hat e^0_{rc} = T^0_r E^0_c / E^0`, the
    region's size times the reference structure:

    .. math:: e^0_{rc}(g_{rc} - g_c) = \underbrace{\hat e^0_{rc}(g_{rc} - g_c)}_{
              \text{competitive}} + \underbrace{(e^0_{rc} - \hat e^0_{rc})(g_{rc} -
              g_c)}_{\text{allocation}}

    positive allocation means the region is specialised in the categories where it is
    competitive. The reference totals :math:`E_c`, :math:`E` and the region totals
    :math:`T_r` are summed over the ``ok`` cells only (a balanced panel), so a value
    suppressed in one year does not show up as growth elsewhere. Summed over a region's
    categories, the effects are REAT's ``shift`` components (``National share``,
    ``Industrial mix``, ``Regional share``, ``Allocation effect``); REAT's per-industry
    ``shifti`` uses each industry's own national growth, i.e. its ``National share`` is
    our ``national + mix``.

    References
    ----------
    .. [1] Dunn, E. S. (1960). A statistical and analytical technique for regional
       analysis. Papers of the Regional Science Association, 6(1), 97-112.
    .. [2] Esteban-Marquillas, J. M. (1972). A reinterpretation of shift-share analysis.
       Regional and Urban Economics, 2(3), 249-255.
    .. [3] Wieland, T. (2019). REAT: A regional economic analysis toolbox for R. REGION,
       6(3), R1-R57.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import shift_share
    >>> data = pd.DataFrame({"region": ["A", "A", "B", "B"] * 2,
    ...                      "category": ["x", "y"] * 4, "year": [2000] * 4 + [2010] * 4,
    ...                      "employment": [10.0, 10.0, 10.0, 10.0, 20.0, 10.0, 10.0, 20.0]})
    >>> shift_share(data, start=2000, end=2010)[
    ...     ["region", "category", "change", "national", "mix", "competitive"]]
      region category  change  national  mix  competitive
    0      A        x    10.0       5.0  0.0          5.0
    1      A        y     0.0       5.0  0.0         -5.0
    2      B        x     0.0       5.0  0.0         -5.0
    3      B        y    10.0       5.0  0.0          5.0
    """
    return _shift_share(
        data,
        years=[start, end],
        region=region,
        category=category,
        value=value,
        year=year,
        method=method,
        flags=flags,
        break_flags=break_flags,
        absent=absent,
        reference_regions=reference_regions,
    )


def _shift_share(
    data: pd.DataFrame,
    *,
    years: Sequence[int],
    region: str,
    category: str,
    value: str,
    year: str,
    method: Method,
    flags: str | None,
    break_flags: str,
    absent: str,
    reference_regions: Iterable[str] | None,
) -> pd.DataFrame:
    """Validate once, then decompose each consecutive pair of ``years``."""
    check_in(method, tuple(COMPONENTS), name="method")
    check_in(absent, ("missing", "zero"), name="absent")
    keys = [region, category]
    _check_table(data, [*keys, year], [value], what="data")
    if flags is not None:
        check_columns(data, [flags], what="data")
    if not isinstance(break_flags, str):
        raise SchemaError(f"The 'break_flags' parameter must be a str. Got {break_flags!r}.")
    _check_years(data, year, list(years))
    codes = _reference_codes(data, region, reference_regions)
    periods = []
    for start, end in pairwise(years):
        cells = _cells(
            data, keys, year=year, value=value, start=start, end=end,
            flags=flags, break_flags=break_flags, absent=absent,
        )  # fmt: skip
        reference = (
            np.ones(len(cells), bool) if codes is None else cells[region].isin(codes).to_numpy()
        )
        out = _decompose(cells, keys, method, reference)
        out.insert(2, "start", start)
        out.insert(3, "end", end)
        periods.append(out)
    table = pd.concat(periods, ignore_index=True)
    order = ["start_value", "end_value", "change", *COMPONENTS[method]]
    order += ["homothetic"] if method != "dunn" else []
    table = table[[*keys, "start", "end", *order, "status"]]
    return table.sort_values([*keys, "start"], kind="mergesort").reset_index(drop=True)


def dynamic_shift_share(
    data: pd.DataFrame,
    *,
    start: int,
    end: int,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    year: str = "year",
    method: Method = "dunn",
    flags: str | None = None,
    break_flags: str = "bd",
    absent: Literal["missing", "zero"] = "missing",
    reference_regions: Iterable[str] | None = None,
    yearly: bool = False,
) -> pd.DataFrame:
    r"""Dynamic shift-share: the classic decomposition year by year, summed over the period.

    Parameters
    ----------
    data, start, end, region, category, value, year, method, flags, break_flags, absent,
    reference_regions
        As in :func:`shift_share`; every year from ``start`` to ``end`` must have rows.
    yearly : bool, default False
        Return one row per (region, category, year-to-year period) instead of the sums.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`shift_share`. Summed rows are decomposed only when every
        period is ``ok``; otherwise ``status`` is the first period's problem.
        ``start_value`` and ``end_value`` are the values of ``start`` and ``end`` (missing
        when missing in that year).

    Raises
    ------
    SchemaError, ParameterError, UnknownCodeError
        As in :func:`shift_share`.

    Notes
    -----
    .. math:: X_{rc} = \sum_{t=t_0}^{t_1 - 1} X_{rc}(t, t+1)

    for each effect X of :func:`shift_share` computed between consecutive years, so the
    national, mix and competitive effects follow the changing structure of the economy
    instead of the start year's alone (Barff & Knight 1988). The sum of the yearly
    changes is the change over the period. For one region, the sums over categories are
    REAT's ``shiftd`` components.

    References
    ----------
    .. [1] Barff, R. A., & Knight, P. L. (1988). Dynamic shift-share analysis. Growth and
       Change, 19(2), 1-10.
    .. [2] Wieland, T. (2019). REAT: A regional economic analysis toolbox for R. REGION,
       6(3), R1-R57.
    """
    if not isinstance(start, int | np.integer) or not isinstance(end, int | np.integer):
        raise TypeError(f"The 'start' and 'end' parameters must be ints. Got {start!r}, {end!r}.")
    if end <= start:
        raise ParameterError(
            f"The 'end' year must come after the 'start' year. Got start={start}, end={end}."
        )
    table = _shift_share(
        data,
        years=list(range(int(start), int(end) + 1)),
        region=region,
        category=category,
        value=value,
        year=year,
        method=method,
        flags=flags,
        break_flags=break_flags,
        absent=absent,
        reference_regions=reference_regions,
    )
    if yearly:
        return table
    keys = [region, category]
    effects = [c for c in table.columns if c not in (*keys, "start", "end", "status")]
    effects = [c for c in effects if c not in ("start_value", "end_value")]
    grouped = table.groupby(keys, sort=True)
    out = grouped[effects].sum(min_count=1)
    out.insert(0, "start", int(start))
    out.insert(1, "end", int(end))
    # The first period's start value and the last period's end value, missing or not
    # (GroupBy.first/last would skip a missing one and report another year's value).
    first = table.drop_duplicates(keys, keep="first").set_index(keys)["start_value"]
    last = table.drop_duplicates(keys, keep="last").set_index(keys)["end_value"]
    out.insert(2, "start_value", first.reindex(out.index))
    out.insert(3, "end_value", last.reindex(out.index))
    bad = table[table["status"] != "ok"].groupby(keys, sort=True)["status"].first()
    out["status"] = bad.reindex(out.index).fillna("ok")
    out.loc[out["status"] != "ok", effects] = np.nan
    return out.reset_index()


__all__ = ["COMPONENTS", "dynamic_shift_share", "shift_share"]
