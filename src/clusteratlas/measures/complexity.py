r"""Relatedness density, economic complexity (ECI/PCI) and diversification opportunities.

All functions take a tidy table of one cross-section (one row per region and industry),
derive the RCA matrix :math:`M_{ri}` (LQ ≥ ``threshold``) with :func:`.rca_incidence`, and
take relatedness as a tidy table or a square frame. :func:`relatedness_density` lives in
:mod:`.density` (re-exported here); the opportunity gain uses its default convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, check_interval
from clusteratlas.errors import SchemaError
from clusteratlas.measures.density import _density, _phi, relatedness_density
from clusteratlas.measures.reflections import method_of_reflections
from clusteratlas.measures.relatedness import rca_incidence


@dataclass(frozen=True)
class ComplexityResult:
    r"""Economic and product (industry) complexity from the eigenvector method.

    Attributes
    ----------
    eci : pandas.DataFrame
        Columns [region, ``diversity``, ``eci``]; one row per region.
    pci : pandas.DataFrame
        Columns [industry, ``ubiquity``, ``pci``]; one row per industry.
    eigenvalue : float
        Second largest eigenvalue of :math:`\tilde M^C` (near 1: a nearly disconnected network).
    """

    eci: pd.DataFrame
    pci: pd.DataFrame
    eigenvalue: float


def _standardise(x: np.ndarray) -> np.ndarray:
    """(x - mean) / sd with the population sd, skipping NaN."""
    return (x - np.nanmean(x)) / np.nanstd(x)


def economic_complexity(
    data: pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    threshold: float = 1.0,
    pci_scale: Literal["own", "eci"] = "own",
    convention: Literal["consistent", "econgeo"] = "consistent",
) -> ComplexityResult:
    r"""Compute the Economic and Product Complexity Indices by the eigenvector method.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    region, industry, value : str
        Column labels of ``data``.
    threshold : float, default 1.0
        RCA threshold of :math:`M_{ri}`.
    pci_scale : {"own", "eci"}, default "own"
        Standardise the PCI by its own mean and standard deviation (Hausmann et al. 2011),
        or by those of the raw ECI as the Stata/Python ``ecomplexity`` packages do, which
        makes each region's ECI the mean PCI of its RCA industries.
    convention : {"consistent", "econgeo"}, default "consistent"
        How the signs of the two eigenvectors are chosen: together, so that the ECI
        correlates positively with diversity and the PCI follows from it (the default),
        or each on its own as EconGeo's ``kci`` and ``tci`` do: the ECI so that it
        correlates positively (Pearson) with the regions' method-of-reflections score
        ``morc`` after 20 steps, the PCI so that it correlates negatively (Spearman)
        with ubiquity. On most data the two agree; when they do not, only the
        ``"consistent"`` signs keep :math:`D^{-1} M Q = \sigma_2 K`.

    Returns
    -------
    ComplexityResult
        ECI per region (mean 0, sd 1) with diversity, PCI per industry with ubiquity.

    Notes
    -----
    With diversity :math:`k_{r} = \sum_i M_{ri}` and ubiquity :math:`k_{i} = \sum_r M_{ri}`,
    the ECI is the eigenvector :math:`K` of the second largest eigenvalue of
    :math:`\tilde M^C = D^{-1} M U^{-1} M^\top` (:math:`D`, :math:`U` the diagonal
    matrices of diversity and ubiquity) and the PCI the eigenvector :math:`Q` of
    :math:`\tilde M^P = U^{-1} M^\top D^{-1} M`. Both come from one singular value
    decomposition of :math:`A = D^{-1/2} M U^{-1/2}` (:math:`K = D^{-1/2} u_2`,
    :math:`Q = U^{-1/2} v_2`), which keeps their signs consistent
    (:math:`D^{-1} M Q = \sigma_2 K`). The sign is chosen so that the ECI correlates
    positively with diversity; then :math:`\mathrm{ECI} = (K - \bar K)/\mathrm{sd}(K)`
    (population sd, ``ddof=0``). EconGeo's ``kci``/``tci`` return :math:`v / \sum v`
    instead (standardise them to compare) from the eigenvectors of a transition matrix
    rounded to 4 decimals, so they agree with these to about 1e-3 only. Regions with no RCA and industries with no RCA region get
    a missing index. If the network is disconnected, the second eigenvalue is 1 and the
    vector only tells the components apart.

    References
    ----------
    .. [1] Hidalgo, C. A., & Hausmann, R. (2009). The building blocks of economic
       complexity. PNAS, 106(26), 10570-10575.
    .. [2] Hausmann, R., Hidalgo, C. A., et al. (2011). The Atlas of Economic Complexity.
       Harvard CID / MIT Media Lab (Technical Box 2.1).
    """
    check_in(pci_scale, ("own", "eci"), name="pci_scale")
    incidence = rca_incidence(
        data, region=region, industry=industry, value=value, threshold=threshold
    )
    m = incidence.to_numpy().astype("float64")
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    rows, cols = diversity > 0, ubiquity > 0
    sub = m[np.ix_(rows, cols)]
    a = sub / np.sqrt(diversity[rows])[:, None] / np.sqrt(ubiquity[cols])[None, :]
    if min(a.shape) < 2:
        raise SchemaError("The ECI needs at least two regions and two industries with an RCA.")
    u, sigma, vt = np.linalg.svd(a, full_matrices=False)
    k = u[:, 1] / np.sqrt(diversity[rows])
    q = vt[1] / np.sqrt(ubiquity[cols])
    check_in(convention, ("consistent", "econgeo"), name="convention")
    if convention == "consistent":
        sign = 1.0 if np.corrcoef(diversity[rows], k)[0, 1] >= 0 else -1.0
        k, q = sign * k, sign * q
    else:
        morc = (
            method_of_reflections(
                data, region=region, industry=industry, value=value, threshold=threshold
            )
            .regions["morc"]
            .to_numpy()[rows]
        )
        k = k if np.corrcoef(morc, k)[0, 1] >= 0 else -k
        rho = pd.Series(ubiquity[cols]).corr(pd.Series(q), method="spearman")
        q = q if not rho > 0 else -q
    eci = np.full(m.shape[0], np.nan)
    pci = np.full(m.shape[1], np.nan)
    eci[rows] = _standardise(k)
    if pci_scale == "own":
        pci[cols] = _standardise(q)
    else:
        k_raw = (sub @ q) / diversity[rows]
        pci[cols] = (q - k_raw.mean()) / k_raw.std()
    return ComplexityResult(
        eci=pd.DataFrame(
            {region: incidence.index.to_numpy(), "diversity": diversity.astype("int64"), "eci": eci}
        ),
        pci=pd.DataFrame(
            {
                industry: incidence.columns.to_numpy(),
                "ubiquity": ubiquity.astype("int64"),
                "pci": pci,
            }
        ),
        eigenvalue=float(sigma[1] ** 2),
    )


def _pci_vector(pci: pd.Series | pd.DataFrame, industries: pd.Index, industry: str) -> np.ndarray:
    """Return the PCI aligned on ``industries`` (NaN where unknown)."""
    if isinstance(pci, pd.DataFrame):
        check_columns(pci, [industry, "pci"], what="pci")
        pci = pci.set_index(industry)["pci"]
    if not isinstance(pci, pd.Series):
        raise TypeError(f"pci must be a pandas Series or DataFrame. Got {type(pci).__name__}.")
    if pci.index.has_duplicates:
        raise SchemaError("pci: each industry must appear once.")
    return pci.reindex(industries).to_numpy(dtype="float64", na_value=np.nan)


def subnational_eci(
    data: pd.DataFrame,
    pci: pd.Series | pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    threshold: float = 1.0,
    standardise: bool = False,
) -> pd.DataFrame:
    r"""Compute the complexity of regions from an external industry complexity (PCI).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    pci : pandas.Series or pandas.DataFrame
        PCI per industry: a Series indexed by industry, or a frame with columns
        [industry, ``"pci"``] such as ``economic_complexity(...).pci`` computed at a
        larger scale (e.g. national or international).
    region, industry, value : str
        Column labels of ``data``.
    threshold : float, default 1.0
        RCA threshold of :math:`M_{ri}`.
    standardise : bool, default False
        Whether to standardise the result to mean 0 and sd 1 (``ddof=0``) across regions.

    Returns
    -------
    pandas.DataFrame
        Columns [region, ``diversity`` (RCA industries with a known PCI), ``eci``].

    Notes
    -----
    .. math:: \mathrm{ECI}_r = \frac{\sum_i M_{ri}\, \mathrm{PCI}_i}{\sum_i M_{ri}}

    over the industries with a known PCI: the approach of the subnational atlases of the
    Harvard Growth Lab (e.g. Mexico, Colombia), where small regions make the eigenvector
    unstable, so the industry complexity is estimated on a larger economy and the regions
    are scored by the mean complexity of their RCA industries. A region with no such
    industry gets a missing ECI. With a PCI from
    ``economic_complexity(..., pci_scale="eci")`` on the same data it reproduces that ECI.
    """
    incidence = rca_incidence(
        data, region=region, industry=industry, value=value, threshold=threshold
    )
    q = _pci_vector(pci, incidence.columns, industry)
    m = incidence.to_numpy().astype("float64") * np.isfinite(q)[None, :]
    diversity = m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        eci = np.where(diversity > 0, (m @ np.nan_to_num(q)) / diversity, np.nan)
    if standardise:
        eci = _standardise(eci)
    return pd.DataFrame(
        {region: incidence.index.to_numpy(), "diversity": diversity.astype("int64"), "eci": eci}
    )


def opportunities(
    data: pd.DataFrame,
    relatedness: pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    threshold: float = 1.0,
    pci: pd.Series | pd.DataFrame | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    r"""Rank, for each region, the industries it has no RCA in by relatedness density.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    relatedness : pandas.DataFrame
        Tidy relatedness table or square industry × industry frame, non-negative (as in
        :func:`relatedness_density`, which refuses a negative value the same way).
    region, industry, value : str
        Column labels of ``data``.
    threshold : float, default 1.0
        RCA threshold of :math:`M_{ri}`.
    pci : pandas.Series or pandas.DataFrame, optional
        Industry complexity (as in :func:`subnational_eci`); adds the columns ``pci`` and
        ``opportunity_gain``.
    top : int, optional
        Keep only the ``top`` best-ranked industries of each region.

    Returns
    -------
    pandas.DataFrame
        Columns [region, industry, ``density``, ``rank``] (+ ``pci``,
        ``opportunity_gain``), sorted by region then rank; ``rank`` 1 is the densest
        (ties share the lowest rank). Industries with a missing density are left out.

    Notes
    -----
    The opportunity gain (Hausmann et al. 2014, "complexity outlook gain") of industry
    i for region r is the change in the region's complexity outlook
    :math:`\mathrm{COI}_r = \sum_j (1 - M_{rj})\, \omega_{rj}\, \mathrm{PCI}_j` when it
    gains an RCA in i, with the density :math:`\omega` of :func:`relatedness_density`:

    .. math:: \mathrm{OG}_{ri} = \sum_{j \ne i} (1 - M_{rj})
              \frac{\phi_{ji}}{\sum_{k \ne j} \phi_{jk}} \mathrm{PCI}_j
              - \omega_{ri}\, \mathrm{PCI}_i

    the first term is the gain in density of the other missing industries weighted by
    their complexity, the second the loss of i itself from the unexploited set. The
    Atlas writes the second term :math:`(1 - d_{ri})\mathrm{PCI}_i` with the distance
    :math:`d = 1 - \omega`; the ``ecomplexity`` package leaves it out.

    References
    ----------
    .. [1] Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A., & Yildirim,
       M. A. (2014). The Atlas of Economic Complexity. MIT Press (Technical Box 5.4).
    .. [2] Hidalgo, C. A., Klinger, B., Barabási, A.-L., & Hausmann, R. (2007). The
       product space conditions the development of nations. Science, 317(5837), 482-487.
    """
    if top is not None:
        if not isinstance(top, int) or isinstance(top, bool):
            raise TypeError(f"The 'top' parameter must be an int. Got {type(top).__name__}.")
        check_interval(top, name="top", low=1)
    incidence = rca_incidence(
        data, region=region, industry=industry, value=value, threshold=threshold
    )
    m = incidence.to_numpy().astype("float64")
    phi = _phi(relatedness, incidence.columns)
    density = _density(m, phi)
    n_r, n_i = m.shape
    out = pd.DataFrame(
        {
            region: np.repeat(incidence.index.to_numpy(), n_i),
            industry: np.tile(incidence.columns.to_numpy(), n_r),
            "density": density.ravel(),
        }
    )
    keep = (m.ravel() == 0) & np.isfinite(density.ravel())
    if pci is not None:
        q = _pci_vector(pci, incidence.columns, industry)
        weight = phi.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(weight[:, None] > 0, phi / weight[:, None], 0.0)  # phi_ji / sum_k
        gain = ((1 - m) * np.nan_to_num(q)[None, :]) @ share - density * q[None, :]
        out["pci"] = np.tile(q, n_r)
        out["opportunity_gain"] = gain.ravel()
    out = out[keep]
    ranks = out.groupby(region, sort=False)["density"].rank(method="min", ascending=False)
    out.insert(3, "rank", ranks.astype("int64"))
    out = out.sort_values([region, "rank", industry], kind="stable")
    if top is not None:
        out = out[out["rank"] <= top]
    return out.reset_index(drop=True)


__all__ = [
    "ComplexityResult",
    "economic_complexity",
    "opportunities",
    "relatedness_density",
    "subnational_eci",
]
