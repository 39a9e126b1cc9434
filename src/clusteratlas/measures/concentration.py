r"""Concentration and specialisation indices: Krugman, Herfindahl-Hirschman, locational Gini.

Every function takes a tidy frame with one row per (region, category, *by) and returns a new
frame with one row per group. A (region, category) pair with no row counts as zero; a
missing value (NaN: suppressed or confidential) makes every index that depends on it
missing, since it cannot be told from the published figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.measures.specialisation import (
    _as_by,
    _check_table,
    _floats,
    _lookup,
    _merge,
    _ratio,
    _reference_codes,
    _sum,
    _with_totals,
)


def _per_group(frame: pd.DataFrame, keys: Sequence[str], column: str, name: str) -> pd.DataFrame:
    """Sum ``column`` per ``keys``, giving NaN for any group that holds a NaN."""
    work = frame[list(keys)].assign(_value=frame[column].fillna(0.0), _missing=frame[column].isna())
    grouped = work.groupby(list(keys), sort=True)
    out = grouped["_value"].sum().rename(name).reset_index()
    out[name] = out[name].where(~grouped["_missing"].any().to_numpy())
    return out


def krugman_index(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    reference_regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    r"""Compute Krugman's specialisation index of each region against the reference area.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``*by``) and a ``value``.
    region, category, value : str
        Column labels of the region code, the category code and the value.
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups; may be empty.
    reference_regions : iterable of str, optional
        Regions that make up the reference area (default: every region in ``data``).

    Returns
    -------
    pandas.DataFrame
        One row per (region, ``*by``), sorted, with ``krugman`` in [0, 2].

    Raises
    ------
    SchemaError, UnknownCodeError, ParameterError
        As in :func:`~clusteratlas.measures.location_quotient`.

    Notes
    -----
    .. math:: K_r = \sum_c \left| s_{rc} - s_c \right|, \qquad
              s_{rc} = E_{rc} / T_r, \quad s_c = E_c / E

    with the totals of :func:`~clusteratlas.measures.location_quotient` over the reference
    area. 0 means the region's structure is the reference's; 2 means they share no
    category. A region with a missing value gets a missing index.

    References
    ----------
    .. [1] Krugman, P. (1991). Geography and Trade. MIT Press.
    .. [2] Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J., & Venables, A. J.
       (2000). The location of European industry. Economic Papers 142, European
       Commission.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import krugman_index
    >>> data = pd.DataFrame(
    ...     {
    ...         "region": ["A", "A", "B", "B", "C", "C"],
    ...         "category": ["x", "y"] * 3,
    ...         "employment": [10.0, 30.0, 20.0, 20.0, 30.0, 10.0],
    ...     }
    ... )
    >>> krugman_index(data, by=())
      region  krugman
    0      A      0.5
    1      B      0.0
    2      C      0.5
    """
    keys_by = _as_by(by)
    out = _with_totals(
        data,
        region=region,
        category=category,
        value=value,
        by=keys_by,
        reference_regions=reference_regions,
    )
    s_rc = _ratio(_floats(data[value]), out["region_total"])
    s_c = _ratio(out["reference_category_total"], out["reference_total"])
    # Σ_c |s_rc − s_c| over all categories = Σ_(rows of r) (|s_rc − s_c| − s_c) + Σ_c s_c,
    # so categories without a row in the region (zero) count without building the grid.
    out["_term"] = np.abs(s_rc - s_c) - s_c
    out["_share"] = s_c
    result = _per_group(out, [region, *keys_by], "_term", "krugman")
    categories = out.drop_duplicates([category, *keys_by])
    reference_sum = _sum(categories, keys_by, "_share", "_sum")
    total = result["krugman"] + _lookup(result, reference_sum, keys_by, "_sum")
    result["krugman"] = total.clip(0.0, 2.0)
    return result


def herfindahl(
    data: pd.DataFrame,
    *,
    within: str = "category",
    across: str = "region",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
) -> pd.DataFrame:
    r"""Compute the Herfindahl-Hirschman index of ``value`` across units within groups.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``within``, ``across``, ``*by``) and a ``value``.
    within : str, default "category"
        Column whose groups are measured: with the defaults, how concentrated each
        category is across regions; with ``within="region", across="category"``, how
        specialised each region is across categories.
    across : str, default "region"
        Column of the units the value is shared among.
    value : str, default "employment"
        Column label of the value.
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups; may be empty.

    Returns
    -------
    pandas.DataFrame
        One row per (``within``, ``*by``), sorted, with ``herfindahl`` in [1/n, 1], ``n``
        (the number of distinct ``across`` units in the ``by`` group, whether or not the
        ``within`` group has a row for each) and ``herfindahl_normalised`` in [0, 1].

    Raises
    ------
    SchemaError
        When a column is missing, a value is not numeric or is negative, or a
        (within, across, ``*by``) key repeats.
    ParameterError
        When the key columns are not distinct.

    Notes
    -----
    .. math:: H = \sum_{i=1}^{n} \left(\frac{v_i}{\sum_j v_j}\right)^2, \qquad
              H^* = \frac{H - 1/n}{1 - 1/n}

    :math:`H` is 1/n for an even split and 1 when one unit holds everything. n counts
    every unit of the ``by`` group (every region of the year, with the defaults): a unit
    without a row in a ``within`` group counts as a zero, so :math:`H^*` is the same
    whether zero cells are listed or left out (counting the rows present gave 0.4375 with
    a zero row listed and 0.25 without, on the same data).
    A unit that has no row at all in the group cannot be counted. Both are missing when a
    value of the group is missing or the group sums to 0; :math:`H^*` is missing when
    n = 1. EconGeo's ``herfindahl`` and REAT's ``herf`` give :math:`H` (not :math:`H^*`).

    References
    ----------
    .. [1] Hirschman, A. O. (1964). The paternity of an index. American Economic Review,
       54(5), 761.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import herfindahl
    >>> data = pd.DataFrame(
    ...     {
    ...         "region": ["A", "A", "B", "B"],
    ...         "category": ["x", "y"] * 2,
    ...         "employment": [10.0, 10.0, 30.0, 10.0],
    ...     }
    ... )
    >>> herfindahl(data, by=())
      category  herfindahl  n  herfindahl_normalised
    0        x       0.625  2                   0.25
    1        y       0.500  2                   0.00
    """
    keys_by = _as_by(by)
    keys = [within, *keys_by]
    _check_table(data, [within, across, *keys_by], [value], what="data")
    values = pd.Series(_floats(data[value]), index=data.index)
    group_total = values.groupby([data[key] for key in keys]).transform("sum")
    work = data[keys].assign(_square=_ratio(values, group_total) ** 2)
    result = _per_group(work, keys, "_square", "herfindahl")
    # n is the number of units of the whole ``by`` group, not the rows of ``within``: a
    # unit without a row counts as a zero, so listing zero cells or not changes nothing.
    units = data[[across, *keys_by]].drop_duplicates()
    counts = _lookup(result, _sum(units.assign(_one=1.0), keys_by, "_one", "_n"), keys_by, "_n")
    result["n"] = counts.astype("int64")
    inverse = 1.0 / counts
    result["herfindahl"] = result["herfindahl"].clip(inverse, 1.0)
    normalised = _ratio(result["herfindahl"] - inverse, 1.0 - inverse)
    result["herfindahl_normalised"] = np.clip(normalised, 0.0, 1.0)
    return result


def locational_gini(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    reference_regions: Iterable[str] | None = None,
    convention: Literal["krugman", "econgeo"] = "krugman",
) -> pd.DataFrame:
    r"""Compute Krugman's locational Gini coefficient of each category.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``*by``) and a ``value``.
    region, category, value : str
        Column labels of the region code, the category code and the value.
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups; may be empty.
    reference_regions : iterable of str, optional
        Regions over which the coefficient is computed (default: every region in ``data``).
    convention : {"krugman", "econgeo"}, default "krugman"
        Twice the area between the diagonal and the Lorenz curve, in [0, 1] (Krugman
        1991, the default), or half of it, in [0, 0.5], as EconGeo's
        ``locational_gini`` returns.

    Returns
    -------
    pandas.DataFrame
        One row per (category, ``*by``), sorted, with ``gini`` in [0, 1] ([0, 0.5] with
        ``convention="econgeo"``).

    Raises
    ------
    SchemaError, UnknownCodeError, ParameterError
        As in :func:`~clusteratlas.measures.location_quotient`.

    Notes
    -----
    For category c, each reference region r has a share :math:`x_r = T_r / E` of total
    employment and a share :math:`y_r = E_{rc} / E_c` of the category. Regions are sorted
    by :math:`y_r / x_r` (their location quotient) in increasing order and
    :math:`X_k`, :math:`Y_k` are the cumulative shares of the first k regions
    (:math:`X_0 = Y_0 = 0`); the Lorenz curve joins the points :math:`(X_k, Y_k)`:

    .. math:: G_c = 1 - \sum_k (X_k - X_{k-1}) (Y_k + Y_{k-1})

    that is, twice the area between the diagonal and the Lorenz curve. G = 0 when every
    region's share of the category equals its share of total employment and G tends to 1
    when the category sits in one region with a vanishing share of total employment.
    A missing value of the category in a reference region gives a missing coefficient.
    EconGeo's ``locational_gini`` divides the same sum by 2, so its maximum is 0.5:
    ``convention="econgeo"`` reproduces it (to about 1e-15 on the tests' examples).

    References
    ----------
    .. [1] Krugman, P. (1991). Geography and Trade. MIT Press.
    .. [2] Audretsch, D. B., & Feldman, M. P. (1996). R&D spillovers and the geography of
       innovation and production. American Economic Review, 86(3), 630-640.
    .. [3] Amiti, M. (1998). New trade theories and industrial location in the EU: a survey
       of evidence. Oxford Review of Economic Policy, 14(2), 45-53.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import locational_gini
    >>> data = pd.DataFrame(
    ...     {
    ...         "region": ["A", "A", "B", "B"],
    ...         "category": ["x", "y"] * 2,
    ...         "employment": [10.0, 10.0, 0.0, 20.0],
    ...     }
    ... )
    >>> locational_gini(data, by=()).round(4)
      category    gini
    0        x  0.5000
    1        y  0.1667
    """
    check_in(convention, ("krugman", "econgeo"), name="convention")
    keys_by = _as_by(by)
    reference = _reference_codes(data, region, reference_regions)
    out = _with_totals(
        data, region=region, category=category, value=value, by=keys_by, reference_regions=reference
    )
    categories = out.drop_duplicates([category, *keys_by])[
        [category, *keys_by, "reference_category_total"]
    ]
    if reference is not None:
        out = out[out[region].isin(reference)]
    first_rows = out.drop_duplicates([region, *keys_by])
    regions = first_rows[[region, *keys_by]].assign(
        _x=_ratio(first_rows["region_total"], first_rows["reference_total"])
    )
    # Every (region, category) of the group: a pair without a row counts as zero.
    grid = (
        categories.merge(regions, how="cross")
        if not keys_by
        else categories.merge(regions, how="inner", on=list(keys_by))
    )
    cells = out[[region, category, *keys_by, value]].assign(_present=True)
    grid = _merge(grid, cells, [region, category, *keys_by], what="data")
    cell = np.where(grid["_present"].isna(), 0.0, _floats(grid[value]))
    grid["_y"] = _ratio(cell, grid["reference_category_total"])
    grid["_lq"] = _ratio(grid["_y"], grid["_x"])
    keys = [category, *keys_by]
    grid = grid.sort_values([*keys, "_lq"], kind="mergesort", na_position="last")
    cumulative_y = grid.groupby(keys, sort=False)["_y"].cumsum()
    grid["_area"] = grid["_x"] * (2.0 * cumulative_y - grid["_y"])
    result = _per_group(grid, keys, "_area", "gini")
    result["gini"] = (1.0 - result["gini"]).clip(0.0, 1.0)
    if convention == "econgeo":
        result["gini"] = result["gini"] / 2.0
    return result


__all__ = ["herfindahl", "krugman_index", "locational_gini"]
