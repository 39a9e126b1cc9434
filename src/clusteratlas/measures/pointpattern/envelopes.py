"""Null models, Monte-Carlo simulations and envelopes for Kd and M."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in, check_interval
from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern._grid import resolve_cell
from clusteratlas.measures.pointpattern._pairs import FloatArray, PointSet, prepare_points
from clusteratlas.measures.pointpattern.bands import (
    curves_inside,
    dbmss_envelope,
    erl_order,
    global_envelope,
    make_band,
    pointwise_envelope,
    rank_envelope,
)
from clusteratlas.measures.pointpattern.kd import (
    approximation_bound,
    kd_values,
    resolve_r,
    sampled_error,
)
from clusteratlas.measures.pointpattern.m import DEFAULT_STEPS, m_values
from clusteratlas.measures.pointpattern.windows import Window

__all__ = [
    "ENVELOPES",
    "NULLS",
    "EnvelopeResult",
    "build_envelope",
    "curves_inside",
    "dbmss_envelope",
    "erl_order",
    "global_envelope",
    "kd_test",
    "m_test",
    "pointwise_envelope",
    "rank_envelope",
    "simulate_sites",
]

NULLS = ("location", "labelling")
ENVELOPES = ("global", "pointwise", "rank", "dbmss")
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
        p-value of the global extreme rank length test (Myllymäki et al. 2017), whatever
        the band: the recommended test.
    envelope : str
        ``"rank"`` (global extreme rank length envelope), ``"global"`` (Duranton and
        Overman's band), ``"dbmss"`` (dbmss's ``GlobalEnvelope``) or ``"pointwise"``.
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
    band : str
        Which band ``lower``–``upper`` is, in words: the method, the order statistic or the
        curves kept, and its level (for ``"global"``, the real one).
    n_inside : int
        Number of simulated curves lying wholly inside the band (over the distances where
        every curve is finite).
    approximate : bool
        True when every curve came from gridded counts (``kd_test(..., approx=True)``).
    cell : float or None
        Side of the grid cells (metres) of approximate curves; None when exact.
    error_bound : float or None
        Of approximate curves: the largest, over the observed and the simulated curves, of
        the bound on a curve's distance to its exact kernel sum (per metre, as
        :attr:`KdResult.error_bound <clusteratlas.measures.pointpattern.KdResult>`); None
        when exact.
    error_measured : float or None
        Of approximate curves: the observed curve's error measured on a sample of its firms
        (:attr:`KdResult.error_measured <clusteratlas.measures.pointpattern.KdResult>`);
        None when exact.
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
    band: str
    n_inside: int
    approximate: bool = False
    cell: float | None = None
    error_bound: float | None = None
    error_measured: float | None = None

    @property
    def n_simulations(self) -> int:
        """Number of simulations."""
        return int(self.simulations.shape[0])

    def _repr_html_(self) -> str:
        """Show the test in a notebook: p-value, band, Γ and Ψ, where the function leaves it."""
        from clusteratlas._html import html_summary

        frame = self.to_frame()
        outside = frame[
            (frame[self.function] > frame["upper"]) | (frame[self.function] < frame["lower"])
        ]
        return html_summary(
            f"EnvelopeResult: {self.function} of industry {self.industry}",
            [
                ("p-value (global rank test)", self.pvalue),
                ("band", self.band),
                ("simulated curves inside", f"{self.n_inside} of {self.n_simulations}"),
                ("null", self.null),
                ("Γ (localisation)", self.gamma),
                ("Ψ (dispersion)", self.psi),
                ("distances", f"{len(self.r)} from {self.r[0]:.4g} to {self.r[-1]:.4g} m"),
                ("method", self.method),
            ],
            outside.iloc[:: max(1, len(outside) // 10)] if len(outside) else frame.head(0),
        )

    @property
    def method(self) -> str:
        """How the curves were computed, in words: exact, or the cells and error bound."""
        if not self.approximate:
            return "exact"
        return (
            f"approximate ({self.cell:,.1f} m cells; error measured on a sample "
            f"{self.error_measured:.3g} per metre, at most {self.error_bound:.3g} on any curve)"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return a tidy frame: ``r``, the function (``kd``, ``kd_weighted`` or ``m``), bounds."""
        return pd.DataFrame(
            {"r": self.r, self.function: self.statistic, "lower": self.lower, "upper": self.upper}
        )

    def plot(
        self, path: str | Path | None = None, *, title: str | None = None, ax: Any = None
    ) -> Any:
        """Plot the observed function and its envelope: a PNG at ``path``, else on axes.

        Without ``path``, draws on ``ax`` (or a new pyplot figure) and returns the axes.
        """
        from clusteratlas.measures.pointpattern.plot import plot_curves

        names = {"kd": "Kd", "kd_weighted": "Kd (weighted)", "m": "M"}
        name = names.get(self.function, self.function)
        inside = f"{self.n_inside} of {self.n_simulations} simulations inside"
        return plot_curves(
            path, self.r, {name: self.statistic}, band=(self.lower, self.upper),
            band_label=f"{self.envelope} envelope, {inside} ({self.null})",
            reference=1.0 if self.function == "m" else None, ylabel=f"{name}(r)",
            title=title or f"{name} of industry {self.industry}, p = {self.pvalue:.3g}",
            ax=ax,
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


def _tail(pts: PointSet) -> tuple[bool, Window, str]:
    return pts.weighted, pts.window, pts.industry


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
        band, pvalue = make_band(envelope, obs, sim, alpha)
        lower[valid], upper[valid] = band.lower, band.upper
        description = band.description
        n_inside = curves_inside(sim, band.lower, band.upper)
    else:
        description, n_inside = f"{envelope}: no distance where every curve is finite", 0
    with np.errstate(invalid="ignore"):
        above = np.where(valid, np.maximum(observed - upper, 0.0), 0.0)
        below = np.where(valid, np.maximum(lower - observed, 0.0), 0.0)
    gamma = float(np.trapezoid(above, r))
    psi = float(np.trapezoid(below, r)) if gamma == 0 else 0.0
    return EnvelopeResult(
        function, r, observed, lower, upper, sims, pvalue, envelope, null, alpha,
        r[above > 0], r[below > 0], gamma, psi, industry, description, n_inside,
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
    progress: Progress | None = None, approx: bool = False, cell: float | None = None,
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
    envelope : {"global", "rank", "dbmss", "pointwise"}
        The band: Duranton and Overman's global band (at 99 or 199 simulations the min–max
        of all simulated curves, whose real level the result states), the global extreme
        rank length envelope (recommended: a proper global test with an exact p-value,
        Myllymäki et al. 2017), dbmss's ``GlobalEnvelope`` (same simulations in, same band
        out) or pointwise quantiles. See :mod:`clusteratlas.measures.pointpattern.bands`.
    alpha : float, default 0.05
        Level of the envelope.
    rng : None, int or numpy.random.Generator
        Randomness (SPEC 7); one child generator per simulation.
    n_jobs : int, default 1
        Threads running simulations (same results as ``n_jobs=1`` for the same ``rng``).
    progress : callable(done, total), optional
        Called after each simulation.
    approx : bool, default False
        Compute the observed and every simulated curve from gridded counts, as
        ``kd(..., approx=True)`` does: for industries of 100,000 firms and more, where 99
        exact curves take hours. The result states the cells and the largest error bound
        over all curves (``approximate``, ``cell``, ``error_bound``); compare that bound with
        the band's width before reading localised distances off it.
    cell : float, optional
        Side of the grid cells (metres) with ``approx=True``, the same for every curve;
        default the longer side of the extent of all sites (where the null draws the
        simulated firms) over 2,048.

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
    included among the :math:`s + 1` curves, whatever the band; ``band`` and ``n_inside``
    of the result say which band was drawn and how many simulated curves lie inside it.

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
    # One cell for every curve, over all sites: the null puts simulated firms anywhere there.
    size = resolve_cell(pts.x, pts.y, cell) if approx else None
    bounds: list[float] = []
    bandwidths: list[float] = []

    def one(sample: PointSet, parallel: bool) -> FloatArray:
        mask = sample.is_type
        ws = sample.w[mask] if sample.weighted else None
        bins: list[Any] = []
        plain, weighted, h = kd_values(
            sample.x[mask], sample.y[mask], ws, grid, rmax=top, bandwidth=bandwidth,
            parallel=parallel, cell=size, bins_out=bins,
        )  # fmt: skip
        if size is not None:
            bounds.append(approximation_bound(bins, grid, h, cell=size, rmax=top))
            bandwidths.append(h)
        return weighted if weighted is not None else plain

    observed = one(pts, True)
    observed_bandwidth = bandwidths[:1]
    sims = _run(one, pts, simulations=simulations, null=null, rng=rng, n_jobs=n_jobs,
                progress=progress)  # fmt: skip
    name = "kd_weighted" if pts.weighted else "kd"
    result = build_envelope(
        name, grid, observed, sims, envelope=envelope, alpha=alpha, null=null,
        industry=pts.industry,
    )  # fmt: skip
    if size is None:
        return result
    measured = sampled_error(xs, ys, grid, rmax=top, bandwidth=observed_bandwidth[0], cell=size)
    return replace(
        result, approximate=True, cell=size, error_bound=max(bounds), error_measured=measured
    )


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
