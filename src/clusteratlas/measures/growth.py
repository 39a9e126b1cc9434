r"""Change between two years: compound annual growth, absolute change, change of the LQ.

Each function takes a tidy frame with one row per (region, category, year) and returns a new
frame with one row per (region, category) present in either year, sorted by region and
category. A value missing in either year (NaN, or no row) gives a missing change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import ParameterError
from clusteratlas.measures.specialisation import _check_table, _ratio


def _check_year(value: object, *, name: str) -> int:
    """Return ``value`` as an int or raise :class:`TypeError`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"The {name!r} parameter must be an int (a year). Got {value!r} of type "
            f"{type(value).__name__} instead."
        )
    return int(value)


def _endpoints(
    data: pd.DataFrame,
    *,
    region: str,
    category: str,
    column: str,
    year: str,
    start: int,
    end: int,
    names: tuple[str, str],
) -> pd.DataFrame:
    """Return one row per (region, category) with ``column`` in ``start`` and ``end``."""
    first = _check_year(start, name="start")
    last = _check_year(end, name="end")
    if last <= first:
        raise ParameterError(
            f"The 'end' parameter must be a year after 'start' ({first}). Got {last} instead."
        )
    _check_table(data, [region, category, year], [column], what="data")
    years = set(data[year].dropna().unique().tolist())
    for name, wanted in (("start", first), ("end", last)):
        if wanted not in years:
            shown = ", ".join(map(repr, sorted(years, key=str)))
            raise ParameterError(
                f"The {name!r} parameter must be a year present in column {year!r}. "
                f"Got {wanted!r} instead; the years present are {shown}."
            )
    both = data.loc[data[year].isin([first, last]), [region, category, year, column]]
    wide = both.pivot(index=[region, category], columns=year, values=column)
    wide = wide.reindex(columns=[first, last])
    out = wide.index.to_frame(index=False)
    out[names[0]] = wide[first].to_numpy(dtype="float64", na_value=np.nan)
    out[names[1]] = wide[last].to_numpy(dtype="float64", na_value=np.nan)
    return out


def cagr(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    year: str = "year",
    start: int,
    end: int,
) -> pd.DataFrame:
    r"""Compute the compound annual growth rate of each (region, category) between two years.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``year``).
    region, category, value, year : str
        Column labels of the region code, the category code, the value and the year.
    start, end : int
        The first and the last year; ``end`` must be after ``start``.

    Returns
    -------
    pandas.DataFrame
        One row per (region, category) with ``start_value``, ``end_value`` and ``cagr``.

    Raises
    ------
    ParameterError
        When ``end <= start`` or a year is not in ``data``.
    TypeError
        When ``start`` or ``end`` is not an int.
    SchemaError
        When a column is missing, a value is not numeric or is negative, or a
        (region, category, year) key repeats.

    Notes
    -----
    .. math:: \mathrm{CAGR} = \left(\frac{E_{end}}{E_{start}}\right)^{1/(end - start)} - 1

    It is missing when either value is missing or :math:`E_{start} = 0`; a cluster that
    disappears (:math:`E_{end} = 0`) has a CAGR of -1.

    References
    ----------
    .. [1] Delgado, M., Porter, M. E., & Stern, S. (2014). Clusters, convergence, and
       economic performance. Research Policy, 43(10), 1785-1799.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import cagr
    >>> data = pd.DataFrame(
    ...     {
    ...         "region": ["A", "A", "B", "B"],
    ...         "category": ["x"] * 4,
    ...         "year": [2010, 2012, 2010, 2012],
    ...         "employment": [100.0, 121.0, 50.0, None],
    ...     }
    ... )
    >>> cagr(data, start=2010, end=2012).round(6)
      region category  start_value  end_value  cagr
    0      A        x        100.0      121.0   0.1
    1      B        x         50.0        NaN   NaN
    """
    out = _endpoints(
        data,
        region=region,
        category=category,
        column=value,
        year=year,
        start=start,
        end=end,
        names=("start_value", "end_value"),
    )
    ratio = _ratio(out["end_value"].to_numpy(), out["start_value"].to_numpy())
    out["cagr"] = np.power(ratio, 1.0 / (int(end) - int(start))) - 1.0
    return out


def absolute_change(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    year: str = "year",
    start: int,
    end: int,
) -> pd.DataFrame:
    r"""Compute the absolute change of each (region, category) between two years.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``year``).
    region, category, value, year : str
        Column labels of the region code, the category code, the value and the year.
    start, end : int
        The first and the last year; ``end`` must be after ``start``.

    Returns
    -------
    pandas.DataFrame
        One row per (region, category) with ``start_value``, ``end_value`` and ``change``.

    Raises
    ------
    ParameterError, TypeError, SchemaError
        As in :func:`cagr`.

    Notes
    -----
    .. math:: \Delta E = E_{end} - E_{start}

    missing when either value is missing.

    References
    ----------
    .. [1] Delgado, M., Porter, M. E., & Stern, S. (2014). Clusters, convergence, and
       economic performance. Research Policy, 43(10), 1785-1799.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import absolute_change
    >>> data = pd.DataFrame(
    ...     {
    ...         "region": ["A", "A"],
    ...         "category": ["x", "x"],
    ...         "year": [2010, 2015],
    ...         "employment": [100.0, 80.0],
    ...     }
    ... )
    >>> absolute_change(data, start=2010, end=2015)
      region category  start_value  end_value  change
    0      A        x        100.0       80.0   -20.0
    """
    out = _endpoints(
        data,
        region=region,
        category=category,
        column=value,
        year=year,
        start=start,
        end=end,
        names=("start_value", "end_value"),
    )
    out["change"] = out["end_value"] - out["start_value"]
    return out


def lq_change(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    lq: str = "lq",
    year: str = "year",
    start: int,
    end: int,
) -> pd.DataFrame:
    r"""Compute the change of the location quotient of each (region, category).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``year``) and a location
        quotient column, e.g. the result of
        :func:`~clusteratlas.measures.location_quotient` with ``by=("year",)``.
    region, category, lq, year : str
        Column labels of the region code, the category code, the LQ and the year.
    start, end : int
        The first and the last year; ``end`` must be after ``start``.

    Returns
    -------
    pandas.DataFrame
        One row per (region, category) with ``lq_start``, ``lq_end`` and ``lq_change``.

    Raises
    ------
    ParameterError, TypeError, SchemaError
        As in :func:`cagr`.

    Notes
    -----
    .. math:: \Delta LQ_{rc} = LQ_{rc}^{end} - LQ_{rc}^{start}

    missing when either quotient is missing. A rising LQ means the region specialises
    further in the category relative to the reference area.

    References
    ----------
    .. [1] Delgado, M., Porter, M. E., & Stern, S. (2014). Clusters, convergence, and
       economic performance. Research Policy, 43(10), 1785-1799.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import lq_change
    >>> data = pd.DataFrame(
    ...     {"region": ["A", "A"], "category": ["x", "x"], "year": [2010, 2015], "lq": [1.5, 2.0]}
    ... )
    >>> lq_change(data, start=2010, end=2015)
      region category  lq_start  lq_end  lq_change
    0      A        x       1.5     2.0        0.5
    """
    out = _endpoints(
        data,
        region=region,
        category=category,
        column=lq,
        year=year,
        start=start,
        end=end,
        names=("lq_start", "lq_end"),
    )
    out["lq_change"] = out["lq_end"] - out["lq_start"]
    return out


#: Eurostat flags after which a value does not compare with another year's: ``b`` break in
#: time series, ``d`` definition differs, ``e`` estimated. ``p`` (provisional), ``u`` (low
#: reliability) and ``i`` (see metadata) are kept as numbers; ``c`` is already missing.
BREAK_FLAGS = "bde"
FLAG_MEANINGS = {"b": "break in time series", "d": "definition differs", "e": "estimated"}
#: Default year-on-year factor beyond which a change is taken for a break (×3 or ÷3 in one
#: year: a reclassification or a change of source rather than growth).
MAX_YEARLY_FACTOR = 3.0


def growth_breaks(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    flag: str | None = "employment_flag",
    year: str = "year",
    start: int,
    end: int,
    break_flags: str = BREAK_FLAGS,
    max_factor: float | None = MAX_YEARLY_FACTOR,
) -> pd.DataFrame:
    r"""Say which (region, category) series cannot give a growth figure from ``start`` to ``end``.

    A series is a *break*, not a number, when

    1. its ``start`` or ``end`` value carries one of ``break_flags`` (Eurostat ``b`` break
       in time series, ``d`` definition differs, ``e`` estimated, by default);
    2. a year in ``(start, end]`` carries ``b`` (Eurostat puts it on the first value after
       the break, so the series changes definition inside the period);
    3. the value changes by more than ``max_factor`` (up or down) between two consecutive
       years with a positive value in ``[start, end]``.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``category``, ``year``), holding every year of
        the period (not only its ends) and a ``flag`` column of flag letters (``""`` or
        missing when none; an aggregate carries the letters of all its members).
    region, category, value, flag, year : str
        Column labels; ``flag=None`` checks the jumps only (data without flags).
    start, end : int
        The growth period.
    break_flags : str
        Flag letters that make an end value unusable for growth.
    max_factor : float or None
        Largest year-on-year factor taken for growth (> 1); ``None`` disables the check.

    Returns
    -------
    pandas.DataFrame
        One row per (region, category) with ``growth_note``: ``""`` when growth can be
        computed, else why not (e.g. ``"break: 2009 value flagged d (definition differs)"``).

    Raises
    ------
    ParameterError
        When ``end <= start`` or ``max_factor <= 1``.

    Notes
    -----
    Eurostat's flags are documented in its "Codes and labels" note (Eurostat, *Flags and
    special values*). The jump rule is a heuristic: :math:`E_t / E_{t-1} > k` or
    :math:`< 1/k` with :math:`k` = ``max_factor`` (3 by default) flags changes that
    regional statistics show at reclassifications (e.g. Dresden, C29, 2012 → 2013: ×7).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame(
    ...     {
    ...         "region": ["A", "A", "B", "B"],
    ...         "category": ["x"] * 4,
    ...         "year": [2009, 2010, 2009, 2010],
    ...         "employment": [100.0, 110.0, 100.0, 500.0],
    ...         "employment_flag": ["d", "", "", ""],
    ...     }
    ... )
    >>> growth_breaks(data, start=2009, end=2010)["growth_note"].tolist()
    ['break: 2009 value flagged d (definition differs)', 'break: ×5.0 from 2009 to 2010 (beyond ×3)']
    """
    first = _check_year(start, name="start")
    last = _check_year(end, name="end")
    if last <= first:
        raise ParameterError(
            f"The 'end' parameter must be a year after 'start' ({first}). Got {last} instead."
        )
    if max_factor is not None and not max_factor > 1.0:
        raise ParameterError(
            f"The 'max_factor' parameter must be a number above 1. Got {max_factor!r} instead."
        )
    columns = [region, category, year, value, *([flag] if flag else [])]
    _check_table(data, [region, category, year], [value], what="data")
    if flag:
        check_columns(data, [flag], what="data")
    period = data.loc[data[year].between(first, last), columns].copy()
    period = period.sort_values([region, category, year], kind="stable")
    notes: dict[tuple[object, object], str] = {}

    def note(key: tuple[object, object], text: str) -> None:
        notes.setdefault(key, text)

    if flag:
        letters = period[flag].fillna("").astype(str)
        for letter in break_flags:
            at_ends = period[year].isin([first, last]) & letters.str.contains(letter, regex=False)
            for key, when in zip(
                zip(period.loc[at_ends, region], period.loc[at_ends, category], strict=True),
                period.loc[at_ends, year],
                strict=True,
            ):
                meaning = FLAG_MEANINGS.get(letter, "flagged")
                note(key, f"break: {int(when)} value flagged {letter} ({meaning})")
        if "b" in break_flags:
            inside = period[year].gt(first) & letters.str.contains("b", regex=False)
            for key, when in zip(
                zip(period.loc[inside, region], period.loc[inside, category], strict=True),
                period.loc[inside, year],
                strict=True,
            ):
                note(key, f"break: series break (b) in {int(when)}")
    if max_factor is not None:
        positive = period[period[value].astype("float64") > 0]
        previous = positive.groupby([region, category], sort=False)[[value, year]].shift(1)
        ratio = positive[value].astype("float64") / previous[value].astype("float64")
        jumps = (ratio > max_factor) | (ratio < 1.0 / max_factor)
        for key, before, after, factor in zip(
            zip(positive.loc[jumps, region], positive.loc[jumps, category], strict=True),
            previous.loc[jumps, year],
            positive.loc[jumps, year],
            ratio[jumps],
            strict=True,
        ):
            shown = f"×{factor:.1f}" if factor > 1 else f"÷{1.0 / factor:.1f}"
            note(key, f"break: {shown} from {int(before)} to {int(after)} (beyond ×{max_factor:g})")
    keys = period[[region, category]].drop_duplicates().reset_index(drop=True)
    keys["growth_note"] = [
        notes.get((r, c), "") for r, c in zip(keys[region], keys[category], strict=True)
    ]
    return keys.sort_values([region, category], ignore_index=True)


__all__ = [
    "BREAK_FLAGS",
    "MAX_YEARLY_FACTOR",
    "absolute_change",
    "cagr",
    "growth_breaks",
    "lq_change",
]
