r"""Cluster footprints: where an industry concentrates, cut out of establishment points.

:func:`footprints` delineates the geographic concentrations of an industry (or of a
cluster category made of several industries) from establishment points with density-based
clustering, draws a polygon around each, and tests each against a random-location null
model; :func:`write_footprints` saves the result as GeoJSON or GeoParquet.

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

import json
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import (
    RngLike,
    as_rng,
    check_columns,
    check_in,
    check_interval,
    optional_import,
)
from clusteratlas._validation import suggest as _suggest
from clusteratlas.detect.footprints_null import (
    STATISTICS,
    Delineation,
    check_sites,
    check_weights,
    null_max_statistic,
)
from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.export import atomic_write

COLUMNS = (
    "footprint",
    "industry",
    "n_establishments",
    "employment",
    "share_of_industry_employment",
    "area_km2",
    "density",
    "pvalue",
    "significant",
)


def _focal_mask(points: pd.DataFrame, column: str, industry: Any) -> tuple[np.ndarray, str]:
    """Return the rows of the focal industries and a label for them; check every code."""
    several = isinstance(industry, list | tuple | set | frozenset | np.ndarray | pd.Index)
    codes = list(dict.fromkeys(industry)) if several else [industry]
    if not codes:
        raise ParameterError("The 'industry' parameter must name at least one industry code.")
    known = set(pd.unique(points[column].dropna()))
    unknown = [code for code in codes if code not in known]
    if unknown:
        hint = _suggest(str(unknown[0]), map(str, known))
        raise UnknownCodeError(
            f"Industry code(s) {', '.join(map(repr, unknown))} do not occur in column "
            f"{column!r}.{hint}"
        )
    return points[column].isin(codes).to_numpy(), "+".join(map(str, codes))


def footprints(
    points: pd.DataFrame,
    *,
    industry: Hashable | Sequence[Hashable],
    x: str = "x",
    y: str = "y",
    industry_column: str = "industry",
    weight: str | None = "weight",
    method: str = "hdbscan",
    min_cluster_size: int = 5,
    min_samples: float | None = None,
    eps: float | None = None,
    min_employment: float = 0.0,
    hull: str = "concave",
    concavity: float = 0.3,
    buffer: float = 50.0,
    statistic: str = "llr",
    simulations: int = 99,
    alpha: float = 0.05,
    rng: RngLike = None,
    crs: Any = None,
    n_jobs: int | None = 1,
) -> Any:
    r"""Delineate the geographic concentrations of an industry and test each one.

    The establishments of the focal ``industry`` are clustered (HDBSCAN [1]_ or DBSCAN
    [2]_); each cluster becomes a *footprint*, drawn as a hull around its establishments.
    Each footprint is tested against random location among all establishment sites [3]_,
    with a max-statistic (by default of Kulldorff's likelihood ratio [4]_) that controls the
    family-wise error across footprints.

    Parameters
    ----------
    points : pandas.DataFrame
        One row per establishment, of every industry (the other industries supply the sites
        of the null model). A GeoDataFrame is accepted; its ``crs`` is used when ``crs`` is
        None. Not modified.
    industry : hashable or sequence of hashable
        Focal industry code, or a list of codes forming a cluster category.
    x, y : str, default "x", "y"
        Columns of projected coordinates in metres.
    industry_column : str, default "industry"
        Column of industry codes.
    weight : str or None, default "weight"
        Column of employment; None counts every establishment as 1. Only the focal rows
        need a value, which must be non-negative.
    method : {"hdbscan", "dbscan"}, default "hdbscan"
        Clustering algorithm; see Notes for how employment enters each.
    min_cluster_size : int, default 5
        Fewest establishments in a footprint.
    min_samples : float, optional
        HDBSCAN: neighbours (establishments, an integer) that make a core point; None for
        ``min_cluster_size``. DBSCAN: *employment* within ``eps`` that makes a core point;
        None for ``min_cluster_size`` times the median focal employment.
    eps : float, optional
        DBSCAN neighbourhood radius in metres; required with ``method="dbscan"``.
    min_employment : float, default 0
        Footprints with less employment are dropped, in the data and in every simulation.
    hull : {"concave", "convex"}, default "concave"
        Footprint outline: ``shapely.concave_hull`` or the convex hull of its points.
    concavity : float, default 0.3
        ``ratio`` of ``shapely.concave_hull``, in [0, 1]: 1 gives the convex hull, smaller
        values hug the points more tightly.
    buffer : float, default 50
        Distance in metres the hull is grown by, so that footprints of one or two
        establishments (or collinear ones) are polygons; 0 leaves such hulls as points or
        lines, with zero area and a missing density.
    statistic : {"llr", "employment", "density"}, default "llr"
        Footprint statistic of the test; see Notes.
    simulations : int, default 99
        Number of null-model simulations; 0 skips the test (p-values are NaN).
    alpha : float, default 0.05
        Level at which ``significant`` is set.
    rng : None, int or numpy.random.Generator
        Source of randomness (SPEC 7).
    crs : optional
        CRS of ``x``/``y`` for the output (anything pyproj accepts); must be projected.
    n_jobs : int or None, default 1
        Workers for the simulations (joblib). Results do not depend on it.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per footprint, the largest first: ``footprint`` (1, 2, …), ``industry``
        (the code, or the codes joined by ``+``), ``n_establishments``, ``employment``,
        ``share_of_industry_employment``, ``area_km2``, ``density`` (employment per km²),
        ``pvalue``, ``significant`` and ``geometry``. ``attrs`` holds ``method``,
        ``parameters``, ``statistic``, ``null``, ``null_max`` (the largest statistic of
        each simulation) and ``members`` (footprint id → index labels of its establishments).

    Raises
    ------
    SchemaError
        A column is missing, a coordinate is not finite, or a focal weight is missing or
        negative (the message names the rows).
    UnknownCodeError
        An industry code does not occur in ``industry_column`` (with a suggestion).
    ParameterError
        Fewer than 2 focal establishments, coordinates that look like longitude/latitude or
        a geographic ``crs``, or a parameter out of range.
    MissingDependencyError
        geopandas/shapely (extra ``geo``) or scikit-learn (extra ``points``) is missing.

    Notes
    -----
    **Employment weighting.** DBSCAN takes employment as ``sample_weight``: a point is a core
    point when the employment within ``eps`` of it, its own included, reaches
    ``min_samples``, so a large plant weighs like many small ones. HDBSCAN (scikit-learn)
    has no sample weights: clusters are found from establishment *counts* only
    (``min_cluster_size`` establishments), and employment enters afterwards, through
    ``min_employment`` and the test statistic. Both methods then drop clusters with
    fewer than ``min_cluster_size`` establishments or less than ``min_employment``.

    **Null model.** Following Duranton & Overman [3]_, the focal establishments, with their
    employment, are relocated to sites drawn without replacement among the locations of
    *all* establishments (every industry, the focal one included), so the null keeps the
    overall geography of economic activity: a footprint is significant when the industry
    is more concentrated there than activity in general would put it by chance.

    **Statistic.** The same delineation (clustering, filters and hull) is re-run on each of
    the :math:`S` simulations and the largest footprint statistic :math:`M_s` is recorded
    (0 when no footprint is found). Footprint :math:`k`, of statistic :math:`T_k`, gets

    .. math:: p_k = \frac{1 + \#\{s : M_s \ge T_k\}}{S + 1}.

    Comparing every footprint with the null distribution of the *maximum* is a single-step
    max-statistic test: under the null the chance that *any* footprint is called
    significant is at most ``alpha``, so the family-wise error is controlled whatever the
    number of footprints, and the smallest attainable p-value is :math:`1/(S+1)`. Since
    the statistic is computed on the delineation's output, re-running the delineation
    accounts for the footprints having been chosen from the data; counting the employment
    inside the observed polygons in the simulations would not, and would be
    anti-conservative. The test is conservative for all but the most extreme footprint.

    ``statistic="llr"`` (default) is Kulldorff's [4]_ Poisson log-likelihood ratio of the
    footprint's employment :math:`E_k` against :math:`\mu_k = W n_k / N`, the focal
    employment it would hold on average under the null (:math:`W` the industry's total,
    :math:`n_k` the sites of all industries inside the polygon, :math:`N` all sites):
    :math:`T_k = E_k \ln(E_k/\mu_k) + (W-E_k)\ln\frac{W-E_k}{W-\mu_k}` when
    :math:`E_k > \mu_k`, else 0. It weighs size and excess together and is read against the
    same sites as the null, so it suits both methods. ``"employment"`` (:math:`E_k`) has
    power with DBSCAN, whose fixed ``eps`` sets an absolute scale, but little with HDBSCAN,
    which finds clusters relative to the local density and so returns large footprints on
    relocated points too. ``"density"`` (:math:`E_k/A_k` per km²) favours small, tight
    footprints, which random relocation onto dense sites can also produce.

    **Limits.** A footprint is significant when the industry is more concentrated there
    than *all* establishments are; an industry spread evenly while the other industries
    cluster can therefore show "footprints" in the gaps between them. scikit-learn's
    HDBSCAN never returns the whole point set as one cluster, so an industry made of a
    single concentration and little else may yield no footprint or a split one: use
    ``method="dbscan"`` there.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> clusters = [rng.normal(c, 100, size=(30, 2)) for c in ([2000, 2000], [7000, 6000])]
    >>> sites = rng.uniform(0, 10_000, size=(300, 2))
    >>> points = pd.DataFrame(np.vstack([*clusters, sites]), columns=["x", "y"])
    >>> points["industry"] = ["A"] * 60 + ["B"] * 300
    >>> found = footprints(points, industry="A", weight=None, simulations=19, rng=1)
    >>> found[["footprint", "n_establishments", "significant"]].to_numpy().tolist()
    [[1, 30, True], [2, 30, True]]
    """
    gpd = optional_import("geopandas", extra="geo")
    for name, value in (("min_cluster_size", min_cluster_size), ("simulations", simulations)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool):
            raise TypeError(
                f"The {name!r} parameter must be an int. Got {type(value).__name__} instead."
            )
    check_in(method, ("hdbscan", "dbscan"), name="method")
    check_in(hull, ("concave", "convex"), name="hull")
    check_in(statistic, STATISTICS, name="statistic")
    check_interval(min_cluster_size, name="min_cluster_size", low=2 if method == "hdbscan" else 1)
    check_interval(concavity, name="concavity", low=0, high=1)
    check_interval(buffer, name="buffer", low=0)
    check_interval(simulations, name="simulations", low=0)
    check_interval(alpha, name="alpha", low=0, high=1, closed="neither")
    check_interval(min_employment, name="min_employment", low=0)
    if min_samples is not None:
        check_interval(min_samples, name="min_samples", low=1)
    if method == "dbscan":
        if eps is None:
            raise ParameterError("The 'eps' parameter (metres) is required with method='dbscan'.")
        check_interval(eps, name="eps", low=0, closed="neither")
    generator = as_rng(rng)
    check_columns(
        points, [x, y, industry_column, *([] if weight is None else [weight])], what="points"
    )
    if crs is None and isinstance(points, gpd.GeoDataFrame):
        crs = points.crs
    mask, label = _focal_mask(points, industry_column, industry)
    if mask.sum() < 2:
        raise ParameterError(
            f"Industry {label!r} has {int(mask.sum())} establishment(s); footprints need at least 2."
        )
    sites = check_sites(points, x, y, crs)
    focal = points.loc[mask]
    xy, weights = sites[mask], check_weights(focal, weight)
    if method == "dbscan" and min_samples is None:
        min_samples = min_cluster_size * float(np.median(weights))
    delineation = Delineation(
        method, int(min_cluster_size), min_samples, eps, min_employment, hull, concavity, buffer
    )

    found = delineation.footprints(xy, weights, sites)
    null = null_max_statistic(
        delineation,
        sites=sites,
        weights=weights,
        statistic=statistic,
        simulations=int(simulations),
        rng=generator,
        n_jobs=n_jobs,
    )
    total = float(weights.sum())
    rows: list[dict[str, Any]] = []
    members: dict[int, list[Any]] = {}
    for k, footprint in enumerate(found, start=1):
        observed = footprint.statistic(statistic)
        pvalue = (1 + int((null >= observed).sum())) / (len(null) + 1)
        if not len(null) or not np.isfinite(observed):
            pvalue = np.nan
        rows.append(
            {
                "footprint": k,
                "industry": label,
                "n_establishments": len(footprint.members),
                "employment": footprint.employment,
                "share_of_industry_employment": footprint.employment / total
                if total > 0
                else np.nan,
                "area_km2": footprint.area_km2,
                "density": footprint.statistic("density"),
                "pvalue": pvalue,
                "significant": bool(pvalue <= alpha),
            }
        )
        members[k] = focal.index[footprint.members].tolist()
    shapes = [footprint.polygon for footprint in found]
    table = pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {"footprint": "int64", "n_establishments": "int64", "significant": "bool"}
    )
    result = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(shapes, crs=crs), crs=crs)
    result.attrs = {
        "method": method,
        "parameters": {
            "industry": label,
            "min_cluster_size": int(min_cluster_size),
            "min_samples": None if min_samples is None else float(min_samples),
            "eps": None if eps is None else float(eps),
            "min_employment": float(min_employment),
            "hull": hull,
            "concavity": float(concavity),
            "buffer": float(buffer),
            "statistic": statistic,
            "simulations": int(simulations),
            "alpha": float(alpha),
            "weighted_by": weight,
        },
        "statistic": f"largest footprint {statistic} over the simulations (max-statistic)",
        "null": "random location among all establishment sites (Duranton & Overman 2005)",
        "null_max": null.tolist(),
        "members": members,
    }
    return result


def write_footprints(frame: Any, path: str | Path) -> Path:
    """Write footprints to GeoJSON (EPSG:4326) or GeoParquet (CRS kept), atomically.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Output of :func:`footprints`.
    path : str or pathlib.Path
        Target file; ``.geojson``/``.json`` writes GeoJSON (reprojected to EPSG:4326, as
        RFC 7946 requires, with the method and parameters in a top-level ``clusteratlas``
        member), ``.parquet``/``.geoparquet``/``.pq`` writes GeoParquet with its CRS.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        Unknown suffix, or GeoJSON asked for a frame without a CRS.
    OutputError
        The file cannot be written; an older file at ``path`` is left as it was.
    """
    optional_import("geopandas", extra="geo")
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".geoparquet", ".pq"):
        optional_import("pyarrow", extra="all")
        return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False), what="footprints")
    if suffix not in (".geojson", ".json"):
        raise ParameterError(
            f"Cannot tell the output format of {str(path)!r}: use a .geojson or .parquet file."
        )
    if frame.crs is None:
        raise ParameterError(
            "GeoJSON is written in EPSG:4326 but the footprints have no CRS; pass crs= to "
            "footprints() or set one with frame.set_crs(...)."
        )
    document = json.loads(frame.to_crs(4326).to_json(na="null", drop_id=True))
    document["clusteratlas"] = {
        key: frame.attrs[key]
        for key in ("method", "parameters", "statistic", "null")
        if key in frame.attrs
    }
    text = json.dumps(document)
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), what="footprints")


__all__ = ["footprints", "write_footprints"]
