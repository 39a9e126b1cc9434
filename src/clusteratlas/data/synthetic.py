r"""Seeded synthetic point processes and establishment tables for tests, docs and benchmarks.

Windows are rectangles ``(xmin, ymin, xmax, ymax)`` in projected metres. Every function
takes ``rng`` as in SPEC 7 (``None``, an int seed or a :class:`numpy.random.Generator`), so
a fixed seed gives the same points on every platform that numpy supports.

References
----------
.. [1] Thomas, M. (1949). A generalization of Poisson's binomial limit for use in ecology.
   Biometrika, 36(1/2), 18-25.
.. [2] Matérn, B. (1960). Spatial variation. Meddelanden från Statens Skogsforskningsinstitut
   49(5).
.. [3] Illian, J., Penttinen, A., Stoyan, H., & Stoyan, D. (2008). Statistical Analysis and
   Modelling of Spatial Point Patterns. Wiley, section 6.3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import RngLike, as_rng, check_in, check_interval
from clusteratlas.data.establishments import validate_establishments
from clusteratlas.errors import ParameterError

Window = tuple[float, float, float, float]
PROCESSES: tuple[str, ...] = ("csr", "thomas", "matern")


def _window(window: Sequence[float]) -> Window:
    values = tuple(float(v) for v in window)
    if len(values) != 4 or not (values[0] < values[2] and values[1] < values[3]):
        raise ParameterError(
            "The 'window' parameter must be (xmin, ymin, xmax, ymax) with xmin < xmax and "
            f"ymin < ymax. Got {tuple(window)!r} instead."
        )
    return values[0], values[1], values[2], values[3]


def _uniform(n: int, window: Window, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = window
    return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])


def _inside(points: np.ndarray, window: Window) -> np.ndarray:
    xmin, ymin, xmax, ymax = window
    keep = (
        (points[:, 0] >= xmin)
        & (points[:, 0] <= xmax)
        & (points[:, 1] >= ymin)
        & (points[:, 1] <= ymax)
    )
    return points[keep]


def csr(n: int, *, window: Any, rng: RngLike = None) -> np.ndarray:
    """Draw ``n`` points under complete spatial randomness (a binomial process).

    Parameters
    ----------
    n : int
        Number of points, at least 0.
    window : (xmin, ymin, xmax, ymax), shapely Polygon/MultiPolygon or GeoSeries
        The rectangle, or a polygon: points are drawn in its bounding box and those outside
        rejected (:meth:`clusteratlas.measures.pointpattern.Window.sample`).
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``: x and y.

    Examples
    --------
    >>> csr(3, window=(0, 0, 1000, 1000), rng=1).shape
    (3, 2)
    """
    check_interval(n, name="n", low=0)
    if type(window).__module__.startswith(("shapely", "geopandas")):
        from clusteratlas.measures.pointpattern.windows import as_window

        return as_window(window, np.zeros(1), np.zeros(1)).sample(int(n), rng=as_rng(rng))
    return _uniform(int(n), _window(window), as_rng(rng))


def _parents(
    parents_intensity: float | None,
    n_parents: int | None,
    window: Window,
    margin: float,
    rng: np.random.Generator,
) -> np.ndarray:
    if (parents_intensity is None) == (n_parents is None):
        raise ParameterError(
            "Give exactly one of the 'parents_intensity' and 'n_parents' parameters. "
            f"Got parents_intensity={parents_intensity!r}, n_parents={n_parents!r}."
        )
    if n_parents is not None:
        check_interval(n_parents, name="n_parents", low=0)
        return _uniform(int(n_parents), window, rng)
    assert parents_intensity is not None
    check_interval(parents_intensity, name="parents_intensity", low=0)
    xmin, ymin, xmax, ymax = window
    grown = (xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    area = (grown[2] - grown[0]) * (grown[3] - grown[1])
    return _uniform(int(rng.poisson(parents_intensity * area)), grown, rng)


def _children(
    parents: np.ndarray, mean_children: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    check_interval(mean_children, name="mean_children", low=0)
    counts = rng.poisson(mean_children, len(parents))
    return np.repeat(parents, counts, axis=0), counts


def thomas(
    *,
    parents_intensity: float | None = None,
    n_parents: int | None = None,
    mean_children: float,
    sigma: float,
    window: Sequence[float],
    rng: RngLike = None,
) -> np.ndarray:
    r"""Draw a Thomas cluster process: Poisson parents, Gaussian-scattered Poisson children.

    Parameters
    ----------
    parents_intensity : float, optional
        Parents per square metre; parents are drawn in the window grown by 4σ so that the
        process is stationary inside it (as ``spatstat``'s ``rThomas``).
    n_parents : int, optional
        Exactly this many parents, uniform in the window (fewer children near the edges).
    mean_children : float
        Mean of the Poisson number of children of each parent.
    sigma : float
        Standard deviation (metres) of each child's displacement along each axis.
    window : (xmin, ymin, xmax, ymax)
        The rectangle; children outside it are dropped.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``. The intensity is :math:`\kappa\mu` and Ripley's K is
        :math:`\pi r^2 + (1 - e^{-r^2/4\sigma^2})/\kappa`.
    """
    check_interval(sigma, name="sigma", low=0, closed="neither")
    box = _window(window)
    gen = as_rng(rng)
    parents = _parents(parents_intensity, n_parents, box, 4.0 * sigma, gen)
    centres, _ = _children(parents, mean_children, gen)
    return _inside(centres + gen.normal(0.0, sigma, centres.shape), box)


def matern(
    *,
    parents_intensity: float | None = None,
    n_parents: int | None = None,
    mean_children: float,
    radius: float,
    window: Sequence[float],
    rng: RngLike = None,
) -> np.ndarray:
    """Draw a Matérn cluster process: Poisson children uniform in a disc around each parent.

    Parameters are those of :func:`thomas`, with ``radius`` (metres) the radius of the
    discs instead of ``sigma``; with ``parents_intensity`` the window is grown by ``radius``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``.
    """
    check_interval(radius, name="radius", low=0, closed="neither")
    box = _window(window)
    gen = as_rng(rng)
    parents = _parents(parents_intensity, n_parents, box, radius, gen)
    centres, _ = _children(parents, mean_children, gen)
    distance = radius * np.sqrt(gen.uniform(0.0, 1.0, len(centres)))
    angle = gen.uniform(0.0, 2.0 * np.pi, len(centres))
    offsets = np.column_stack([distance * np.cos(angle), distance * np.sin(angle)])
    return _inside(centres + offsets, box)


def _draw(spec: Mapping[str, Any], window: Window, rng: np.random.Generator) -> np.ndarray:
    options = dict(spec)
    process = options.pop("process", "csr")
    check_in(process, PROCESSES, name="process")
    for key in ("size_mean_log", "size_sigma_log"):
        options.pop(key, None)
    try:
        if process == "csr":
            return csr(options.pop("n"), window=window, rng=rng, **options)
        function = thomas if process == "thomas" else matern
        return function(window=window, rng=rng, **options)
    except (TypeError, KeyError) as err:
        raise ParameterError(
            f"Bad specification {dict(spec)!r} of a {process} industry: {err}"
        ) from err


def synthetic_establishments(
    *,
    window: Sequence[float] = (0.0, 0.0, 10_000.0, 10_000.0),
    industries: Mapping[str, Mapping[str, Any]],
    grid: tuple[int, int] = (8, 8),
    size_mean_log: float = 1.0,
    size_sigma_log: float = 1.0,
    rng: RngLike = None,
) -> pd.DataFrame:
    """Build a canonical establishments table of industries with known clustering.

    Parameters
    ----------
    window : (xmin, ymin, xmax, ymax), default (0, 0, 10000, 10000)
        The study area in projected metres.
    industries : mapping of str to mapping
        Industry code → specification: ``{"process": "csr", "n": 200}``,
        ``{"process": "thomas", "n_parents": 5, "mean_children": 40, "sigma": 300}`` or
        ``{"process": "matern", "n_parents": 5, "mean_children": 40, "radius": 500}``
        (the keywords of :func:`csr`, :func:`thomas`, :func:`matern`); optional
        ``size_mean_log`` and ``size_sigma_log`` override the size distribution.
    grid : (int, int), default (8, 8)
        Columns and rows of the regular grid of ``cell`` regions; ``block`` regions group
        2 × 2 cells, so region-based indices can run at two levels.
    size_mean_log, size_sigma_log : float, default 1.0
        Employees are ``max(1, round(LogNormal(size_mean_log, size_sigma_log)))``.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        Canonical establishments: ``id`` (``"<industry>-<k>"``), ``industry``, ``weight``,
        ``size_band`` (empty), ``x``, ``y``, and regions ``cell`` (``"c<col>r<row>"``) and
        ``block`` (``"b<col>r<row>"``); ``attrs["crs"]`` is unset (the window is abstract).

    Examples
    --------
    >>> frame = synthetic_establishments(
    ...     industries={"a": {"process": "csr", "n": 5}}, grid=(2, 2), rng=0
    ... )
    >>> len(frame), sorted(frame.columns)[:3]
    (5, ['block', 'cell', 'id'])
    """
    box = _window(window)
    gen = as_rng(rng)
    columns, rows = (int(v) for v in grid)
    if columns < 1 or rows < 1:
        raise ParameterError(f"The 'grid' parameter must be two ints >= 1. Got {grid!r} instead.")
    parts = []
    for code, spec in industries.items():
        points = _draw(spec, box, gen)
        mean_log = float(spec.get("size_mean_log", size_mean_log))
        sigma_log = float(spec.get("size_sigma_log", size_sigma_log))
        sizes = np.maximum(1.0, np.rint(gen.lognormal(mean_log, sigma_log, len(points))))
        parts.append(
            pd.DataFrame(
                {
                    "id": [f"{code}-{k}" for k in range(len(points))],
                    "industry": str(code),
                    "weight": sizes,
                    "x": points[:, 0],
                    "y": points[:, 1],
                }
            )
        )
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["id", "industry", "weight", "x", "y"])
    )
    col = np.clip((frame["x"] - box[0]) / (box[2] - box[0]) * columns, 0, columns - 1).astype(int)
    row = np.clip((frame["y"] - box[1]) / (box[3] - box[1]) * rows, 0, rows - 1).astype(int)
    frame["cell"] = "c" + col.astype(str) + "r" + row.astype(str)
    frame["block"] = "b" + (col // 2).astype(str) + "r" + (row // 2).astype(str)
    return validate_establishments(frame, origin="synthetic establishments", check_lonlat=False)


__all__ = ["PROCESSES", "csr", "matern", "synthetic_establishments", "thomas"]
