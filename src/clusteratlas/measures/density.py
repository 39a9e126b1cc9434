r"""Relatedness density: how much of what is related to an industry a region already does.

Split from :mod:`.complexity`, which uses the same alignment of a relatedness matrix
(:func:`_phi`) and the same density (:func:`_density`) for the opportunity gain.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.relatedness import as_matrix, rca_incidence


def _phi(
    relatedness: pd.DataFrame, industries: pd.Index, *, keep_diagonal: bool = False
) -> np.ndarray:
    """Return the relatedness matrix aligned on ``industries``, NaN (and diagonal) as 0.

    Every value of ``relatedness`` must be non-negative and finite (or missing): with
    negative weights the weighted share of the density leaves [0, 1], and an infinite one
    makes it undefined (it used to count as 0, unrelated, without a word).
    """
    if not isinstance(relatedness, pd.DataFrame):
        raise TypeError(
            f"relatedness must be a pandas DataFrame. Got {type(relatedness).__name__} instead."
        )
    if {"industry_a", "industry_b", "relatedness"} <= set(relatedness.columns):
        square = as_matrix(relatedness)
    elif relatedness.index.equals(relatedness.columns):
        square = relatedness
    else:
        raise SchemaError(
            "relatedness must be a tidy table (industry_a, industry_b, relatedness) or a "
            "square industry x industry frame."
        )
    values = square.to_numpy(dtype="float64", na_value=np.nan)
    negative = np.argwhere(values < 0)
    if len(negative):
        row, col = negative[0]
        raise SchemaError(
            f"relatedness must be non-negative (a proximity, as in Hidalgo et al. 2007 and "
            f"EconGeo's relatedness_density). Got {float(values[row, col])!r} for the pair "
            f"({square.index.tolist()[row]!r}, {square.columns.tolist()[col]!r}) and "
            f"{len(negative)} negative "
            "value(s) in all; a correlation (e.g. from colocation) can be clipped at 0 "
            "first: relatedness.clip(lower=0) for a square frame, or "
            "tidy.assign(relatedness=tidy['relatedness'].clip(lower=0)) for a tidy table."
        )
    infinite = np.argwhere(np.isinf(values))
    if len(infinite):
        row, col = infinite[0]
        raise SchemaError(
            f"relatedness must be finite. Got {float(values[row, col])!r} for the pair "
            f"({square.index.tolist()[row]!r}, {square.columns.tolist()[col]!r}) and "
            f"{len(infinite)} infinite value(s) in all (a ratio with a zero denominator?); "
            "replace them by the largest finite value, or by NaN to leave the pair out."
        )
    phi = square.reindex(index=industries, columns=industries).to_numpy(dtype="float64")
    phi = np.where(np.isnan(phi), 0.0, phi)
    if not keep_diagonal:
        np.fill_diagonal(phi, 0.0)
    return phi


def _density(m: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """density_ri = sum_j phi_ij m_rj / sum_j phi_ij (NaN where the sum of phi is 0)."""
    weight = phi.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, (m @ phi.T) / weight, np.nan)


CONVENTIONS: dict[str, tuple[str, str]] = {
    "hidalgo": ("row", "drop"),
    "econgeo": ("column", "keep"),
}


def _resolve(
    convention: str | None, orientation: str | None, diagonal: str | None
) -> tuple[str, str]:
    """Return (orientation, diagonal) from a named convention or the explicit choices."""
    if convention is not None:
        check_in(convention, tuple(CONVENTIONS), name="convention")
        if orientation is not None or diagonal is not None:
            raise ParameterError(
                "Pass either 'convention' or 'orientation'/'diagonal' to "
                f"relatedness_density, not both (convention={convention!r} sets "
                f"orientation={CONVENTIONS[convention][0]!r}, "
                f"diagonal={CONVENTIONS[convention][1]!r})."
            )
        return CONVENTIONS[convention]
    side, kept = orientation or "row", diagonal or "drop"
    check_in(side, ("row", "column"), name="orientation")
    check_in(kept, ("drop", "keep"), name="diagonal")
    return side, kept


def relatedness_density(
    data: pd.DataFrame,
    relatedness: pd.DataFrame,
    *,
    region: str = "region",
    industry: str = "industry",
    value: str = "employment",
    threshold: float = 1.0,
    orientation: Literal["row", "column"] | None = None,
    diagonal: Literal["drop", "keep"] | None = None,
    convention: Literal["hidalgo", "econgeo"] | None = None,
) -> pd.DataFrame:
    r"""Compute the relatedness density of each industry in each region.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per (``region``, ``industry``) of one cross-section.
    relatedness : pandas.DataFrame
        Tidy relatedness table (``industry_a``, ``industry_b``, ``relatedness``) or a
        square industry × industry frame, e.g. the proximity of
        :func:`~clusteratlas.measures.relatedness.normalise_cooccurrence`.
    region, industry, value : str
        Column labels of ``data``.
    threshold : float, default 1.0
        RCA threshold of :math:`M_{ri}`.
    orientation : {"row", "column"}, optional
        Which entries of an asymmetric matrix say how related j is to i: row i
        (:math:`\phi_{ij}`, the default) or column i (:math:`\phi_{ji}`, EconGeo's).
        Irrelevant for a symmetric matrix.
    diagonal : {"drop", "keep"}, optional
        Leave out :math:`\phi_{ii}` (the default), or keep it, so that the region's own
        RCA in i counts in its density. A tidy table never has a diagonal
        (:func:`~clusteratlas.measures.as_matrix`); pass a square frame to keep one.
    convention : {"hidalgo", "econgeo"}, optional
        A named pair of the two choices: ``"hidalgo"`` = row, drop (Hidalgo et al. 2007,
        the default); ``"econgeo"`` = column, keep, EconGeo's ``relatedness_density``.
        Not together with ``orientation`` or ``diagonal``.

    Returns
    -------
    pandas.DataFrame
        Columns [region, industry, ``rca`` (0/1), ``density`` in [0, 1]], every region ×
        industry of ``data`` (sorted).

    Raises
    ------
    SchemaError, TypeError
        When ``data`` or ``relatedness`` is malformed, or a relatedness value is negative
        (the message names the first such pair and its value).
    ParameterError
        When an option is unknown, or ``convention`` is given with ``orientation`` or
        ``diagonal``.

    Notes
    -----
    Hidalgo et al. (2007), the default (row convention, diagonal dropped):

    .. math:: \omega_{ri} = \frac{\sum_{j \ne i} \phi_{ij} M_{rj}}{\sum_{j \ne i} \phi_{ij}}

    the share of the industries related to i, weighted by relatedness, in which region r
    has an RCA. EconGeo's ``relatedness_density(mat, relatedness)`` computes
    ``mat %*% relatedness / colSums(relatedness)``, i.e.

    .. math:: \omega^{EconGeo}_{ri} = 100 \frac{\sum_j \phi_{ji} M_{rj}}{\sum_j \phi_{ji}}

    column convention, diagonal *kept*, times 100 and rounded to 2 decimals:
    ``convention="econgeo"`` gives it divided by 100, unrounded. The two agree only for
    a symmetric matrix with a zero diagonal (co-occurrence proximities, as
    :func:`~clusteratlas.measures.normalise_cooccurrence` gives); with an asymmetric one
    (e.g. conditional probabilities) whose diagonal is 1 they differ by up to 56 points
    in EconGeo's units on the 5 × 5 example of the tests. The ``ecomplexity`` package uses the
    row convention and keeps :math:`\phi_{ii} = 1`. An industry absent from
    ``relatedness`` or related to nothing gets a missing density; missing relatedness
    values count as 0.

    Relatedness must be non-negative, as the proximities of Hidalgo et al. (2007) and
    the inputs of EconGeo's ``relatedness_density`` are: the density is a weighted share
    in [0, 1] only with non-negative weights (with :math:`\phi_{xy} = -0.5` and
    :math:`\phi_{xz} = 1`, a region doing z only would get a density of 2 in x, one doing
    y only -1). A correlation, such as :func:`~clusteratlas.measures.colocation` gives,
    is refused: clip it at 0 first (negatively correlated industries then count as
    unrelated), or rescale it to [0, 1] if that is what is meant.

    References
    ----------
    .. [1] Hidalgo, C. A., Klinger, B., Barabási, A.-L., & Hausmann, R. (2007). The
       product space conditions the development of nations. Science, 317(5837), 482-487.
    .. [2] Boschma, R., Balland, P.-A., & Kogler, D. F. (2015). Relatedness and
       technological change in cities. Industrial and Corporate Change, 24(1), 223-250.
    """
    side, kept = _resolve(convention, orientation, diagonal)
    incidence = rca_incidence(
        data, region=region, industry=industry, value=value, threshold=threshold
    )
    m = incidence.to_numpy()
    phi = _phi(relatedness, incidence.columns, keep_diagonal=kept == "keep")
    density = _density(m, phi if side == "row" else phi.T)
    n_r, n_i = m.shape
    return pd.DataFrame(
        {
            region: np.repeat(incidence.index.to_numpy(), n_i),
            industry: np.tile(incidence.columns.to_numpy(), n_r),
            "rca": m.ravel(),
            "density": density.ravel(),
        }
    )


__all__ = ["relatedness_density"]
