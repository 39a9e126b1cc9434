r"""The method of reflections (Hidalgo & Hausmann 2009): MORc for regions, MORt for industries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clusteratlas._validation import check_interval
from clusteratlas.measures.relatedness import rca_incidence


@dataclass(frozen=True)
class ReflectionsResult:
    """Regions' and industries' scores after the iterations of the method of reflections.

    Attributes
    ----------
    regions : pandas.DataFrame
        Columns [region, ``diversity`` (:math:`k_{r,0}`), ``morc``
        (:math:`k_{r,N}` with N = ``region_steps``)]; one row per region, sorted.
    industries : pandas.DataFrame
        Columns [industry, ``ubiquity`` (:math:`k_{i,0}`), ``mort``
        (:math:`k_{i,N}` with N = ``industry_steps``)]; one row per industry, sorted.
    region_steps, industry_steps : int
        The iterations N of each.
    """

    regions: pd.DataFrame
    industries: pd.DataFrame
    region_steps: int
    industry_steps: int


def _rescale(x: np.ndarray) -> np.ndarray:
    """Min-max rescale to [0, 100] over the finite values (EconGeo's ``rescale``).

    A constant ``x`` (``high == low``) gives all-NaN scores, as EconGeo's 0/0 does; an
    all-NaN ``x`` (such scores, one step on) is returned unchanged: ``nanmin`` would warn
    "All-NaN slice" on it, and there is nothing to rescale.
    """
    if np.isnan(x).all():
        return x
    low, high = np.nanmin(x), np.nanmax(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - low) / (high - low) * 100.0


def _check_steps(steps: int, name: str) -> None:
    if not isinstance(steps, int | np.integer) or isinstance(steps, bool):
        raise TypeError(
            f"The {name!r} parameter of method_of_reflections must be an int in [0, inf). "
            f"Got {type(steps).__name__} instead."
        )
    check_interval(steps, name=name, low=0)


def method_of_reflections(
    data: pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    threshold: float = 1.0,
    region_steps: int = 20,
    industry_steps: int = 19,
    rescale: bool = True,
) -> ReflectionsResult:
    r"""Compute the method of reflections: MORc for regions and MORt for industries.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    region, industry, value : str
        Column labels of ``data``.
    threshold : float, default 1.0
        RCA threshold of :math:`M_{ri}` (see
        :func:`~clusteratlas.measures.rca_incidence`).
    region_steps, industry_steps : int, default 20 and 19
        Iterations N of the regions' and of the industries' scores; the defaults are
        EconGeo's ``morc`` and ``mort`` (even N for regions, odd for industries, so that
        both are "generalised diversity" measures that grow with complexity).
    rescale : bool, default True
        Min-max rescale both vectors to [0, 100] at every step from the third on, as
        EconGeo does. The raw iterates converge to a constant (the differences shrink
        like :math:`\lambda_2^N`), so without rescaling only their order is meaningful;
        rescaling does not change the order.

    Returns
    -------
    ReflectionsResult
        Per region ``diversity`` and ``morc``; per industry ``ubiquity`` and ``mort``.
        Regions with no RCA and industries with no RCA region get missing scores. When
        every region's (or industry's) score is the same at a rescaled step, min-max
        rescaling is 0/0 and every score is missing from that step on (e.g. when every
        region has an RCA in exactly one industry of its own), without a warning.

    Raises
    ------
    SchemaError
        As in :func:`~clusteratlas.measures.rca_incidence`.
    TypeError, ParameterError
        When a number of steps is not a non-negative int.

    Notes
    -----
    Starting from diversity :math:`k_{r,0} = \sum_i M_{ri}` and ubiquity
    :math:`k_{i,0} = \sum_r M_{ri}`, each step averages the other side's previous
    scores:

    .. math:: k_{r,N} = \frac{1}{k_{r,0}} \sum_i M_{ri}\, k_{i,N-1}, \qquad
              k_{i,N} = \frac{1}{k_{i,0}} \sum_r M_{ri}\, k_{r,N-1}

    :math:`k_{r,1}` is the mean ubiquity of the region's industries, :math:`k_{i,1}` the
    mean diversity of the industry's regions, and so on. The limit of the (rescaled)
    iteration is the eigenvector of the Economic Complexity Index
    (:func:`~clusteratlas.measures.economic_complexity`). With the defaults the result
    is EconGeo's ``morc(mat, rca = TRUE)`` and ``mort(mat, rca = TRUE)`` (EconGeo's RCA
    is ``LQ >= 1``, ours with ``threshold=1``).

    References
    ----------
    .. [1] Hidalgo, C. A., & Hausmann, R. (2009). The building blocks of economic
       complexity. PNAS, 106(26), 10570-10575.
    .. [2] Balland, P.-A., & Rigby, D. (2017). The geography of complex knowledge.
       Economic Geography, 93(1), 1-23.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import method_of_reflections
    >>> data = pd.DataFrame({"region": list("AABBC"), "industry": list("xyxzz"),
    ...                      "employment": [1.0, 1.0, 1.0, 1.0, 1.0]})
    >>> result = method_of_reflections(data, region_steps=1, industry_steps=1)
    >>> result.regions
      region  diversity  morc
    0      A          2   1.5
    1      B          2   2.0
    2      C          1   2.0
    """
    _check_steps(region_steps, "region_steps")
    _check_steps(industry_steps, "industry_steps")
    incidence = rca_incidence(
        data, region=region, industry=industry, value=value, threshold=threshold
    )
    m = incidence.to_numpy().astype("float64")
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    rows, cols = diversity > 0, ubiquity > 0
    sub = m[np.ix_(rows, cols)]
    k_r, k_i = diversity[rows], ubiquity[cols]
    scores_r, scores_i = [k_r], [k_i]
    for step in range(1, max(region_steps, industry_steps) + 1):
        next_r = (sub @ scores_i[-1]) / k_r
        next_i = (sub.T @ scores_r[-1]) / k_i
        if rescale and step >= 3:
            next_r, next_i = _rescale(next_r), _rescale(next_i)
        scores_r.append(next_r)
        scores_i.append(next_i)
    morc = np.full(m.shape[0], np.nan)
    mort = np.full(m.shape[1], np.nan)
    morc[rows] = scores_r[region_steps]
    mort[cols] = scores_i[industry_steps]
    return ReflectionsResult(
        regions=pd.DataFrame(
            {
                region: incidence.index.to_numpy(),
                "diversity": diversity.astype("int64"),
                "morc": morc,
            }
        ),
        industries=pd.DataFrame(
            {
                industry: incidence.columns.to_numpy(),
                "ubiquity": ubiquity.astype("int64"),
                "mort": mort,
            }
        ),
        region_steps=region_steps,
        industry_steps=industry_steps,
    )


__all__ = ["ReflectionsResult", "method_of_reflections"]
