r"""Delineation of establishment clusters and its random-location null model.

This module holds the machinery behind :func:`clusteratlas.detect.footprints.footprints`:
:func:`check_sites` and :func:`check_weights` vet the points the model runs on,
:class:`Delineation` turns establishment points into footprints (HDBSCAN or DBSCAN, with
the same filters and hull on every run), and :func:`null_max_statistic` re-runs that
delineation on relocated establishments to build the null distribution of the largest
footprint statistic (Duranton & Overman, 2005).

References
----------
.. [1] Campello, R. J. G. B., Moulavi, D. & Sander, J. (2013). Density-based clustering
   based on hierarchical density estimates. *PAKDD 2013*, LNCS 7819, 160-172.
.. [2] Ester, M., Kriegel, H.-P., Sander, J. & Xu, X. (1996). A density-based algorithm for
   discovering clusters in large spatial databases with noise. *KDD-96*, 226-231.
.. [3] Duranton, G. & Overman, H. G. (2005). Testing for localization using micro-geographic
   data. *Review of Economic Studies*, 72(4), 1077-1106.
.. [4] Kulldorff, M. (1997). A spatial scan statistic. *Communications in Statistics -
   Theory and Methods*, 26(6), 1481-1496.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import optional_import
from clusteratlas.errors import ParameterError, SchemaError

_PROJECT = "project them first, e.g. gdf.to_crs(gdf.estimate_utm_crs())"


def rows_named(index: pd.Index, mask: np.ndarray) -> str:
    """Return up to five row labels of ``index`` where ``mask`` holds, for messages."""
    bad = index[mask]
    return ", ".join(map(repr, bad[:5].tolist())) + (" …" if len(bad) > 5 else "")


def check_sites(points: pd.DataFrame, x: str, y: str, crs: Any) -> np.ndarray:
    """Return the (n, 2) coordinates in metres, refusing non-finite or lon/lat values."""
    try:
        xy = points[[x, y]].to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise SchemaError(f"Columns {x!r} and {y!r} must be numeric coordinates.") from err
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        raise SchemaError(
            f"Coordinates {x!r}/{y!r} are missing or not finite at row(s) {rows_named(points.index, bad)}."
        )
    if crs is not None:
        pyproj = optional_import("pyproj", extra="geo")
        if pyproj.CRS.from_user_input(crs).is_geographic:
            raise ParameterError(
                f"The 'crs' parameter is geographic ({crs!r}); footprints need coordinates in "
                f"metres: {_PROJECT}."
            )
    if (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all():
        raise ParameterError(
            f"Coordinates {x!r}/{y!r} all lie within [-180, 180] x [-90, 90]: they look like "
            f"longitude/latitude, but footprints need projected coordinates in metres; {_PROJECT}."
        )
    if crs is not None:
        check_area_of_use(xy, crs, index=points.index)
    return xy


def check_area_of_use(xy: np.ndarray, crs: Any, *, index: Any = None, margin: float = 0.1) -> None:
    """Refuse points lying far outside the area of use of the CRS they are said to be in.

    The CRS's area of use (longitude/latitude bounds from the EPSG database) is projected
    into the CRS and widened by ``margin`` times its extent; a point outside it means the
    coordinates are in another CRS (footprints would be drawn in the wrong place, e.g. in
    the Atlantic). A CRS without an area of use is not checked.

    Raises
    ------
    ParameterError
        Naming the ``'crs'`` parameter, the area of use and the first rows at fault.
    """
    pyproj = optional_import("pyproj", extra="geo")
    target = pyproj.CRS.from_user_input(crs)
    area = target.area_of_use
    if area is None or target.is_geographic:
        return
    transformer = pyproj.Transformer.from_crs("EPSG:4326", target, always_xy=True)
    xmin, ymin, xmax, ymax = transformer.transform_bounds(
        area.west, area.south, area.east, area.north, densify_pts=21
    )
    if not np.all(np.isfinite([xmin, ymin, xmax, ymax])):
        return
    pad = margin * max(xmax - xmin, ymax - ymin)
    outside = (
        (xy[:, 0] < xmin - pad)
        | (xy[:, 0] > xmax + pad)
        | (xy[:, 1] < ymin - pad)
        | (xy[:, 1] > ymax + pad)
    )
    if outside.any():
        rows = rows_named(pd.Index(index if index is not None else range(len(xy))), outside)
        first = xy[outside][0]
        raise ParameterError(
            f"The 'crs' parameter says the points are in {crs} ({target.name}, area of use: "
            f"{area.name}, x {xmin:,.0f} to {xmax:,.0f}, y {ymin:,.0f} to {ymax:,.0f}), but "
            f"{int(outside.sum()):,} of {len(xy):,} points lie far outside it (row(s) {rows}; "
            f"e.g. x={first[0]:,.0f}, y={first[1]:,.0f}): give the CRS the coordinates are in."
        )


def check_weights(focal: pd.DataFrame, weight: str | None) -> np.ndarray:
    """Return the focal establishments' employment; 1 each when ``weight`` is None."""
    if weight is None:
        return np.ones(len(focal))
    values = pd.to_numeric(focal[weight], errors="coerce").to_numpy(dtype=float)
    for problem, mask in (
        ("missing or not numeric", ~np.isfinite(values)),
        ("negative", values < 0),
    ):
        if mask.any():
            raise SchemaError(
                f"Weight column {weight!r} is {problem} for {int(mask.sum())} establishment(s) "
                f"of the focal industry, at row(s) {rows_named(focal.index, mask)}."
            )
    return values


@dataclass(frozen=True)
class Footprint:
    """One footprint: its points, employment, polygon, area and expected employment.

    ``expected`` is the focal employment the polygon would hold on average under random
    location among all sites: total focal employment times the share of sites it covers.
    """

    members: np.ndarray
    employment: float
    polygon: Any
    area_km2: float
    expected: float
    total: float

    def statistic(self, name: str) -> float:
        r"""Return the test statistic ``name`` of this footprint.

        ``"llr"``: Kulldorff's Poisson log-likelihood ratio, with :math:`E` the footprint's
        employment, :math:`\mu` its expected employment and :math:`W` the total,
        :math:`E \ln(E/\mu) + (W-E)\ln\frac{W-E}{W-\mu}` when :math:`E > \mu`, else 0.
        ``"employment"``: :math:`E`. ``"density"``: :math:`E` per km² (NaN without area).
        """
        if name == "employment":
            return self.employment
        if name == "density":
            return self.employment / self.area_km2 if self.area_km2 > 0 else np.nan
        e, mu, w = self.employment, self.expected, self.total
        if not e > mu > 0:
            return 0.0
        outside = (w - e) * np.log((w - e) / (w - mu)) if w > e else 0.0
        return float(e * np.log(e / mu) + outside)


@dataclass(frozen=True)
class Delineation:
    """How footprints are cut out of establishment points; the same on every null run.

    Attributes
    ----------
    method : {"hdbscan", "dbscan"}
        Clustering algorithm.
    min_cluster_size : int
        Fewest establishments in a footprint (HDBSCAN's own parameter; a post-filter for
        DBSCAN).
    min_samples : float or None
        HDBSCAN: neighbours (establishments) that make a core point, ``None`` for
        ``min_cluster_size``. DBSCAN: employment within ``eps`` (the point's own included)
        that makes a core point; the caller resolves ``None`` before building this object.
    eps : float or None
        DBSCAN neighbourhood radius in metres (unused by HDBSCAN).
    min_employment : float
        Clusters with less employment are dropped (both methods).
    hull, concavity, buffer
        Outline: ``"concave"`` (``shapely.concave_hull`` with ``ratio=concavity``) or
        ``"convex"``, grown by ``buffer`` metres.
    """

    method: str
    min_cluster_size: int
    min_samples: float | None
    eps: float | None
    min_employment: float
    hull: str = "concave"
    concavity: float = 0.3
    buffer: float = 50.0

    def labels(self, xy: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Return one label per point: ``0 .. k-1`` for footprints, ``-1`` for none.

        Footprints are numbered by decreasing employment (ties: more establishments
        first, then the footprint holding the earliest point).
        """
        raw = self._raw_labels(xy, weights)
        out = np.full(len(xy), -1, dtype=np.int64)
        kept: list[tuple[float, int, int, int]] = []
        for label in np.unique(raw[raw >= 0]):
            where = np.flatnonzero(raw == label)
            employment = float(weights[where].sum())
            if len(where) >= self.min_cluster_size and employment >= self.min_employment:
                kept.append((-employment, -len(where), int(where[0]), int(label)))
        for new, (*_, label) in enumerate(sorted(kept)):
            out[raw == label] = new
        return out

    def footprints(self, xy: np.ndarray, weights: np.ndarray, sites: np.ndarray) -> list[Footprint]:
        """Return the footprints of the points ``xy`` among ``sites``, largest employment first."""
        shapely = optional_import("shapely", extra="geo")
        labels = self.labels(xy, weights)
        total = float(weights.sum())
        out = []
        for k in range(int(labels.max()) + 1):
            where = np.flatnonzero(labels == k)
            shape = self.polygon(xy[where])
            covered = int(shapely.intersects_xy(shape, sites[:, 0], sites[:, 1]).sum())
            expected = total * covered / len(sites)
            employment = float(weights[where].sum())
            out.append(Footprint(where, employment, shape, shape.area / 1e6, expected, total))
        return out

    def polygon(self, xy: np.ndarray) -> Any:
        """Return the hull of ``xy`` grown by ``buffer`` metres."""
        shapely = optional_import("shapely", extra="geo")
        cloud = shapely.multipoints(xy)
        shape = (
            shapely.concave_hull(cloud, ratio=self.concavity, allow_holes=False)
            if self.hull == "concave"
            else shapely.convex_hull(cloud)
        )
        return shape.buffer(self.buffer) if self.buffer > 0 else shape

    def _raw_labels(self, xy: np.ndarray, weights: np.ndarray) -> np.ndarray:
        cluster = optional_import("sklearn.cluster", extra="points")
        n = len(xy)
        if self.method == "dbscan":
            model = cluster.DBSCAN(
                eps=self.eps, min_samples=max(1, math.ceil(self.min_samples or 1))
            )
            return np.asarray(model.fit(xy, sample_weight=weights).labels_)
        min_samples = self.min_cluster_size if self.min_samples is None else int(self.min_samples)
        if n < max(self.min_cluster_size, min_samples, 2):
            return np.full(n, -1, dtype=np.int64)
        options: dict[str, Any] = {"min_cluster_size": self.min_cluster_size}
        if self.min_samples is not None:
            options["min_samples"] = min_samples
        if "copy" in cluster.HDBSCAN().get_params():
            options["copy"] = True  # scikit-learn >= 1.8 warns unless it is given
        return np.asarray(cluster.HDBSCAN(**options).fit(xy).labels_)


STATISTICS = ("llr", "employment", "density")


def largest_statistic(footprints: list[Footprint], statistic: str) -> float:
    """Return the largest finite ``statistic`` among ``footprints``, 0 when there is none."""
    values = [f.statistic(statistic) for f in footprints]
    finite = [v for v in values if np.isfinite(v)]
    return max(finite) if finite else 0.0


def _one_simulation(
    delineation: Delineation,
    sites: np.ndarray,
    weights: np.ndarray,
    chosen: np.ndarray,
    statistic: str,
) -> float:
    return largest_statistic(delineation.footprints(sites[chosen], weights, sites), statistic)


def null_max_statistic(
    delineation: Delineation,
    *,
    sites: np.ndarray,
    weights: np.ndarray,
    statistic: str,
    simulations: int,
    rng: np.random.Generator,
    n_jobs: int | None = 1,
) -> np.ndarray:
    r"""Simulate the largest footprint statistic under random location among all sites.

    Each simulation draws ``len(weights)`` sites without replacement among ``sites`` (the
    locations of *all* establishments, every industry included), gives them the focal
    industry's weights in their original order and re-runs ``delineation``; it records the
    largest ``statistic`` among the footprints found (0 when none is).

    Parameters
    ----------
    delineation : Delineation
        The delineation used on the observed points.
    sites : numpy.ndarray of shape (n_sites, 2)
        Candidate locations, in metres.
    weights : numpy.ndarray of shape (n,)
        The focal establishments' employment, ``n <= n_sites``.
    statistic : {"llr", "employment", "density"}
        Footprint statistic (see :meth:`Footprint.statistic`).
    simulations : int
        Number of simulations.
    rng : numpy.random.Generator
        Source of the draws; every draw is made here, before any work is farmed out, so the
        result does not depend on ``n_jobs``.
    n_jobs : int or None, default 1
        Parallel workers (joblib); ``None`` or 1 runs in this process.

    Returns
    -------
    numpy.ndarray of shape (simulations,)
        :math:`M_s = \max_j T_{s,j}` for each simulation :math:`s`.
    """
    draws = [rng.choice(len(sites), size=len(weights), replace=False) for _ in range(simulations)]
    if n_jobs in (None, 1) or simulations < 2:
        values = [_one_simulation(delineation, sites, weights, d, statistic) for d in draws]
    else:
        joblib = optional_import("joblib", extra="points")
        values = joblib.Parallel(n_jobs=n_jobs)(
            joblib.delayed(_one_simulation)(delineation, sites, weights, d, statistic)
            for d in draws
        )
    return np.asarray(values, dtype=float)


__all__ = [
    "STATISTICS",
    "Delineation",
    "Footprint",
    "largest_statistic",
    "null_max_statistic",
]
