r"""Change between two years: compound annual growth, absolute change, change of the LQ.

Each function takes a tidy frame with one row per (region, category, year) and returns a new
frame with one row per (region, category) present in either year, sorted by region and
category. A value missing in either year (NaN, or no row) gives a missing change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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


__all__ = ["absolute_change", "cagr", "lq_change"]
