"""Null models, Monte-Carlo simulations and envelopes for Kd and M."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in, check_interval
from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern._pairs import FloatArray, PointSet, prepare_points
from clusteratlas.measures.pointpattern.kd import kd_values, resolve_r
from clusteratlas.measures.pointpattern.m import DEFAULT_STEPS, m_values

NULLS = ("location", "labelling")
ENVELOPES = ("global", "pointwise", "rank")
Progress = Callable[[int, int], object]


@dataclass(frozen=True, eq=False)
class EnvelopeResult:
    """An observed function, its simulated envelope and the global test of the null.

    Attributes
    ----------
    function : str
        ``"kd"``, ``"kd_weighted"`` or ``"m"``.
    r : ndarray
        Distances (metres).
    statistic : ndarray
        The observed function at ``r``.
    lower, upper : ndarray
        The envelope.
    simulations : ndarray
        Simulated functions, one row per simulation.
    pvalue : float
        p-value of the global extreme rank length test (Myllymäki et al. 2017).
    envelope : str
        ``"global"`` (Duranton and Overman's band), ``"pointwise"`` or ``"rank"``.
    null : str
        ``"location"`` or ``"labelling"``.
    alpha : float
        Level of the envelope.
    localised, dispersed : ndarray
        Distances where the function is above the upper / below the lower envelope.
    gamma, psi : float
        Duranton and Overman's global localisation index and dispersion index (the latter 0
        when the industry is localised anywhere), integrated over ``r``.
    industry : str
        The industry.
    """

    function: str
    r: FloatArray
    statistic: FloatArray
    lower: FloatArray
    upper: FloatArray
    simulations: FloatArray
    pvalue: float
    envelope: str
    null: str
    alpha: float
    localised: FloatArray
    dispersed: FloatArray
    gamma: float
    psi: float
    industry: str

    @property
    def n_simulations(self) -> int:
        """Number of simulations."""
        return int(self.simulations.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """Return a tidy frame: ``r``, the function (``kd``, ``kd_weighted`` or ``m``), bounds."""
        return pd.DataFrame(
            {"r": self.r, self.function: self.statistic, "lower": self.lower, "upper": self.upper}
        )

    def plot(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write a PNG of the observed function and its envelope."""
        from clusteratlas.measures.pointpattern.plot import plot_curves

        names = {"kd": "Kd", "kd_weighted": "Kd (weighted)", "m": "M"}
        name = names.get(self.function, self.function)
        level = f"{100 * (1 - self.alpha):g} % {self.envelope} envelope"
        return plot_curves(
            path, self.r, {name: self.statistic}, band=(self.lower, self.upper),
            band_label=f"{level}, {self.n_simulations} simulations ({self.null})",
            reference=1.0 if self.function == "m" else None, ylabel=f"{name}(r)",
            title=title or f"{name} of industry {self.industry}, p = {self.pvalue:.3g}",
        )  # fmt: skip


def simulate_sites(pts: PointSet, rng: np.random.Generator, null: str) -> PointSet:
    """One draw of the null: the industry's firms moved to sites drawn among all sites.

    ``"location"`` moves each firm with its weight (the marks of all sites are permuted);
    ``"labelling"`` keeps the weights at the sites and only permutes the industry labels.
    """
    order = rng.permutation(len(pts.x))
    if null == "location":
        return PointSet(pts.x, pts.y, pts.w[order], pts.is_type[order], *_tail(pts))
    return PointSet(pts.x, pts.y, pts.w, pts.is_type[order], *_tail(pts))


def _tail(pts: PointSet) -> tuple[bool, tuple[float, float, float, float], str]:
    return pts.weighted, pts.window, pts.industry


def pointwise_envelope(sims: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Quantiles ``alpha/2`` and ``1 - alpha/2`` of the simulations at each distance."""
    low, high = np.quantile(sims, [alpha / 2, 1 - alpha / 2], axis=0)
    return low, high


def global_envelope(sims: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Duranton and Overman's global band: ``1 - alpha`` of the curves lie entirely inside.

    The same order statistic ``k`` (from below and from above) is taken at every distance,
    ``k`` as large as possible while ``1 - alpha`` of the simulated curves stay in the band.
    """
    s = sims.shape[0]
    ranks = np.argsort(np.argsort(sims, axis=0, kind="stable"), axis=0)
    depth = np.minimum(ranks.min(axis=1), s - 1 - ranks.max(axis=1))
    inside = np.array([(depth >= k).mean() for k in range(s // 2 + 1)])
    k = int(np.flatnonzero(inside >= 1 - alpha).max())
    ordered = np.sort(sims, axis=0)
    return ordered[k], ordered[s - 1 - k]


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
    """Global extreme rank length envelope of the simulations and the p-value of ``observed``."""
    measure = erl_order(np.vstack([observed, sims]))
    pvalue = float((measure <= measure[0]).sum() / len(measure))
    sim_measure = erl_order(sims)
    s = len(sims)
    keep = sim_measure > np.floor(alpha * s)
    kept = sims[keep] if keep.any() else sims
    return kept.min(axis=0), kept.max(axis=0), pvalue


def build_envelope(
    function: str, r: FloatArray, observed: FloatArray, sims: FloatArray, *,
    envelope: str, alpha: float, null: str, industry: str,
) -> EnvelopeResult:  # fmt: skip
    """Envelope, global p-value, localisation and dispersion of an observed curve."""
    valid = np.isfinite(observed) & np.all(np.isfinite(sims), axis=0)
    lower = np.full(len(r), np.nan)
    upper = np.full(len(r), np.nan)
    pvalue = np.nan
    if valid.any():
        obs, sim = observed[valid], sims[:, valid]
        low, high, pvalue = rank_envelope(obs, sim, alpha)
        if envelope == "pointwise":
            low, high = pointwise_envelope(sim, alpha)
        elif envelope == "global":
            low, high = global_envelope(sim, alpha)
        lower[valid], upper[valid] = low, high
    with np.errstate(invalid="ignore"):
        above = np.where(valid, np.maximum(observed - upper, 0.0), 0.0)
        below = np.where(valid, np.maximum(lower - observed, 0.0), 0.0)
    gamma = float(np.trapezoid(above, r))
    psi = float(np.trapezoid(below, r)) if gamma == 0 else 0.0
    return EnvelopeResult(
        function, r, observed, lower, upper, sims, pvalue, envelope, null, alpha,
        r[above > 0], r[below > 0], gamma, psi, industry,
    )  # fmt: skip


def _run(
    one: Callable[[PointSet, bool], FloatArray], pts: PointSet, *, simulations: int, null: str,
    rng: Any, n_jobs: int, progress: Progress | None,
) -> FloatArray:  # fmt: skip
    """Run the simulations; child generators make the result independent of ``n_jobs``."""
    if isinstance(simulations, bool) or not isinstance(simulations, int | np.integer):
        raise ParameterError(f"The 'simulations' parameter must be an int. Got {simulations!r}.")
    check_interval(simulations, name="simulations", low=1)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs < 1:
        raise ParameterError(f"The 'n_jobs' parameter must be an int >= 1. Got {n_jobs!r}.")
    children = np.random.default_rng(rng).spawn(int(simulations))

    def task(child: np.random.Generator) -> FloatArray:
        return one(simulate_sites(pts, child, null), n_jobs == 1)

    results: list[FloatArray] = []
    if n_jobs == 1:
        for done, child in enumerate(children, start=1):
            results.append(task(child))
            if progress is not None:
                progress(done, len(children))
    else:
        with ThreadPoolExecutor(max_workers=int(n_jobs)) as pool:
            for done, value in enumerate(pool.map(task, children), start=1):
                results.append(value)
                if progress is not None:
                    progress(done, len(children))
    return np.vstack(results)


def _check(null: str, envelope: str, alpha: float) -> None:
    check_in(null, NULLS, name="null")
    check_in(envelope, ENVELOPES, name="envelope")
    check_interval(alpha, name="alpha", low=0, high=1, closed="neither")


def kd_test(
    points: pd.DataFrame, *, industry: Any, x: str = "x", y: str = "y",
    industry_column: str = "industry", weight: str | None = None, r: Any = None,
    rmax: float | str | None = None, n_r: int = 512, bandwidth: str | float = "silverman",
    window: Any = None, simulations: int = 99, null: str = "location",
    envelope: str = "global", alpha: float = 0.05, rng: Any = None, n_jobs: int = 1,
    progress: Progress | None = None,
) -> EnvelopeResult:  # fmt: skip
    r"""Kd of an industry against Duranton and Overman's null of random location among sites.

    Parameters are those of :func:`clusteratlas.measures.pointpattern.kd` (the weighted Kd is
    tested when ``weight`` is given) and:

    Parameters
    ----------
    simulations : int, default 99
        Number of simulations of the null.
    null : {"location", "labelling"}
        ``"location"``: the industry's firms, with their weights, move to as many sites drawn
        without replacement among all sites (all establishments); ``"labelling"``: the drawn
        sites keep their own weights.
    envelope : {"global", "pointwise", "rank"}
        Duranton and Overman's global band, pointwise quantiles, or the global extreme rank
        length envelope (Myllymäki et al. 2017).
    alpha : float, default 0.05
        Level of the envelope.
    rng : None, int or numpy.random.Generator
        Randomness (SPEC 7); one child generator per simulation.
    n_jobs : int, default 1
        Threads running simulations (same results as ``n_jobs=1`` for the same ``rng``).
    progress : callable(done, total), optional
        Called after each simulation.

    Returns
    -------
    EnvelopeResult

    Notes
    -----
    Duranton and Overman's global band takes, at every distance, the same order statistic
    :math:`k` of the simulated values from below and above, with :math:`k` as large as
    possible while :math:`1-\alpha` of the simulated curves lie entirely within it. The index
    of localisation is :math:`\Gamma = \int \max(K_d(r) - \overline{K}_d(r), 0)\,dr` and of
    dispersion :math:`\Psi = \int \max(\underline{K}_d(r) - K_d(r), 0)\,dr` when
    :math:`\Gamma = 0`. The p-value is that of the extreme rank length test, observed curve
    included among the :math:`s + 1` curves.

    References
    ----------
    Duranton, G. and Overman, H. G. (2005). *Review of Economic Studies* 72(4): 1077-1106.
    Myllymäki, M., Mrkvička, T., Grabarnik, P., Seijo, H. and Hahn, U. (2017). Global envelope
    tests for spatial processes. *Journal of the Royal Statistical Society B* 79(2): 381-404.
    """
    _check(null, envelope, alpha)
    pts = prepare_points(
        points, industry=industry, x=x, y=y, industry_column=industry_column,
        weight=weight, window=window, what="kd_test",
    )  # fmt: skip
    xs, ys = pts.x[pts.is_type], pts.y[pts.is_type]
    grid, top = resolve_r(pts, xs, ys, r=r, rmax=rmax, n_r=n_r)

    def one(sample: PointSet, parallel: bool) -> FloatArray:
        mask = sample.is_type
        ws = sample.w[mask] if sample.weighted else None
        plain, weighted, _ = kd_values(
            sample.x[mask], sample.y[mask], ws, grid, rmax=top, bandwidth=bandwidth,
            parallel=parallel,
        )  # fmt: skip
        return weighted if weighted is not None else plain

    observed = one(pts, True)
    sims = _run(one, pts, simulations=simulations, null=null, rng=rng, n_jobs=n_jobs,
                progress=progress)  # fmt: skip
    name = "kd_weighted" if pts.weighted else "kd"
    return build_envelope(
        name, grid, observed, sims, envelope=envelope, alpha=alpha, null=null,
        industry=pts.industry,
    )  # fmt: skip


def m_test(
    points: pd.DataFrame, *, industry: Any, x: str = "x", y: str = "y",
    industry_column: str = "industry", weight: str | None = None, r: Any = None,
    window: Any = None, simulations: int = 99, null: str = "location",
    envelope: str = "global", alpha: float = 0.05, rng: Any = None, n_jobs: int = 1,
    progress: Progress | None = None,
) -> EnvelopeResult:  # fmt: skip
    """M of an industry against random location (or labelling) among all sites.

    Parameters are those of :func:`clusteratlas.measures.pointpattern.m_function` and of
    :func:`kd_test`. Under ``"location"`` the points of all industries keep their places and
    the (industry, weight) marks are permuted; under ``"labelling"`` only the industry labels
    are permuted.

    Returns
    -------
    EnvelopeResult

    References
    ----------
    Marcon, E. and Puech, F. (2010). *Journal of Economic Geography* 10(5): 745-762.
    """
    from clusteratlas.measures.pointpattern._pairs import as_distances

    _check(null, envelope, alpha)
    pts = prepare_points(
        points, industry=industry, x=x, y=y, industry_column=industry_column,
        weight=weight, window=window, what="m_test",
    )  # fmt: skip
    grid = as_distances(r) if r is not None else pts.diameter * DEFAULT_STEPS / 800.0

    def one(sample: PointSet, parallel: bool) -> FloatArray:
        return m_values(sample.x, sample.y, sample.w, sample.is_type, grid, parallel=parallel)

    observed = one(pts, True)
    sims = _run(one, pts, simulations=simulations, null=null, rng=rng, n_jobs=n_jobs,
                progress=progress)  # fmt: skip
    return build_envelope(
        "m", grid, observed, sims, envelope=envelope, alpha=alpha, null=null,
        industry=pts.industry,
    )  # fmt: skip
