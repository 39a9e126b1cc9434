r"""Region-based agglomeration indices on establishment micro-data.

Pure functions on the canonical establishments table (one row per plant: industry, region,
employees). For areas :math:`i`, industry :math:`k` and its plants :math:`j`:

* :math:`x_i` — area i's share of total employment over *all* industries of the table;
* :math:`s_{ik}` — area i's share of industry k's employment;
* :math:`z_j` — plant j's share of its industry's employment, :math:`H_k = \sum_j z_j^2`.

Plants with weight 0 (no employee) are kept: they count in ``n_plants`` but, having no
employment, change neither the shares, :math:`G` nor :math:`H`. A missing weight, industry
or region code raises an error naming the rows, unless ``missing="drop"`` drops those rows
(before :math:`x_i` is computed). ``weight=None`` gives every plant a weight of 1 (indices
on plant counts).

References: Ellison & Glaeser (1997) JPE 105(5); Maurel & Sédillot (1999) RSUE 29(5);
Ellison, Glaeser & Kerr (2010) AER 100(3).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, suggest
from clusteratlas.errors import SchemaError, UnknownCodeError
from clusteratlas.measures.concentration import locational_gini

MISSING: tuple[str, ...] = ("raise", "drop")


def _rows(index: pd.Index, mask: np.ndarray) -> str:
    bad = index[mask]
    return ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")


def _prepare(
    frame: pd.DataFrame, industry: str, region: str, weight: str | None, missing: str
) -> pd.DataFrame:
    """Return columns ``k`` (industry), ``i`` (region), ``w`` (weight) after the checks."""
    check_in(missing, MISSING, name="missing")
    check_columns(frame, [industry, region, *([weight] if weight else [])], what="establishments")
    work = pd.DataFrame(index=frame.index)
    for key, column in (("k", industry), ("i", region)):
        text = frame[column].astype("str").str.strip()
        work[key] = text.where(frame[column].notna() & (text != ""))
    raw = frame[weight] if weight else pd.Series(1.0, index=frame.index)
    work["w"] = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = ((work["w"].isna() & raw.notna()) | np.isinf(work["w"]) | (work["w"] < 0)).to_numpy()
    if bad.any():
        raise SchemaError(
            f"establishments: column {weight!r} must hold non-negative finite numbers; bad "
            f"value(s) at row(s) {_rows(frame.index, bad)}."
        )
    absent = work.isna().to_numpy()
    any_absent = np.asarray(absent.any(axis=1), dtype=bool)
    if missing == "raise" and absent.any():
        names = [
            n for n, col in zip((industry, region, weight), absent.T, strict=True) if col.any()
        ]
        raise SchemaError(
            f"establishments: missing value(s) in column(s) {', '.join(map(repr, names))} at "
            f"row(s) {_rows(frame.index, any_absent)}; pass missing='drop' to leave "
            "those establishments out."
        )
    work = work.loc[~any_absent]
    if work["w"].sum() <= 0:
        raise SchemaError(f"establishments: the total of {weight!r} is 0; no shares can be formed.")
    return work


def _industry_stats(work: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Return per-industry sums, per-(industry, area) shares and the moments of x."""
    x = work.groupby("i")["w"].sum() / work["w"].sum()
    moments = np.array([np.sum(x.to_numpy() ** p) for p in (2, 3)])
    per = work.assign(w2=work["w"] ** 2, w4=work["w"] ** 4).groupby("k", sort=True)
    stats = per.agg(
        n_plants=("w", "size"), employment=("w", "sum"), w2=("w2", "sum"), w4=("w4", "sum")
    )
    stats["n_plants"] = stats["n_plants"].astype("int64")
    stats["E"] = stats["employment"].where(stats["employment"] > 0)
    stats["H"] = stats["w2"] / stats["E"] ** 2
    cells = work.groupby(["k", "i"], sort=True)["w"].sum().rename("e").reset_index()
    cells["s"] = cells["e"] / cells["k"].map(stats["employment"])
    cells["x"] = cells["i"].map(x)
    return stats, cells, moments


def ellison_glaeser(
    establishments: pd.DataFrame,
    *,
    region: str,
    industry: str = "industry",
    weight: str | None = "weight",
    missing: str = "raise",
) -> pd.DataFrame:
    r"""Compute the Ellison–Glaeser (1997) index of geographic concentration γ per industry.

    Parameters
    ----------
    establishments : pandas.DataFrame
        One row per plant; not modified.
    region : str
        Column of the area codes (``"iris"``, ``"commune"``…).
    industry : str, default "industry"
        Column of the industry codes.
    weight : str or None, default "weight"
        Column of the employees; ``None`` counts plants.
    missing : {"raise", "drop"}, default "raise"
        What to do with rows whose weight, industry or region is missing.

    Returns
    -------
    pandas.DataFrame
        One row per industry (sorted): ``n_plants``, ``employment``, ``H``, ``G``,
        ``sum_x2`` (:math:`\sum_i x_i^2`), ``gamma``, and under the null of random location
        (γ = 0): ``expected_G``, ``sd_G`` and ``sd_gamma``. ``gamma`` is NaN when
        :math:`H = 1` (one employing plant) or the industry has no employment.

    Raises
    ------
    SchemaError
        When a column is missing, a weight is negative or not a number, or (with
        ``missing="raise"``) a value is missing; the message names the rows.

    Notes
    -----
    .. math::

        G = \sum_i (s_i - x_i)^2, \qquad H = \sum_j z_j^2, \qquad
        \gamma = \frac{G / (1 - \sum_i x_i^2) - H}{1 - H}

    Under the EG model :math:`E[G] = (1 - \sum x_i^2)[\gamma + (1 - \gamma) H]`, so γ is
    unbiased. With :math:`S_p = \sum_i x_i^p`, the variance of G when plants locate
    independently with probabilities :math:`x_i` (γ = 0) is [1]_

    .. math::

        \operatorname{Var}(G) = 2 \left\{ H^2 (S_2 - 2 S_3 + S_2^2)
            - \textstyle\sum_j z_j^4 \, (S_2 - 4 S_3 + 3 S_2^2) \right\}

    and ``sd_gamma`` = :math:`\sqrt{\operatorname{Var}(G)} / [(1 - S_2)(1 - H)]`: a
    γ several times ``sd_gamma`` rejects random location. The variance for γ ≠ 0 (EG's
    appendix, which needs the spillover structure) is not computed.

    References
    ----------
    .. [1] Ellison, G., & Glaeser, E. L. (1997). Geographic concentration in U.S.
       manufacturing industries: a dartboard approach. JPE, 105(5), 889-927.

    Examples
    --------
    >>> import pandas as pd
    >>> plants = pd.DataFrame({"industry": list("ppqq"), "area": list("AAAB"), "weight": 2.0})
    >>> ellison_glaeser(plants, region="area")[["industry", "H", "G", "gamma"]].round(4)
      industry    H      G   gamma
    0        p  0.5  0.125 -0.3333
    1        q  0.5  0.125 -0.3333
    """
    work = _prepare(establishments, industry, region, weight, missing)
    stats, cells, (s2, s3) = _industry_stats(work)
    cells["term"] = cells["s"] ** 2 - 2.0 * cells["s"] * cells["x"]
    out = stats[["n_plants", "employment", "H"]].copy()
    out["G"] = (cells.groupby("k")["term"].sum() + s2).clip(lower=0.0).where(stats["E"].notna())
    out["sum_x2"] = s2
    one_minus_h = (1.0 - out["H"]).where(out["H"] < 1.0 - 1e-12)
    out["gamma"] = (out["G"] / (1.0 - s2) - out["H"]) / one_minus_h
    z4 = stats["w4"] / stats["E"] ** 4
    var = 2.0 * (out["H"] ** 2 * (s2 - 2 * s3 + s2**2) - z4 * (s2 - 4 * s3 + 3 * s2**2))
    out["expected_G"] = (1.0 - s2) * out["H"]
    out["sd_G"] = np.sqrt(var.clip(lower=0.0))
    out["sd_gamma"] = out["sd_G"] / ((1.0 - s2) * one_minus_h)
    return out.rename_axis(industry).reset_index()


def maurel_sedillot(
    establishments: pd.DataFrame,
    *,
    region: str,
    industry: str = "industry",
    weight: str | None = "weight",
    missing: str = "raise",
) -> pd.DataFrame:
    r"""Compute the Maurel–Sédillot (1999) index of geographic concentration per industry.

    Parameters are those of :func:`ellison_glaeser`.

    Returns
    -------
    pandas.DataFrame
        One row per industry (sorted): ``n_plants``, ``employment``, ``H``, ``G_ms``,
        ``gamma_ms`` (NaN when H = 1 or the industry has no employment).

    Notes
    -----
    .. math::

        G_{MS} = \frac{\sum_i s_i^2 - \sum_i x_i^2}{1 - \sum_i x_i^2}, \qquad
        \gamma_{MS} = \frac{G_{MS} - H}{1 - H}

    Like EG's γ it is unbiased (0 in expectation) under random location with
    probabilities :math:`x_i`, but it is not always lower than EG's:

    .. math:: \gamma_{MS} - \gamma_{EG} = \frac{2 \sum_i x_i (s_i - x_i)}{(1 - \sum_i x_i^2)(1 - H)}

    γ_MS is lower only when the industry is under-represented in the large areas
    (:math:`\sum_i x_i s_i < \sum_i x_i^2`) and higher when it crowds into them. A large
    gap flags an industry whose localisation is mostly *avoidance* of the dominant area:
    in the Strasbourg extract, where one commune holds 57 % of employment, the ten
    reliable industries most localised by commune (viticulture and farming first) have
    γ_EG 0.31-0.67 but γ_MS -0.28 to -0.49.

    References
    ----------
    .. [1] Maurel, F., & Sédillot, B. (1999). A measure of the geographic concentration in
       French manufacturing industries. Regional Science and Urban Economics, 29(5),
       575-604.
    """
    work = _prepare(establishments, industry, region, weight, missing)
    stats, cells, (s2, _) = _industry_stats(work)
    out = stats[["n_plants", "employment", "H"]].copy()
    sum_s2 = (cells["s"] ** 2).groupby(cells["k"]).sum().where(stats["E"].notna())
    out["G_ms"] = (sum_s2 - s2) / (1.0 - s2)
    out["gamma_ms"] = (out["G_ms"] - out["H"]) / (1.0 - out["H"]).where(out["H"] < 1.0 - 1e-12)
    return out.rename_axis(industry).reset_index()


def coagglomeration(
    establishments: pd.DataFrame,
    *,
    region: str,
    industry: str = "industry",
    weight: str | None = "weight",
    pairs: Sequence[tuple[str, str]] | None = None,
    missing: str = "raise",
) -> pd.DataFrame:
    r"""Compute the pairwise Ellison–Glaeser coagglomeration index of industry pairs.

    Parameters
    ----------
    establishments, region, industry, weight, missing
        As in :func:`ellison_glaeser`.
    pairs : sequence of (str, str), optional
        The pairs to compute; by default every pair of distinct industries.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``<industry>_a``, ``<industry>_b`` (``a < b`` when all pairs are
        computed, else as given) and ``gamma_c``.

    Raises
    ------
    UnknownCodeError
        When a pair names an industry that is not in the table.

    Notes
    -----
    The version of Ellison, Glaeser & Kerr (2010), eq. (2):

    .. math::

        \gamma^c_{ab} = \frac{\sum_i (s_{ia} - x_i)(s_{ib} - x_i)}{1 - \sum_i x_i^2}

    It equals EG (1997)'s group index (:func:`coagglomeration_group`) for a group of two.
    REAT's ``ellison.c`` is not this (see :func:`coagglomeration_group`).

    References
    ----------
    .. [1] Ellison, G., Glaeser, E. L., & Kerr, W. R. (2010). What causes industry
       agglomeration? Evidence from coagglomeration patterns. AER, 100(3), 1195-1213.
    """
    work = _prepare(establishments, industry, region, weight, missing)
    _, cells, (s2, _) = _industry_stats(work)
    x = work.groupby("i")["w"].sum() / work["w"].sum()
    shares = cells.pivot(index="i", columns="k", values="s").reindex(x.index).fillna(0.0)
    if pairs is not None:
        pairs = [(str(a), str(b)) for a, b in pairs]
        for code in {c for pair in pairs for c in pair} - set(shares.columns):
            raise UnknownCodeError(
                f"Industry {code!r} of 'pairs' is not in the establishments.{suggest(code, shares.columns)}"
            )
    deviations = shares.to_numpy() - x.to_numpy()[:, None]
    codes = shares.columns.astype("str")
    if pairs is None:
        matrix = deviations.T @ deviations / (1.0 - s2)
        a, b = np.triu_indices(len(codes), k=1)
        first, second, gamma = codes[a], codes[b], matrix[a, b]
    else:
        position = {code: n for n, code in enumerate(codes)}
        ia = np.array([position[p[0]] for p in pairs], dtype=int)
        ib = np.array([position[p[1]] for p in pairs], dtype=int)
        first, second = codes[ia], codes[ib]
        gamma = np.einsum("mp,mp->p", deviations[:, ia], deviations[:, ib]) / (1.0 - s2)
    return pd.DataFrame({f"{industry}_a": first, f"{industry}_b": second, "gamma_c": gamma})


def coagglomeration_group(
    establishments: pd.DataFrame,
    *,
    industries: Sequence[str],
    region: str,
    industry: str = "industry",
    weight: str | None = "weight",
    missing: str = "raise",
) -> pd.DataFrame:
    r"""Compute Ellison–Glaeser (1997)'s coagglomeration index of a group of industries.

    Parameters
    ----------
    industries : sequence of str
        The industries of the group (at least two).
    establishments, region, industry, weight, missing
        As in :func:`ellison_glaeser`.

    Returns
    -------
    pandas.DataFrame
        One row: ``group`` (codes joined by ``"+"``), ``n_industries``, ``n_plants``,
        ``employment``, ``G``, ``H`` and ``gamma_c``.

    Notes
    -----
    With :math:`w_k` industry k's share of the group's employment, G and H computed for
    the group as one industry (so :math:`H = \sum_k w_k^2 H_k`) and :math:`\gamma_k` each
    industry's own EG index (EG 1997, eq. 5):

    .. math::

        \gamma^c = \frac{G / (1 - \sum_i x_i^2) - H - \sum_k \gamma_k w_k^2 (1 - H_k)}
                        {1 - \sum_k w_k^2}

    REAT 3.0.3's ``ellison.c`` is not EG (1997) eq. 5: it sums the industries' area
    shares, weights by total-employment shares and uses every industry's γ in the
    own-industry term, so its values differ from these, which follow the paper.

    References
    ----------
    .. [1] Ellison, G., & Glaeser, E. L. (1997). JPE, 105(5), 889-927.
    """
    codes = [str(code) for code in industries]
    if len(set(codes)) < 2:
        raise UnknownCodeError(f"A group needs at least two distinct industries. Got {codes!r}.")
    single = ellison_glaeser(
        establishments, region=region, industry=industry, weight=weight, missing=missing
    ).set_index(industry)
    for code in set(codes) - set(single.index):
        raise UnknownCodeError(
            f"Industry {code!r} is not in the establishments.{suggest(code, single.index)}"
        )
    members = single.loc[sorted(set(codes))]
    work = _prepare(establishments, industry, region, weight, missing)
    x = work.groupby("i")["w"].sum() / work["w"].sum()
    group = work[work["k"].isin(members.index)]
    employment = float(group["w"].sum())
    shares = (group.groupby("i")["w"].sum() / employment).reindex(x.index, fill_value=0.0)
    g = float(((shares - x) ** 2).sum())
    h = float((group["w"] ** 2).sum()) / employment**2
    s2 = float((x**2).sum())
    w = members["employment"] / members["employment"].sum()
    own = (members["gamma"].fillna(0.0) * w**2 * (1.0 - members["H"])).sum()
    gamma_c = (g / (1.0 - s2) - h - own) / (1.0 - (w**2).sum())
    return pd.DataFrame(
        {
            "group": ["+".join(members.index)],
            "n_industries": [len(members)],
            "n_plants": [len(group)],
            "employment": [employment],
            "G": [g],
            "H": [h],
            "gamma_c": [float(gamma_c)],
        }
    )


def micro_locational_gini(
    establishments: pd.DataFrame,
    *,
    region: str,
    industry: str = "industry",
    weight: str | None = "weight",
    missing: str = "raise",
) -> pd.DataFrame:
    """Compute the locational Gini of each industry from plants aggregated to areas.

    Sums the weights per (area, industry) and applies
    :func:`clusteratlas.measures.locational_gini` (see it for the formula) with every area
    of the table as reference. Parameters are those of :func:`ellison_glaeser`.

    Returns
    -------
    pandas.DataFrame
        One row per industry (sorted) with ``gini`` in [0, 1]; NaN for an industry
        without employment.
    """
    work = _prepare(establishments, industry, region, weight, missing)
    cells = work.groupby(["i", "k"], sort=True)["w"].sum().rename("value").reset_index()
    result = locational_gini(cells, region="i", category="k", value="value", by=())
    return result.rename(columns={"k": industry})


__all__ = [
    "MISSING",
    "coagglomeration",
    "coagglomeration_group",
    "ellison_glaeser",
    "maurel_sedillot",
    "micro_locational_gini",
]
