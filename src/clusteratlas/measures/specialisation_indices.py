r"""Specialisation indices of regions: specialisation Gini, Theil, coefficient of specialisation.

Like :mod:`.inequality` (whose helpers they share): one row per (region, *by) from a tidy
frame; an absent (region, category) pair counts as zero and a missing value makes the
region's index missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.measures.concentration import krugman_index
from clusteratlas.measures.inequality import _frame, _gini_rows, _grids, _region_shares
from clusteratlas.measures.specialisation import _as_by, _reference_codes


def specialisation_gini(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    reference_regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    r"""Compute the Gini coefficient of specialisation of each region.

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
        One row per (region, ``*by``), sorted, with ``gini`` in [0, (n-1)/n].

    Raises
    ------
    SchemaError, UnknownCodeError, ParameterError
        As in :func:`~clusteratlas.measures.location_quotient`.

    Notes
    -----
    The Gini coefficient of the region's n location quotients :math:`R_c` (every category
    of the group with :math:`E_c > 0`, an absent pair as LQ 0), sorted increasingly:

    .. math:: G_r = \frac{2}{n^2 \bar R} \sum_{\lambda=1}^{n} \lambda
              \left(R_{(\lambda)} - \bar R\right)

    0 when the region's structure is the reference's (every LQ equal), larger the more its
    employment sits in few categories relative to the reference. Each category weighs the
    same, whatever its size. A missing value of the region gives a missing index. This is
    REAT's ``gini.spec`` (Farhauer & Kröll 2013), without rounding.

    References
    ----------
    .. [1] Farhauer, O., & Kröll, A. (2013). Standorttheorien. Springer Gabler
       (Gini-Koeffizient der Spezialisierung).
    .. [2] Wieland, T. (2019). REAT: A regional economic analysis toolbox for R. REGION,
       6(3), R1-R57.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import specialisation_gini
    >>> data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
    ...                      "employment": [10.0, 10.0, 10.0, 10.0]})
    >>> specialisation_gini(data, by=())
      region  gini
    0      A   0.0
    1      B   0.0
    """
    keys_by = list(_as_by(by))
    reference = _reference_codes(data, region, reference_regions)
    records = []
    for keys, matrix in _grids(data, row=region, column=category, value=value, by=keys_by):
        s_rc, s_c = _region_shares(matrix, reference)
        present = s_c > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            lq = s_rc[:, present] / s_c[present]
        index = _gini_rows(lq) if lq.shape[1] else np.full(lq.shape[0], np.nan)
        for name, number in zip(matrix.index, index, strict=True):
            records.append({**keys, region: name, "gini": number})
    return _frame(records, [region, *keys_by], "gini")


def theil_index(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    kind: Literal["relative", "absolute"] = "relative",
    reference_regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    r"""Compute Theil's entropy index of specialisation of each region.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per (``region``, ``category``, ``*by``) and a ``value``.
    region, category, value : str
        Column labels of the region code, the category code and the value.
    by : str or sequence of str, default ("year",)
        Columns that split the table into independent groups; may be empty.
    kind : {"relative", "absolute"}, default "relative"
        Specialisation relative to the reference area's structure, or absolute (relative
        to an even spread over the categories).
    reference_regions : iterable of str, optional
        Regions that make up the reference area of ``kind="relative"`` (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per (region, ``*by``), sorted, with ``theil`` (≥ 0) and ``entropy``
        (Shannon entropy of the region's structure, natural logarithm).

    Raises
    ------
    SchemaError, UnknownCodeError, ParameterError
        As in :func:`~clusteratlas.measures.location_quotient`.

    Notes
    -----
    With :math:`s_{rc} = E_{rc}/T_r`, :math:`s_c = E_c/E` and :math:`0 \ln 0 = 0`:

    .. math:: T^{rel}_r = \sum_c s_{rc} \ln \frac{s_{rc}}{s_c}, \qquad
              T^{abs}_r = \sum_c s_{rc} \ln (n\, s_{rc}) = \ln n - H_r, \qquad
              H_r = -\sum_c s_{rc} \ln s_{rc}

    with n the number of categories of the group. :math:`T^{rel}` is the relative
    entropy (Kullback-Leibler divergence) of the region's structure from the
    reference's, 0 when they are alike; :math:`T^{abs}` is 0 for an even spread and
    :math:`\ln n` when one category holds everything. EconGeo's ``entropy`` is
    :math:`H_r / \ln 2` (bits; it adds 1e-9 inside the logarithm and rounds to 3
    decimals); REAT's ``theil`` is a different index (Theil's L of one vector). A
    missing value of the region gives missing indices.

    References
    ----------
    .. [1] Theil, H. (1967). Economics and Information Theory. North-Holland.
    .. [2] Cutrini, E. (2010). Specialization and concentration from a twofold
       geographical perspective: evidence from Europe. Regional Studies, 44(3), 315-336.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import theil_index
    >>> data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
    ...                      "employment": [10.0, 10.0, 20.0, 0.0]})
    >>> theil_index(data, by=(), kind="absolute").round(4)
      region   theil  entropy
    0      A  0.0000   0.6931
    1      B  0.6931   0.0000
    """
    check_in(kind, ("relative", "absolute"), name="kind")
    keys_by = list(_as_by(by))
    reference = _reference_codes(data, region, reference_regions)
    records = []
    for keys, matrix in _grids(data, row=region, column=category, value=value, by=keys_by):
        s_rc, s_c = _region_shares(matrix, reference)
        base = s_c[None, :] if kind == "relative" else np.full((1, s_c.size), 1.0 / s_c.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            log_rc = np.log(np.where(s_rc > 0, s_rc, 1.0))
            theil = np.where(s_rc > 0, s_rc * (log_rc - np.log(base)), 0.0)
            entropy = np.where(s_rc > 0, -s_rc * log_rc, 0.0)
        missing = np.isnan(s_rc).any(axis=1)
        theil_r = np.where(missing, np.nan, theil.sum(axis=1))
        entropy_r = np.where(missing, np.nan, entropy.sum(axis=1))
        for name, t, h in zip(matrix.index, theil_r, entropy_r, strict=True):
            records.append({**keys, region: name, "theil": t, "entropy": h})
    return _frame(records, [region, *keys_by], "theil", "entropy")


def specialisation_coefficient(
    data: pd.DataFrame,
    *,
    region: str = "region",
    category: str = "category",
    value: str = "employment",
    by: str | Sequence[str] = ("year",),
    reference_regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    r"""Compute the coefficient of specialisation of each region.

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
        One row per (region, ``*by``), sorted, with ``specialisation_coefficient`` in
        [0, 1].

    Raises
    ------
    SchemaError, UnknownCodeError, ParameterError
        As in :func:`~clusteratlas.measures.location_quotient`.

    Notes
    -----
    .. math:: CS_r = \frac{1}{2} \sum_c \left| s_{rc} - s_c \right|
              = \frac{K_r}{2}

    half of :func:`~clusteratlas.measures.krugman_index`: the share of the region's
    employment that would have to change category for its structure to match the
    reference's (Hoover's coefficient of specialisation). It is EconGeo's
    ``spec_coeff`` and the "H j" column of REAT's ``spec``.

    References
    ----------
    .. [1] Hoover, E. M., & Giarratani, F. (1984). An Introduction to Regional Economics
       (3rd ed.). Knopf.
    .. [2] Balland, P.-A. (2017). Economic Geography in R: Introduction to the EconGeo
       package. Papers in Evolutionary Economic Geography 17.09, Utrecht University.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusteratlas.measures import specialisation_coefficient
    >>> data = pd.DataFrame({"region": list("AABB"), "category": list("xyxy"),
    ...                      "employment": [30.0, 10.0, 10.0, 30.0]})
    >>> specialisation_coefficient(data, by=())
      region  specialisation_coefficient
    0      A                        0.25
    1      B                        0.25
    """
    out = krugman_index(
        data,
        region=region,
        category=category,
        value=value,
        by=by,
        reference_regions=reference_regions,
    )
    out["krugman"] = out["krugman"] / 2.0
    return out.rename(columns={"krugman": "specialisation_coefficient"})


__all__ = ["specialisation_coefficient", "specialisation_gini", "theil_index"]
