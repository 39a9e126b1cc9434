r"""Envelope bands of simulated curves: global rank (ERL), dbmss's global, DO's global, pointwise.

Every function takes the simulated curves as an array with one row per simulation and one
column per distance (all values finite) and returns the lower and upper bounds of the band.

Which band to use
-----------------
The global rank envelope (``"rank"``, extreme rank length, Myllymäki et al. 2017) is the
recommended test: it is a proper global test of the null over all distances at once, its
p-value is exact (the observed curve is ranked among the :math:`s + 1` curves, ties broken
conservatively) and the band is the set of curves the test would not reject at ``alpha``,
so band and p-value always agree. The other bands are descriptive: the Duranton–Overman
band (``"global"``) and dbmss's ``GlobalEnvelope`` (``"dbmss"``) are built so that a share of
the *simulated* curves lies inside them, which is not the probability that a curve drawn
under the null does; at 99 or 199 simulations neither holds a nominal 95 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern._pairs import FloatArray


@dataclass(frozen=True)
class Band:
    """A band and what it is.

    Attributes
    ----------
    lower, upper : ndarray
        The bounds at each distance.
    description : str
        Which band it is, in words (method, order statistic or curves kept, level).
    """

    lower: FloatArray
    upper: FloatArray
    description: str


def curves_inside(sims: FloatArray, lower: FloatArray, upper: FloatArray) -> int:
    """Count the simulated curves lying wholly inside ``[lower, upper]`` (bounds included)."""
    return int(np.all((sims >= lower) & (sims <= upper), axis=1).sum())


def pointwise_envelope(sims: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Quantiles ``alpha/2`` and ``1 - alpha/2`` of the simulations at each distance."""
    low, high = np.quantile(sims, [alpha / 2, 1 - alpha / 2], axis=0)
    return low, high


def _depth(sims: FloatArray) -> np.ndarray:
    """Each curve's smallest pointwise rank from below or above, 0 = extreme somewhere."""
    s = sims.shape[0]
    ranks = np.argsort(np.argsort(sims, axis=0, kind="stable"), axis=0)
    return np.minimum(ranks.min(axis=1), s - 1 - ranks.max(axis=1))


def global_order(sims: FloatArray, alpha: float) -> tuple[int, float]:
    """Duranton and Overman's order statistic ``k`` and the band's leave-one-out coverage.

    ``k`` is the largest order statistic (0 = min–max) whose band holds at least
    ``1 - alpha`` of the simulated curves. The coverage is the share of simulated curves
    that lie wholly inside the band of order ``k`` built from the *other* curves: an
    estimate of the probability that a curve drawn under the null lies inside the band.
    """
    s = sims.shape[0]
    depth = _depth(sims)
    inside = np.array([(depth >= k).mean() for k in range(s // 2 + 2)])
    k = int(np.flatnonzero(inside >= 1 - alpha).max())
    return k, float(inside[k + 1])


def global_envelope(sims: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    r"""Duranton and Overman's global band: ``1 - alpha`` of the simulated curves inside it.

    The same order statistic ``k`` (from below and from above) is taken at every distance,
    ``k`` as large as possible while ``1 - alpha`` of the simulated curves stay in the band.

    Notes
    -----
    With a few hundred distances, nearly every simulated curve is the highest or the lowest
    somewhere, so already the band of order :math:`k = 1` holds fewer than 95 % of them: at
    99 or 199 simulations this band is the **minimum–maximum of all simulated curves**
    (:math:`k = 0`). It then holds every simulated curve but not 95 % of the curves of the
    null: by exchangeability, the probability that a curve drawn under the null lies inside
    the min–max of :math:`s` simulations is the share of the :math:`s + 1` curves that are
    extreme nowhere, estimated by :func:`global_order` (about 80 % for Kd at 99
    simulations). Its real level is that coverage, not ``1 - alpha``; the result of
    :func:`~clusteratlas.measures.pointpattern.kd_test` states it.
    """
    k, _ = global_order(sims, alpha)
    ordered = np.sort(sims, axis=0)
    s = sims.shape[0]
    return ordered[k], ordered[s - 1 - k]


def dbmss_envelope(sims: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray, int]:
    r"""Reproduce dbmss's ``GlobalEnvelope``: drop extreme curves in rounds, then interpolate.

    Returns the lower and upper bounds and the number of curves kept in the last round.

    Notes
    -----
    As in dbmss 2.11 (Marcon et al. 2015), after Duranton and Overman (2005): with
    :math:`s` simulations and the target :math:`t = (1 - \alpha) s`, while more than
    :math:`t` curves are kept, every curve that is the lowest or the highest of the kept
    curves at some distance is dropped (the first one on ties). With :math:`m^-, M^-` the
    pointwise minimum and maximum of the curves kept before the last round, :math:`m, M`
    after it and :math:`n \le t` curves kept,

    .. math::

        \underline{G} = m + (m^- - m)\,\frac{t - n}{s}, \qquad
        \overline{G} = M + (M^- - M)\,\frac{t - n}{s}

    (dbmss divides by :math:`s`, not by the number of curves dropped in the last round).
    The band holds the :math:`n` kept curves and usually a few more; at 99 simulations
    typically 80–84 % of them, so it is not a 95 % band of the null.

    Raises
    ------
    ParameterError
        Fewer than two curves would be left (dbmss: "More simulations are necessary").

    References
    ----------
    Duranton, G. and Overman, H. G. (2005). *Review of Economic Studies* 72(4): 1077-1106.
    Marcon, E., Traissac, S., Puech, F. and Lang, G. (2015). Tools to characterize point
    patterns: dbmss for R. *Journal of Statistical Software* 67(c03).

    Examples
    --------
    Six curves at two distances; one round drops the three that are extreme somewhere and
    the bounds move back a quarter of the way, :math:`(4.5 - 3) / 6`:

    >>> import numpy as np
    >>> sims = np.array([[0, 3], [1, 9], [2, 2], [5, 1], [3, 4], [4, 5]], dtype=float)
    >>> lower, upper, kept = dbmss_envelope(sims, 0.25)
    >>> lower.tolist(), upper.tolist(), kept
    ([1.5, 1.75], [4.25, 6.0], 3)
    """
    s = sims.shape[0]
    target = (1 - alpha) * s
    kept = np.arange(s)
    low, high = sims.min(axis=0), sims.max(axis=0)
    previous_low, previous_high = low, high
    while len(kept) > target:
        previous_low, previous_high = low, high
        current = sims[kept]
        drop = np.union1d(np.argmin(current, axis=0), np.argmax(current, axis=0))
        kept = np.delete(kept, drop)
        if len(kept) < 2:
            raise ParameterError(
                "The dbmss global envelope could not be calculated: fewer than 2 simulated "
                f"curves are left of {s}. Run more simulations."
            )
        low, high = sims[kept].min(axis=0), sims[kept].max(axis=0)
    n = len(kept)
    lower = low + (previous_low - low) / s * (target - n)
    upper = high + (previous_high - high) / s * (target - n)
    return lower, upper, n


def _pointwise_ranks(curves: FloatArray) -> FloatArray:
    """Two-sided pointwise ranks min(rank from below, rank from above), ties averaged."""
    below = pd.DataFrame(curves).rank(axis=0, method="average").to_numpy()
    return np.minimum(below, curves.shape[0] + 1 - below)


def erl_order(curves: FloatArray) -> FloatArray:
    """Extreme rank length measure: larger is less extreme (Myllymäki et al. 2017).

    Each curve's sorted vector of pointwise ranks is compared lexicographically; the measure
    is the rank of the curve in that order (1 = most extreme).
    """
    ranks = np.sort(_pointwise_ranks(curves), axis=1)
    keys = [ranks[:, j] for j in range(ranks.shape[1] - 1, -1, -1)]
    order = np.lexsort(keys)
    sorted_rows = ranks[order]
    same = np.r_[False, np.all(sorted_rows[1:] == sorted_rows[:-1], axis=1)]
    group = np.cumsum(~same) - 1
    last = np.zeros(group[-1] + 1)
    np.maximum.at(last, group, np.arange(1, len(curves) + 1, dtype=np.float64))
    measure = np.empty(len(curves))
    measure[order] = last[group]  # ties share the largest rank (a conservative p-value)
    return measure


def rank_envelope(
    observed: FloatArray, sims: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray, float]:
    """Global extreme rank length envelope of the simulations and the p-value of ``observed``.

    The recommended test (Myllymäki et al. 2017): a global test over all distances with an
    exact Monte-Carlo p-value, whose band contains exactly the curves it does not reject.
    """
    measure = erl_order(np.vstack([observed, sims]))
    pvalue = float((measure <= measure[0]).sum() / len(measure))
    sim_measure = erl_order(sims)
    s = len(sims)
    keep = sim_measure > np.floor(alpha * s)
    kept = sims[keep] if keep.any() else sims
    return kept.min(axis=0), kept.max(axis=0), pvalue


def make_band(
    envelope: str, observed: FloatArray, sims: FloatArray, alpha: float
) -> tuple[Band, float]:
    """Return the band named by ``envelope`` (with its description) and the ERL p-value."""
    s = sims.shape[0]
    level = f"{100 * (1 - alpha):g} %"
    low, high, pvalue = rank_envelope(observed, sims, alpha)
    text = f"rank: global extreme rank length envelope (ERL), {level}, exact p-value"
    if envelope == "pointwise":
        low, high = pointwise_envelope(sims, alpha)
        text = f"pointwise: quantiles {alpha / 2:g} and {1 - alpha / 2:g} at each distance"
    elif envelope == "global":
        k, coverage = global_order(sims, alpha)
        ordered = np.sort(sims, axis=0)
        low, high = ordered[k], ordered[s - 1 - k]
        what = "min–max of all simulations" if k == 0 else f"order statistic {k + 1} of {s}"
        text = (
            f"global: Duranton–Overman band, {what}; holds about {100 * coverage:.0f} % of "
            f"the curves of the null (leave-one-out), not the nominal {level}"
        )
    elif envelope == "dbmss":
        low, high, n = dbmss_envelope(sims, alpha)
        text = f"dbmss: GlobalEnvelope of dbmss, {n} of {s} curves kept, nominal {level}"
    return Band(low, high, text), pvalue
