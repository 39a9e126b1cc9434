r"""Input–output links between industries, from make and use tables.

The BEA publishes *commodity × industry* use tables and *industry × commodity* make tables.
:func:`industry_flows` turns them into industry × industry flows under the industry
technology assumption; :func:`io_links` measures the strength of the link between two
industries as Delgado, Porter & Stern (2016) do; :func:`naics_io_links` carries the links
over to the NAICS industries of each IO industry. Readers are in
:mod:`clusteratlas.data.io_tables`; nothing here opens a file.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in
from clusteratlas.data.io_tables import MakeTable, UseTable
from clusteratlas.errors import SchemaError
from clusteratlas.measures.relatedness import as_tidy, percentile_ranks


def _frame(table: UseTable | MakeTable | pd.DataFrame, what: str) -> pd.DataFrame:
    if isinstance(table, UseTable | MakeTable):
        return table.flows
    if isinstance(table, pd.DataFrame):
        return table
    raise TypeError(
        f"{what} must be a {what.capitalize()}Table or a DataFrame. Got {type(table).__name__}."
    )


def industry_flows(use: UseTable | pd.DataFrame, make: MakeTable | pd.DataFrame) -> pd.DataFrame:
    r"""Compute industry × industry intermediate flows from a use and a make table.

    Parameters
    ----------
    use : UseTable or pandas.DataFrame
        Commodity × industry intermediate use :math:`U` (US$ million), e.g.
        :func:`~clusteratlas.data.io_tables.read_bea_use`.
    make : MakeTable or pandas.DataFrame
        Industry × commodity production :math:`V`, e.g.
        :func:`~clusteratlas.data.io_tables.read_bea_make`.

    Returns
    -------
    pandas.DataFrame
        :math:`Z` with the industries of ``make`` as index (sellers) and columns (buyers):
        :math:`Z_{ij}` is the value of the commodities made by industry i that industry j
        uses.

    Raises
    ------
    SchemaError
        When the commodities of ``use`` and ``make``, or their industries, differ.

    Notes
    -----
    Industry technology assumption (each commodity is supplied by the industries in
    fixed market shares; BEA's "industry-based technology"): with
    :math:`q_c = \sum_i V_{ic}` the output of commodity c,

    .. math:: D = V \hat q^{-1}, \qquad Z = D\, U,
              \qquad Z_{ij} = \sum_c \frac{V_{ic}}{q_c} U_{cj}

    :math:`D_{ic}` is industry i's share of the output of commodity c (a column of
    :math:`D` sums to 1). A commodity no industry makes (:math:`q_c = 0`, e.g.
    noncomparable imports) flows from no industry: the column sums of :math:`Z` are the
    industries' intermediate inputs less such commodities.

    References
    ----------
    .. [1] Miller, R. E., & Blair, P. D. (2022). Input-Output Analysis: Foundations and
       Extensions (3rd ed.), ch. 5. Cambridge University Press.
    """
    u, v = _frame(use, "use"), _frame(make, "make")
    if set(u.index) != set(v.columns) or set(u.columns) != set(v.index):
        raise SchemaError(
            "use and make must cover the same commodities (use rows = make columns) and "
            "industries (use columns = make rows)."
        )
    u = u.reindex(index=v.columns, columns=v.index)
    vv = v.to_numpy(dtype="float64")
    q = vv.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(q != 0, vv / q, 0.0)
    z = d @ u.to_numpy(dtype="float64")
    return pd.DataFrame(z, index=v.index.copy(), columns=v.index.copy())


def io_links(
    use: UseTable | pd.DataFrame,
    make: MakeTable | pd.DataFrame,
    *,
    inputs: Literal["intermediate", "output"] = "intermediate",
) -> pd.DataFrame:
    r"""Measure the input–output link of every pair of industries (Delgado, Porter & Stern).

    Parameters
    ----------
    use : UseTable or pandas.DataFrame
        Commodity × industry intermediate use (summary or detail level).
    make : MakeTable or pandas.DataFrame
        Industry × commodity production at the same level.
    inputs : {"intermediate", "output"}, default "intermediate"
        Denominator of the input shares: the industry's total intermediate inputs
        (:math:`\sum_c U_{ci}`, BEA's T005), or its total output (inputs plus value added).

    Returns
    -------
    pandas.DataFrame
        Tidy table with ``industry_a``, ``industry_b``, ``relatedness`` (:math:`IO_{ab}`),
        ``percentile`` and the four shares ``input_ab``, ``input_ba``, ``output_ab``,
        ``output_ba``; every ordered pair of distinct industries, in the order of ``make``.

    Notes
    -----
    With :math:`Z` from :func:`industry_flows` (:math:`Z_{ji}` flows from j to i),
    :math:`X_i` the denominator chosen by ``inputs`` and :math:`g_i = \sum_c V_{ic}` the
    output of industry i:

    .. math:: \mathrm{input}_{ij} = Z_{ji} / X_i, \qquad
              \mathrm{output}_{ij} = Z_{ij} / g_i, \qquad
              IO_{ij} = \max(\mathrm{input}_{ij}, \mathrm{input}_{ji},
              \mathrm{output}_{ij}, \mathrm{output}_{ji})

    the share of i's inputs bought from j, the share of i's output sold to j, and the
    strongest of the four, which is symmetric. This is the input–output measure of
    Delgado, Porter & Stern (2016, section 3), after Ellison, Glaeser & Kerr (2010);
    they use the 2002 benchmark tables mapped to 6-digit NAICS, this function uses
    whatever table it is given. Own-industry flows (the diagonal) are left out. A zero
    denominator gives a missing share; the maximum skips missing shares. Negative cells
    of the BEA tables are kept as published.

    References
    ----------
    .. [1] Delgado, M., Porter, M. E., & Stern, S. (2016). Defining clusters of related
       industries. Journal of Economic Geography, 16(1), 1-38.
    .. [2] Ellison, G., Glaeser, E. L., & Kerr, W. R. (2010). What causes industry
       agglomeration? American Economic Review, 100(3), 1195-1213.
    """
    check_in(inputs, ("intermediate", "output"), name="inputs")
    z_frame = industry_flows(use, make)
    z = z_frame.to_numpy()
    u = _frame(use, "use").reindex(columns=z_frame.index)
    g = _frame(make, "make").to_numpy(dtype="float64").sum(axis=1)
    x = u.to_numpy(dtype="float64").sum(axis=0) if inputs == "intermediate" else g
    with np.errstate(invalid="ignore", divide="ignore"):
        input_share = np.where(x[:, None] != 0, z.T / x[:, None], np.nan)  # [i, j] = Z_ji / X_i
        output_share = np.where(g[:, None] != 0, z / g[:, None], np.nan)  # [i, j] = Z_ij / g_i
    stack = np.stack([input_share, input_share.T, output_share, output_share.T])
    finite = np.isfinite(stack).any(axis=0)
    link = np.where(finite, np.max(np.where(np.isfinite(stack), stack, -np.inf), axis=0), np.nan)
    codes = z_frame.index
    tidy = as_tidy(pd.DataFrame(link, index=codes, columns=codes))
    parts = {
        "input_ab": input_share,
        "input_ba": input_share.T,
        "output_ab": output_share,
        "output_ba": output_share.T,
    }
    a, b = np.nonzero(~np.eye(len(codes), dtype=bool))
    for name, values in parts.items():
        tidy[name] = values[a, b]
    return tidy


def naics_io_links(links: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Carry input–output links over to the NAICS industries of each IO industry.

    Parameters
    ----------
    links : pandas.DataFrame
        A tidy table of :func:`io_links` (or any tidy relatedness table of IO industries).
    mapping : pandas.DataFrame
        Columns ``io_industry`` and ``naics``, e.g.
        :func:`~clusteratlas.data.io_tables.io_industry_naics` at the level of ``links``.

    Returns
    -------
    pandas.DataFrame
        Tidy table of NAICS pairs: ``industry_a``, ``industry_b``, ``relatedness``,
        ``percentile`` (recomputed among the NAICS pairs).

    Notes
    -----
    Every NAICS industry inherits the links of its IO industry. Two NAICS industries of
    the same IO industry have no pair (the table cannot tell how they are linked); a NAICS
    industry split between several IO industries keeps the strongest link of a pair.
    """
    check_columns(links, ["industry_a", "industry_b", "relatedness"], what="links")
    check_columns(mapping, ["io_industry", "naics"], what="mapping")
    pairs = links[["industry_a", "industry_b", "relatedness"]]
    side_a = mapping.rename(columns={"io_industry": "industry_a", "naics": "naics_a"})
    side_b = mapping.rename(columns={"io_industry": "industry_b", "naics": "naics_b"})
    merged = pairs.merge(side_a, on="industry_a").merge(side_b, on="industry_b")
    merged = merged[merged["naics_a"] != merged["naics_b"]]
    best = merged.groupby(["naics_a", "naics_b"], sort=True)["relatedness"].max().reset_index()
    best.columns = pd.Index(["industry_a", "industry_b", "relatedness"])
    return percentile_ranks(best)


__all__ = ["industry_flows", "io_links", "naics_io_links"]
