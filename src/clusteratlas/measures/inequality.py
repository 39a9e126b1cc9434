r"""Inequality of a category's spread over regions: the Hoover index and the Gini coefficient.

The regions' specialisation indices (specialisation Gini, Theil, coefficient of
specialisation) are in :mod:`.specialisation_indices` and share the helpers here. Every
function takes a tidy frame with one row per (region, category, *by) and returns a
new frame with one row per group. As in :mod:`.concentration`, a (region, category) pair
with no row counts as zero and a missing value (NaN: suppressed or confidential) makes
every index that depends on it missing. The R packages EconGeo and REAT round several of
these indices (and EconGeo multiplies some by 100); the notes of each function say how
to compare.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError
from clusteratlas.measures.specialisation import (
    _as_by,
    _check_table,
    _floats,
    _merge,
)


def _grids(
    data: pd.DataFrame, *, row: str, column: str, value: str, by: Sequence[str]
) -> Iterator[tuple[dict[str, Any], pd.DataFrame]]:
    """Yield ({by: key}, row × column matrix) per ``by`` group: NaN missing, 0 absent."""
    _check_table(data, [row, column, *by], [value], what="data")
    # Values are checked non-negative, so -1 marks a missing value through the pivot.
    frame = data[[*by, row, column]].assign(_v=np.nan_to_num(_floats(data[value]), nan=-1.0))
    groups = frame.groupby(list(by), sort=True) if by else [((), frame)]
    for key, group in groups:
        matrix = group.pivot(index=row, columns=column, values="_v")
        matrix = matrix.sort_index().sort_index(axis=1).fillna(0.0)
        keys = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        yield keys, matrix.mask(matrix < 0)


def _frame(records: list[dict[str, Any]], keys: Sequence[str], *names: str) -> pd.DataFrame:
    """Assemble per-group records into a frame sorted by ``keys``, ``names`` as floats."""
    out = pd.DataFrame.from_records(records, columns=[*keys, *names])
    out = out.astype(dict.fromkeys(names, "float64"))
    return out.sort_values(list(keys), kind="mergesort").reset_index(drop=True)


def _gini_rows(x: np.ndarray) -> np.ndarray:
    """Gini of each row of ``x`` (NaN where a value is missing or the row sums to 0)."""
    n = x.shape[1]
    ordered = np.sort(x, axis=1)
    rank = 2.0 * np.arange(1, n + 1) - n - 1.0
    total = ordered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (ordered @ rank) / (n * total)
    out[~np.isfinite(out) | (total == 0)] = np.nan
    return out


def _reference_mask(matrix: pd.DataFrame, reference: tuple[str, ...] | None) -> np.ndarray:
    """Rows of ``matrix`` that belong to the reference area."""
    return np.ones(matrix.shape[0], bool) if reference is None else matrix.index.isin(reference)


def _region_shares(
    matrix: pd.DataFrame, reference: tuple[str, ...] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return :math:`s_{rc} = E_{rc}/T_r` and :math:`s_c = E_c/E` (NaN skipped in totals)."""
    m = matrix.to_numpy(dtype="float64")
    t_r = np.nansum(m, axis=1)
    e_c = np.nansum(m[_reference_mask(matrix, reference)], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_rc = np.where(t_r[:, None] > 0, m / t_r[:, None], np.nan)
        s_c = e_c / e_c.sum() if e_c.sum() > 0 else np.full_like(e_c, np.nan)
    return s_rc, s_c


def hoover_index(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    reference: Literal["total", "uniform"] | pd.DataFrame = "total",
) -> pd.DataFrame:
    r"""Compute the Hoover index of each category's distribution across regions.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``*by``) and a ``value``.
    region, category, value : str
        Column labels of the region code, the category code and the value.
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups; may be empty.
    reference : {"total", "uniform"} or pandas.DataFrame, default "total"
        The distribution the category is compared with: each region's total of ``value``
        over all categories (the Hoover coefficient of localisation), the same weight for
        every region (EconGeo's ``hoover_index`` without ``pop``), or a frame with
        columns [``region``, ``"weight"``] (and any of the ``by`` columns), e.g. the
        population or the area of each region; every region of ``data`` needs a weight.

    Returns
    -------
    pandas.DataFrame
        One row per (category, ``*by``), sorted, with ``hoover`` in [0, 1].

    Raises
    ------
    SchemaError
        When a column is missing, a value is not numeric or is negative, a key repeats or
        ``reference`` lacks a region.
    ParameterError
        When ``reference`` is neither a known name nor a frame.

    Notes
    -----
    With :math:`y_r = E_{rc} / E_c` the region's share of the category and :math:`x_r`
    its share of the reference distribution:

    .. math:: H_c = \frac{1}{2} \sum_r \left| y_r - x_r \right|

    the share of the category that would have to move for it to be spread like the
    reference (0: spread alike; near 1: all in a region with a negligible reference
    share). A missing value of the category gives a missing index. EconGeo's
    ``hoover_index`` returns :math:`100 H_c` rounded to 2 decimals and drops regions with
    a missing value instead; REAT's ``hoover`` is the same formula on two vectors.

    References
    ----------
    .. [1] Hoover, E. M. (1936). The measurement of industrial localization. Review of
       Economics and Statistics, 18(4), 162-171.
    .. [2] Balland, P.-A. (2017). Economic Geography in R: Introduction to the EconGeo
       package. Papers in Evolutionary Economic Geography 17.09, Utrecht University.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import hoover_index
    >>> data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
    ...                      "employment": [30.0, 10.0, 10.0, 30.0]})
    >>> hoover_index(data, by=())
      category  hoover
    0        x    0.25
    1        y    0.25
    """
    keys_by = list(_as_by(by))
    weights: pd.DataFrame | None = None
    if isinstance(reference, pd.DataFrame):
        weight_keys = [region, *[key for key in keys_by if key in reference.columns]]
        _check_table(reference, weight_keys, ["weight"], what="reference")
        weights = reference[[*weight_keys, "weight"]]
    elif not isinstance(reference, str):
        raise ParameterError(
            "The 'reference' parameter of hoover_index must be 'total', 'uniform' or a "
            f"DataFrame. Got {type(reference).__name__} instead."
        )
    else:
        check_in(reference, ("total", "uniform"), name="reference")
    records = []
    for keys, matrix in _grids(data, row=region, column=category, value=value, by=keys_by):
        m = matrix.to_numpy(dtype="float64")
        if weights is not None:
            rows = pd.DataFrame({region: matrix.index, **keys})
            w = _floats(_merge(rows, weights, list(weights.columns[:-1]), what="reference",
                               cover=True)["weight"])  # fmt: skip
        elif reference == "total":
            w = np.nansum(m, axis=1)
        else:
            w = np.ones(m.shape[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            y = m / m.sum(axis=0)
            x = w / w.sum()
            index = 0.5 * np.abs(y - x[:, None]).sum(axis=0)
        for name, number in zip(matrix.columns, index, strict=True):
            records.append({**keys, category: name, "hoover": number})
    return _frame(records, [category, *keys_by], "hoover")


def gini_coefficient(
    data: pd.DataFrame,
    *,
    within: str = "category",
    across: str = "region",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
) -> pd.DataFrame:
    r"""Compute the Gini coefficient of ``value`` across units within groups.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``within``, ``across``, ``*by``) and a ``value``.
    within : str, default "category"
        Column whose groups are measured (with the defaults: how unequally each category
        is spread over regions, every region weighing the same).
    across : str, default "region"
        Column of the units the value is shared among; every unit of the ``by`` group
        counts, a unit without a row as a zero (as in
        :func:`~clusteratlas.measures.herfindahl`).
    value : str, default "employment"
        Column label of the value.
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups; may be empty.

    Returns
    -------
    pandas.DataFrame
        One row per (``within``, ``*by``), sorted, with ``gini`` in [0, (n-1)/n].

    Raises
    ------
    SchemaError, ParameterError
        As in :func:`~clusteratlas.measures.herfindahl`.

    Notes
    -----
    With the n values sorted increasingly, :math:`x_{(1)} \le \dots \le x_{(n)}`:

    .. math:: G = \frac{\sum_{i=1}^{n} (2i - n - 1)\, x_{(i)}}{n \sum_{i=1}^{n} x_i}

    twice the area between the diagonal and the Lorenz curve of the units (each weighing
    1/n): 0 for an even split, (n-1)/n when one unit holds everything. Missing when a
    value is missing or the values sum to 0. EconGeo's ``gini`` is this, rounded to 3
    decimals (and dropping missing values instead); unlike
    :func:`~clusteratlas.measures.locational_gini` it does not weigh regions by size.

    References
    ----------
    .. [1] Gini, C. (1912). Variabilità e mutabilità. Tipografia di Paolo Cuppini, Bologna.
    .. [2] Cowell, F. A. (2011). Measuring Inequality (3rd ed.). Oxford University Press.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import gini_coefficient
    >>> data = pd.DataFrame({"region": list("ABCD"), "category": ["x"] * 4,
    ...                      "employment": [0.0, 0.0, 0.0, 8.0]})
    >>> gini_coefficient(data, by=())
      category  gini
    0        x  0.75
    """
    keys_by = list(_as_by(by))
    records = []
    for keys, matrix in _grids(data, row=within, column=across, value=value, by=keys_by):
        index = _gini_rows(matrix.to_numpy(dtype="float64"))
        for name, number in zip(matrix.index, index, strict=True):
            records.append({**keys, within: name, "gini": number})
    return _frame(records, [within, *keys_by], "gini")


__all__ = ["gini_coefficient", "hoover_index"]
