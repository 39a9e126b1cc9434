"""Aggregations on DuckDB, the embedded default back end.

DuckDB scans pandas frames in place (no copy), aggregates in parallel and out of core;
each call uses a fresh in-memory connection so calls are independent and thread-safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.data.schemas import VALUE_COLUMNS

_SUM_COLUMNS = VALUE_COLUMNS


def _value_sums(values: Sequence[str], source: str) -> str:
    # SUM ignores NULLs and is NULL when every member is NULL: missing stays missing.
    return ", ".join(f'SUM({source}."{v}") AS "{v}"' for v in values)


def aggregate_to_categories(
    observations: pd.DataFrame,
    definitions: pd.DataFrame,
    *,
    values: Sequence[str] = _SUM_COLUMNS,
) -> pd.DataFrame:
    r"""Sum industry observations into the categories of a definition table.

    Parameters
    ----------
    observations : pandas.DataFrame
        Canonical observations (``region``, ``industry``, ``year`` and value columns).
    definitions : pandas.DataFrame
        Canonical category definitions (``industry``, ``category`` …). An industry may belong
        to several categories (as in the EU ecosystems); it is then counted in each.
    values : sequence of str
        Value columns to sum.

    Returns
    -------
    pandas.DataFrame
        One row per (region, category, year) that has at least one member industry in the
        observations: the summed values (missing when every member is missing),
        ``n_industries`` (member industries observed) and ``n_missing`` (members whose
        employment is missing, e.g. suppressed: the sum then understates the category).

    Notes
    -----
    A category total is :math:`E_{rc} = \sum_{i \in c} E_{ri}` over the available
    (non-missing) industries ``i``; ``n_missing`` records how many were left out so that
    users can judge the figure.
    """
    check_columns(observations, ("region", "industry", "year", *values), what="observations")
    check_columns(definitions, ("industry", "category"), what="category definitions")
    members = definitions[["industry", "category"]].drop_duplicates()
    sums = _value_sums(values, "o")
    query = f"""
        SELECT o.region, d.category, o.year, {sums},
               COUNT(*) AS n_industries,
               COUNT(*) - COUNT(o.employment) AS n_missing
        FROM observations AS o
        JOIN members AS d USING (industry)
        GROUP BY o.region, d.category, o.year
        ORDER BY o.region, d.category, o.year
    """
    with duckdb.connect() as con:
        con.register("observations", observations)
        con.register("members", members)
        result = con.execute(query).df()
    for column in ("n_industries", "n_missing"):
        result[column] = result[column].astype("int64")
    for column in values:
        result[column] = result[column].astype("float64")
    return result


def aggregate_to_parents(
    frame: pd.DataFrame,
    parents: Mapping[str, str] | pd.DataFrame,
    *,
    region: str = "region",
    keys: Sequence[str] = ("industry", "year"),
    values: Sequence[str] = _SUM_COLUMNS,
) -> pd.DataFrame:
    """Sum regions into their parent regions (e.g. NUTS-3 into NUTS-2, counties into CBSAs).

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy table with a region column, the other ``keys`` and value columns.
    parents : mapping or pandas.DataFrame
        Region code → parent code, or a frame with columns ``region`` and ``parent``.
        Regions without a parent are dropped.
    region : str
        Name of the region column.
    keys : sequence of str
        The other key columns kept in the result.
    values : sequence of str
        Value columns to sum (missing stays missing when every child is missing).

    Returns
    -------
    pandas.DataFrame
        One row per ``(parent, *keys)`` with the summed values and ``n_children``.
    """
    check_columns(frame, (region, *keys, *values), what="data")
    if isinstance(parents, pd.DataFrame):
        check_columns(parents, ("region", "parent"), what="parent table")
        links = parents[["region", "parent"]].drop_duplicates()
    else:
        links = pd.DataFrame({"region": list(parents), "parent": list(parents.values())})
    key_list = ", ".join(f'f."{k}"' for k in keys)
    sums = _value_sums(values, "f")
    query = f"""
        SELECT p.parent AS "{region}", {key_list}, {sums}, COUNT(*) AS n_children
        FROM frame AS f JOIN links AS p ON f."{region}" = p.region
        GROUP BY p.parent, {key_list}
        ORDER BY 1, {key_list}
    """
    with duckdb.connect() as con:
        con.register("frame", frame)
        con.register("links", links)
        result = con.execute(query).df()
    result["n_children"] = result["n_children"].astype("int64")
    for column in values:
        result[column] = result[column].astype("float64")
    return result
