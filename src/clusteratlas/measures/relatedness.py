r"""Relatedness between industries: co-location, co-occurrence and their percentiles.

Every measure returns a *tidy* table with one row per ordered pair of distinct industries,
columns ``industry_a``, ``industry_b``, ``relatedness`` and ``percentile``;
:func:`as_matrix` turns it into a square industry × industry frame and :func:`as_tidy`
turns a square frame back. The diagonal (an industry with itself) is never part of a tidy
table. Inputs are tidy tables of one cross-section (one row per region and industry); a
(region, industry) pair with no row counts as zero, a missing value (NaN: suppressed or
confidential) is never counted as zero.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.errors import SchemaError
from clusteratlas.measures._pairtables import TIDY_COLUMNS, as_matrix, as_tidy, percentile_ranks
from clusteratlas.measures.specialisation import _check_table, location_quotient

NORMALISATIONS: tuple[str, ...] = ("association", "probability", "cosine", "jaccard", "proximity")


def _matrix(
    data: pd.DataFrame, *, region: str, industry: str, value: str
) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Return the region × industry matrix of ``value`` (absent pairs 0, missing NaN)."""
    _check_table(data, [region, industry], [value], what="data")
    rows, regions = pd.factorize(data[region], sort=True)
    cols, industries = pd.factorize(data[industry], sort=True)
    out = np.zeros((len(regions), len(industries)))
    out[rows, cols] = data[value].to_numpy(dtype="float64", na_value=np.nan)
    return out, pd.Index(regions, name=region), pd.Index(industries, name=industry)


def _lq_matrix(
    data: pd.DataFrame, *, region: str, industry: str, value: str
) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Return the region × industry matrix of location quotients (absent pairs 0)."""
    frame = data[[region, industry, value]]
    lq = location_quotient(frame, region=region, category=industry, value=value, by=())
    return _matrix(lq, region=region, industry=industry, value="lq")


def rca_incidence(
    data: pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    threshold: float = 1.0,
) -> pd.DataFrame:
    r"""Return the binary region × industry matrix of revealed comparative advantage.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    region, industry, value : str
        Column labels of the region code, industry code and value (e.g. employment).
    threshold : float, default 1.0
        :math:`M_{ri} = 1` where :math:`LQ_{ri} \ge` ``threshold``.

    Returns
    -------
    pandas.DataFrame
        Regions (sorted) as index, industries (sorted) as columns, int64 values 0 or 1.

    Notes
    -----
    The RCA is the location quotient (Balassa index) of
    :func:`~clusteratlas.measures.location_quotient` over all regions of ``data``. A
    missing LQ (missing value, empty region) gives :math:`M_{ri} = 0`, as does an absent
    pair.
    """
    lq, regions, industries = _lq_matrix(data, region=region, industry=industry, value=value)
    with np.errstate(invalid="ignore"):
        binary = np.where(np.isfinite(lq) & (lq >= threshold), 1, 0).astype("int64")
    return pd.DataFrame(binary, index=regions, columns=industries)


def _correlation(x: np.ndarray) -> np.ndarray:
    """Pearson correlation of the columns of ``x`` on pairwise-complete rows."""
    valid = np.isfinite(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        if valid.all():
            centred = x - x.mean(axis=0)
            cov = centred.T @ centred
            sd = np.sqrt(np.diag(cov))
            r = cov / np.outer(sd, sd)
        else:
            m = valid.astype("float64")
            counts = m.sum(axis=0)
            means = np.where(valid, x, 0.0).sum(axis=0) / np.where(counts > 0, counts, 1)
            shifted = np.where(valid, x - means, 0.0)
            n = m.T @ m
            sx = shifted.T @ m  # sum of x_i over rows where i and j are both present
            sxx = (shifted**2).T @ m
            sxy = shifted.T @ shifted
            cov = sxy - sx * sx.T / n
            var_a = sxx - sx**2 / n
            r = cov / np.sqrt(var_a * var_a.T)
            r[n < 2] = np.nan
    r[~np.isfinite(r)] = np.nan
    return np.clip(r, -1.0, 1.0)


def colocation(
    data: pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    on: Literal["share", "lq"] = "share",
    method: Literal["pearson", "spearman"] = "pearson",
) -> pd.DataFrame:
    r"""Relate industries by the correlation of their locations across regions.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    region, industry, value : str
        Column labels of the region code, industry code and value (employment,
        establishments…).
    on : {"share", "lq"}, default "share"
        What is correlated: each industry's geographic distribution
        :math:`s_{ri} = E_{ri} / E_i` (share of the industry's employment in region r), or
        its location quotient :math:`LQ_{ri}`.
    method : {"pearson", "spearman"}, default "pearson"
        Pearson correlation, or Spearman's rank correlation.

    Returns
    -------
    pandas.DataFrame
        Tidy table ``industry_a``, ``industry_b``, ``relatedness`` (the correlation, in
        [-1, 1]), ``percentile`` (:func:`percentile_ranks`); all ordered pairs a ≠ b of the
        industries of ``data`` (sorted).

    Raises
    ------
    SchemaError
        When a column is missing, a value is negative or not numeric, or a
        (region, industry) pair repeats (filter one year first).

    Notes
    -----
    With :math:`x_{ri}` the correlated quantity,

    .. math:: r_{ij} = \frac{\sum_r (x_{ri} - \bar x_i)(x_{rj} - \bar x_j)}
              {\sqrt{\sum_r (x_{ri} - \bar x_i)^2 \sum_r (x_{rj} - \bar x_j)^2}}

    over the regions of ``data``. The Pearson correlation is unchanged when a column is
    multiplied by a constant, so ``on="share"`` equals the correlation of employment
    levels (the "locational correlation" of Porter 2003 and Delgado, Porter & Stern 2016,
    and the geographic shares of Ellison, Glaeser & Kerr 2010), and ``on="lq"`` equals
    the correlation of the regions' own industry shares :math:`E_{ri}/T_r`.

    Missing values: a (region, industry) pair without a row is 0. A missing value (NaN)
    is left out, pairwise: :math:`r_{ij}` uses the regions where both industries have a
    value (as ``pandas.DataFrame.corr``); shares and LQs are computed from the available
    values (:func:`~clusteratlas.measures.location_quotient`). For ``"spearman"`` each
    industry is ranked once over its own non-missing regions (average ranks for ties),
    then correlated pairwise; with no missing value this is exactly Spearman's rho.
    A pair with fewer than two common regions, or a constant column, gives NaN.

    The computation is a few dense matrix products: about a second for 1,000 industries
    in 900 regions.

    References
    ----------
    .. [1] Porter, M. E. (2003). The economic performance of regions. Regional Studies,
       37(6-7), 549-578.
    .. [2] Ellison, G., Glaeser, E. L., & Kerr, W. R. (2010). What causes industry
       agglomeration? American Economic Review, 100(3), 1195-1213.
    .. [3] Delgado, M., Porter, M. E., & Stern, S. (2016). Defining clusters of related
       industries. Journal of Economic Geography, 16(1), 1-38.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"region": list("AABBCC"), "industry": list("xyxyxy"),
    ...                      "employment": [1.0, 2.0, 2.0, 4.0, 3.0, 6.0]})
    >>> colocation(data)[["industry_a", "industry_b", "relatedness"]]
      industry_a industry_b  relatedness
    0          x          y          1.0
    1          y          x          1.0
    """
    check_in(on, ("share", "lq"), name="on")
    check_in(method, ("pearson", "spearman"), name="method")
    if on == "lq":
        x, _, industries = _lq_matrix(data, region=region, industry=industry, value=value)
    else:
        x, _, industries = _matrix(data, region=region, industry=industry, value=value)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = x / np.nansum(x, axis=0)
    if method == "spearman":
        x = pd.DataFrame(x).rank(axis=0, method="average").to_numpy(dtype="float64")
    r = _correlation(x)
    return as_tidy(pd.DataFrame(r, index=industries, columns=industries))


def cooccurrence(
    data: pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    threshold: float = 1.0,
) -> pd.DataFrame:
    r"""Count in how many regions each pair of industries both have an RCA.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    region, industry, value : str
        Column labels of the region code, industry code and value.
    threshold : float, default 1.0
        An industry "occurs" in a region where its LQ is at least ``threshold``.

    Returns
    -------
    pandas.DataFrame
        Square industry × industry frame of int64 counts :math:`C = M^\top M`; the
        diagonal holds the occurrences :math:`n_i` (number of regions where i has an RCA),
        the input of :func:`normalise_cooccurrence`.

    Notes
    -----
    :math:`M` is :func:`rca_incidence`. This is EconGeo's ``co.occurrence`` applied to the
    industry × region incidence matrix, with ``diagonal = TRUE``.
    """
    incidence = rca_incidence(
        data, region=region, industry=industry, value=value, threshold=threshold
    )
    m = incidence.to_numpy()
    return pd.DataFrame(m.T @ m, index=incidence.columns, columns=incidence.columns)


def normalise_cooccurrence(
    counts: pd.DataFrame,
    occurrences: pd.Series | None = None,
    *,
    method: Literal["association", "probability", "cosine", "jaccard", "proximity"] = (
        "association"
    ),
) -> pd.DataFrame:
    r"""Turn co-occurrence counts into relatedness, as EconGeo's ``relatedness()``.

    Parameters
    ----------
    counts : pandas.DataFrame
        Square symmetric industry × industry co-occurrence counts (:func:`cooccurrence`).
    occurrences : pandas.Series, optional
        Number of regions where each industry occurs, indexed by industry; by default the
        diagonal of ``counts``. Only ``method="proximity"`` uses it.
    method : {"association", "probability", "cosine", "jaccard", "proximity"}
        The normalisation, see Notes.

    Returns
    -------
    pandas.DataFrame
        Tidy table ``industry_a``, ``industry_b``, ``relatedness``, ``percentile``.

    Raises
    ------
    SchemaError
        When ``counts`` is not square or ``occurrences`` lacks an industry.

    Notes
    -----
    The first four methods are exactly those of EconGeo's ``relatedness(mat, method)``
    (Balland, source ``R/relatedness.r``, checked against it): the diagonal of ``counts``
    is set to 0, :math:`s_i = \sum_{j \ne i} c_{ij}` (the *co-occurrence* total of i, not
    its number of occurrences) and :math:`T = \sum_i s_i`:

    - association strength (van Eck & Waltman 2009), observed over expected
      co-occurrence: :math:`c_{ij} T / (s_i s_j)`;
    - probability index (EconGeo's ``"prob"``, Steijn 2017: expected co-occurrence from
      draws without repetition) :math:`c_{ij} / \big[\tfrac{T}{2}\big(\tfrac{s_i}{T}
      \tfrac{s_j}{T - s_i} + \tfrac{s_j}{T}\tfrac{s_i}{T - s_j}\big)\big]`;
    - cosine :math:`c_{ij} / \sqrt{s_i s_j}`;
    - Jaccard :math:`c_{ij} / (s_i + s_j - c_{ij})`.

    A 0/0 gives 0, as in EconGeo. EconGeo's probability index is *not* the proximity of
    Hidalgo et al. (2007); that one is ``"proximity"``: the minimum of the two
    conditional probabilities of having an RCA in one industry given the other,
    :math:`\phi_{ij} = c_{ij} / \max(n_i, n_j)` with :math:`n_i` the occurrences (0 when
    both are 0), as in the Atlas of Economic Complexity and the ``ecomplexity`` package.

    References
    ----------
    .. [1] Hidalgo, C. A., Klinger, B., Barabási, A.-L., & Hausmann, R. (2007). The
       product space conditions the development of nations. Science, 317(5837), 482-487.
    .. [2] van Eck, N. J., & Waltman, L. (2009). How to normalize cooccurrence data?
       JASIST, 60(8), 1635-1651.
    .. [3] Balland, P.-A. (2017). Economic Geography in R: Introduction to the EconGeo
       package. Papers in Evolutionary Economic Geography 17.09, Utrecht University.
    """
    check_in(method, NORMALISATIONS, name="method")
    if not isinstance(counts, pd.DataFrame):
        raise TypeError(f"counts must be a pandas DataFrame. Got {type(counts).__name__} instead.")
    if not counts.index.equals(counts.columns):
        raise SchemaError("counts must be square with the same industries in index and columns.")
    c = counts.to_numpy(dtype="float64")
    off = c.copy()
    np.fill_diagonal(off, 0.0)
    s = off.sum(axis=0)
    si, sj = s[:, None], s[None, :]
    total = s.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "association":
            out = off * total / (si * sj)
        elif method == "probability":
            expected = (si / total * sj / (total - si) + sj / total * si / (total - sj)) * total / 2
            out = off / expected
        elif method == "cosine":
            out = off / np.sqrt(si * sj)
        elif method == "jaccard":
            out = off / (si + sj - off)
        else:
            if occurrences is None:
                n = np.diag(c)
            else:
                missing = counts.index.difference(occurrences.index)
                if len(missing):
                    raise SchemaError(f"occurrences has no value for {list(missing[:5])}.")
                n = occurrences.reindex(counts.index).to_numpy(dtype="float64")
            out = off / np.maximum(n[:, None], n[None, :])
    out[~np.isfinite(out)] = 0.0
    return as_tidy(pd.DataFrame(out, index=counts.index, columns=counts.columns))


__all__ = [
    "NORMALISATIONS",
    "TIDY_COLUMNS",
    "as_matrix",
    "as_tidy",
    "colocation",
    "cooccurrence",
    "normalise_cooccurrence",
    "percentile_ranks",
    "rca_incidence",
]
