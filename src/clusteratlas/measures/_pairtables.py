"""Tidy tables of industry pairs: conversion to and from square matrices, percentiles.

Shared by every relatedness measure (:mod:`clusteratlas.measures.relatedness`,
:mod:`clusteratlas.measures.io_links`); the public names are re-exported there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import SchemaError

TIDY_COLUMNS: tuple[str, ...] = ("industry_a", "industry_b", "relatedness", "percentile")


def _check_tidy(tidy: pd.DataFrame, column: str, *, pairs: bool) -> None:
    """Check that ``tidy`` is a frame with the pair columns and a numeric ``column``."""
    if not isinstance(tidy, pd.DataFrame):
        raise TypeError(f"tidy must be a pandas DataFrame. Got {type(tidy).__name__} instead.")
    check_columns(tidy, ["industry_a", "industry_b", column], what="tidy")
    dtype = tidy[column].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise SchemaError(f"tidy: column {column!r} must be numeric; it has dtype {dtype}.")
    if pairs and tidy.duplicated(["industry_a", "industry_b"]).any():
        raise SchemaError("tidy: each (industry_a, industry_b) pair must appear once.")


def as_tidy(matrix: pd.DataFrame, *, percentile: bool = True) -> pd.DataFrame:
    """Return a square industry × industry frame as a tidy table of its off-diagonal pairs.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square frame whose index and columns hold the same industry codes in the same order.
    percentile : bool, default True
        Whether to add the ``percentile`` column of :func:`percentile_ranks`.

    Returns
    -------
    pandas.DataFrame
        Columns ``industry_a`` (row), ``industry_b`` (column), ``relatedness`` (float) and
        ``percentile``, one row per ordered pair a ≠ b in row-major order.

    Raises
    ------
    SchemaError
        When the index and the columns differ.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"matrix must be a pandas DataFrame. Got {type(matrix).__name__} instead.")
    if not matrix.index.equals(matrix.columns):
        raise SchemaError("matrix must be square with the same industries in index and columns.")
    n = matrix.shape[0]
    values = matrix.to_numpy(dtype="float64", na_value=np.nan)
    a, b = np.nonzero(~np.eye(n, dtype=bool))
    tidy = pd.DataFrame(
        {
            "industry_a": matrix.index.take(a),
            "industry_b": matrix.index.take(b),
            "relatedness": values[a, b],
        }
    )
    return percentile_ranks(tidy) if percentile else tidy


def as_matrix(tidy: pd.DataFrame, *, column: str = "relatedness") -> pd.DataFrame:
    """Return a tidy relatedness table as a square industry × industry frame.

    Parameters
    ----------
    tidy : pandas.DataFrame
        Columns ``industry_a``, ``industry_b`` and ``column``; each ordered pair once.
    column : str, default "relatedness"
        The column to spread (``"percentile"`` works too).

    Returns
    -------
    pandas.DataFrame
        Industries (in order of first appearance in ``industry_a`` then ``industry_b``) as
        index and columns; NaN on the diagonal and for pairs absent from ``tidy``.

    Raises
    ------
    SchemaError
        When a column is missing or an ordered pair repeats.
    """
    _check_tidy(tidy, column, pairs=True)
    codes = pd.Index(pd.unique(pd.concat([tidy["industry_a"], tidy["industry_b"]])))
    out = np.full((len(codes), len(codes)), np.nan)
    out[codes.get_indexer(tidy["industry_a"]), codes.get_indexer(tidy["industry_b"])] = tidy[
        column
    ].to_numpy(dtype="float64", na_value=np.nan)
    np.fill_diagonal(out, np.nan)
    return pd.DataFrame(out, index=codes.copy(), columns=codes.copy())


def percentile_ranks(tidy: pd.DataFrame, *, column: str = "relatedness") -> pd.DataFrame:
    r"""Add the percentile of each pair's relatedness among all off-diagonal pairs.

    Parameters
    ----------
    tidy : pandas.DataFrame
        A tidy relatedness table (columns ``industry_a``, ``industry_b``, ``column``).
    column : str, default "relatedness"
        The column to rank.

    Returns
    -------
    pandas.DataFrame
        A copy of ``tidy`` with a float column ``percentile`` in [0, 100].

    Notes
    -----
    With :math:`n` the number of off-diagonal pairs with a non-missing value, :math:`L`
    the number of them with a strictly smaller value and :math:`E` the number with an
    equal value (the pair itself included):

    .. math:: \text{percentile} = 100 \, \frac{L + E / 2}{n}

    i.e. ties get the average of their ranks (``scipy.stats.percentileofscore`` with
    ``kind="mean"``). Because it counts shares of pairs, a symmetric measure gets the same
    percentiles whether each unordered pair is listed once or in both orders. A missing
    value, and a diagonal row (``industry_a == industry_b``), get a missing percentile and
    are not counted in :math:`n`. "Related at the 90th percentile" (Delgado, Porter & Stern
    2016) is ``percentile >= 90``.
    """
    _check_tidy(tidy, column, pairs=False)
    values = tidy[column].to_numpy(dtype="float64", na_value=np.nan)
    off = (tidy["industry_a"] != tidy["industry_b"]).to_numpy()
    ranked = np.isfinite(values) & off
    _, inverse, counts = np.unique(values[ranked], return_inverse=True, return_counts=True)
    below = np.cumsum(counts) - counts  # pairs with a strictly smaller value
    out = tidy.copy()
    percentile = np.full(values.shape, np.nan)
    share = (below + counts / 2.0) / max(int(ranked.sum()), 1)
    percentile[ranked] = 100.0 * share[inverse]
    out["percentile"] = percentile
    return out


__all__ = ["TIDY_COLUMNS", "as_matrix", "as_tidy", "percentile_ranks"]
