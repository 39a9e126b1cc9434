"""Observation windows of point patterns: rectangles and polygons (Shapely, GeoPandas).

A window bounds the region where firms could have located. It sets the default distances
(rmax of Kd, the r of M and of Ripley's K: from its diameter, as dbmss and spatstat), the
area of Ripley's K and its edge correction, and where complete-spatial-randomness draws
fall. Random-location nulls (firms moved among all sites) do not depend on it.

A window is given as ``(xmin, ymin, xmax, ymax)``, a Shapely ``Polygon``/``MultiPolygon``
or a GeoPandas ``GeoSeries``/``GeoDataFrame`` (the union of its geometries), in the
projected CRS (metres) of the points. Shapely is needed for polygons only
(``pip install "clusteratlas[geo]"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import as_rng, optional_import
from clusteratlas.errors import ParameterError, SchemaError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Bounds = tuple[float, float, float, float]
#: Points closer to a polygon than this share of its extent count as on its boundary.
BOUNDARY_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Window:
    """A rectangular or polygonal window, in projected metres.

    Attributes
    ----------
    bounds : (xmin, ymin, xmax, ymax)
        The enclosing rectangle (the window itself when ``polygon`` is None).
    polygon : shapely Polygon or MultiPolygon, optional
        The polygonal window; None for a rectangle.
    crs : pyproj.CRS, optional
        The CRS the window came with (a GeoSeries or GeoDataFrame), for messages.
    """

    bounds: Bounds
    polygon: Any = None
    crs: Any = None

    @property
    def is_rectangle(self) -> bool:
        """Whether the window is the rectangle ``bounds``."""
        return self.polygon is None

    @property
    def area(self) -> float:
        """Area of the window (square metres)."""
        if self.polygon is not None:
            return float(self.polygon.area)
        xmin, ymin, xmax, ymax = self.bounds
        return (xmax - xmin) * (ymax - ymin)

    @property
    def diameter(self) -> float:
        """Largest distance between two points of the window (spatstat's ``diameter.owin``).

        The largest distance between two vertices of its convex hull: the diagonal of a
        rectangle; for a polygon, not the diagonal of its bounding box.
        """
        xmin, ymin, xmax, ymax = self.bounds
        if self.polygon is None:
            return float(np.hypot(xmax - xmin, ymax - ymin))
        hull = np.asarray(self.polygon.convex_hull.exterior.coords)[:-1]
        best = 0.0
        for start in range(0, len(hull), 512):
            block = hull[start : start + 512]
            d2 = ((block[:, None, :] - hull[None, :, :]) ** 2).sum(axis=2)
            best = max(best, float(d2.max()))
        return float(np.sqrt(best))

    def contains(self, x: FloatArray, y: FloatArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Whether each point lies in the window (its boundary included, as spatstat)."""
        xmin, ymin, xmax, ymax = self.bounds
        inside = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
        if self.polygon is not None and inside.any():
            shapely = optional_import("shapely", extra="geo")
            inside[inside] = shapely.intersects_xy(self.polygon, x[inside], y[inside])
            # A point on an edge may fall a rounding error outside (paracou16's tree at
            # (480, 88) is 1.7e-15 m off its edge): within 1e-9 of the extent is on it.
            near = np.flatnonzero(~inside & (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
            if len(near):
                gap = shapely.distance(self.polygon, shapely.points(x[near], y[near]))
                inside[near] = gap <= BOUNDARY_TOLERANCE * max(xmax - xmin, ymax - ymin)
        return inside

    def boundary_distance(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Distance from each point to the window's boundary (metres)."""
        if self.polygon is None:
            xmin, ymin, xmax, ymax = self.bounds
            return np.minimum.reduce([x - xmin, xmax - x, y - ymin, ymax - y])
        shapely = optional_import("shapely", extra="geo")
        result: FloatArray = shapely.distance(self.polygon.boundary, shapely.points(x, y))
        return result

    def edges(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Segments of every ring of the polygon (exteriors and holes): x0, y0, x1, y1."""
        shapely = optional_import("shapely", extra="geo")
        geometry = self.polygon if self.polygon is not None else shapely.box(*self.bounds)
        rings = shapely.get_rings(shapely.get_parts(geometry))
        starts, ends = [], []
        for ring in rings:
            coords = np.asarray(ring.coords)
            starts.append(coords[:-1])
            ends.append(coords[1:])
        a, b = np.vstack(starts), np.vstack(ends)
        return (
            np.ascontiguousarray(a[:, 0]),
            np.ascontiguousarray(a[:, 1]),
            np.ascontiguousarray(b[:, 0]),
            np.ascontiguousarray(b[:, 1]),
        )

    def sample(self, n: int, *, rng: Any = None) -> FloatArray:
        """Draw ``n`` points uniformly in the window (complete spatial randomness).

        Points are drawn in the enclosing rectangle and those outside the polygon rejected,
        in batches sized by the share of the rectangle the polygon covers.

        Returns
        -------
        ndarray of shape (n, 2)
        """
        generator = as_rng(rng)
        xmin, ymin, xmax, ymax = self.bounds
        share = self.area / ((xmax - xmin) * (ymax - ymin))
        kept: list[FloatArray] = []
        missing = int(n)
        while missing > 0:
            batch = int(np.ceil(missing / share * 1.1)) + 16
            xy = np.column_stack(
                [generator.uniform(xmin, xmax, batch), generator.uniform(ymin, ymax, batch)]
            )
            xy = xy[self.contains(xy[:, 0], xy[:, 1])][:missing]
            kept.append(xy)
            missing -= len(xy)
        return np.vstack(kept) if kept else np.empty((0, 2))

    def key(self) -> Any:
        """Return a JSON-serialisable description (checkpoints): the bounds or the WKT."""
        if self.polygon is None:
            return list(self.bounds)
        return self.polygon.wkt


def _is_geometry(value: Any) -> bool:
    return type(value).__module__.startswith("shapely")


def as_window(
    window: Any, x: FloatArray, y: FloatArray, *, points_crs: Any = None, what: str = "window"
) -> Window:
    """Return the :class:`Window` that ``window`` describes (the points' box when None).

    Raises
    ------
    ParameterError
        Not a rectangle, polygon or GeoSeries/GeoDataFrame; an empty or invalid polygon; a
        window in longitude/latitude; a CRS other than the points' (``points_crs``).
    """
    if isinstance(window, Window):
        return window
    if window is None:
        if not len(x):
            raise ParameterError("There are no points.")
        return Window((float(x.min()), float(y.min()), float(x.max()), float(y.max())))
    crs = None
    if type(window).__module__.startswith("geopandas"):
        crs = getattr(window, "crs", None)
        _check_crs(crs, points_crs)
        geometry = window.geometry
        if len(geometry) == 0 or geometry.isna().all():
            raise ParameterError(f"The '{what}' GeoSeries/GeoDataFrame holds no geometry.")
        window = geometry.union_all()
    if _is_geometry(window):
        return _polygon_window(window, crs, what)
    try:
        rect = tuple(float(v) for v in window)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"The '{what}' parameter must be (xmin, ymin, xmax, ymax), a Shapely polygon or a "
            f"GeoSeries/GeoDataFrame. Got {type(window).__name__} instead."
        ) from err
    if len(rect) != 4 or not all(np.isfinite(rect)) or rect[0] >= rect[2] or rect[1] >= rect[3]:
        raise ParameterError(
            f"The '{what}' parameter must be (xmin, ymin, xmax, ymax) with xmin < xmax and "
            f"ymin < ymax. Got {window!r} instead."
        )
    return Window((rect[0], rect[1], rect[2], rect[3]))


def _check_crs(crs: Any, points_crs: Any) -> None:
    if crs is None:
        return
    if getattr(crs, "is_geographic", False):
        raise ParameterError(
            f"The window is in longitude/latitude ({crs.to_string()}); distances need a "
            "projected CRS in metres: reproject it, e.g. window.to_crs(points.crs) or "
            "window.to_crs('EPSG:2154') for France."
        )
    if points_crs is not None and not crs.equals(points_crs):
        raise ParameterError(
            f"The window's CRS ({crs.to_string()}) is not the points' "
            f"({getattr(points_crs, 'to_string', lambda: points_crs)()}); reproject one: "
            "window.to_crs(points.crs). Nothing is reprojected silently."
        )


def _polygon_window(geometry: Any, crs: Any, what: str) -> Window:
    shapely = optional_import("shapely", extra="geo")
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ParameterError(
            f"The '{what}' geometry must be a Polygon or MultiPolygon. Got {geometry.geom_type}."
        )
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise ParameterError(
            f"The '{what}' polygon is not valid ({reason}); repair it first, e.g. with "
            "shapely.make_valid(polygon) or gdf.make_valid()."
        )
    if geometry.is_empty or not geometry.area > 0:
        raise ParameterError(f"The '{what}' polygon is empty (zero area).")
    xmin, ymin, xmax, ymax = (float(v) for v in geometry.bounds)
    degrees = max(abs(xmin), abs(xmax)) <= 180 and max(abs(ymin), abs(ymax)) <= 90
    if degrees and max(xmax - xmin, ymax - ymin) <= 10:
        raise ParameterError(
            f"The '{what}' polygon looks like longitude/latitude (bounds {geometry.bounds}); "
            "give it in the points' projected CRS in metres, e.g. "
            "gdf.to_crs('EPSG:2154') for France."
        )
    return Window((xmin, ymin, xmax, ymax), shapely.normalize(geometry), crs)


def check_inside(
    window: Window, x: FloatArray, y: FloatArray, index: pd.Index, *, what: str = "points"
) -> None:
    """Refuse points outside the window: how many, the first few rows and coordinates."""
    outside = ~window.contains(x, y)
    if not outside.any():
        return
    rows = np.flatnonzero(outside)[:3]
    first = "; ".join(f"row {index[i]} at ({x[i]:.1f}, {y[i]:.1f})" for i in rows)
    more = " …" if outside.sum() > 3 else ""
    kind = "rectangle" if window.is_rectangle else "polygon"
    crs = f" ({window.crs.to_string()})" if window.crs is not None else ""
    raise SchemaError(
        f"{what}: {int(outside.sum())} point(s) of {len(x)} lie outside the window ({kind} "
        f"with bounds {tuple(round(v, 3) for v in window.bounds)}): {first}{more}. The points "
        f"must be in the window's projected CRS{crs} in metres, and the window must hold "
        "every site."
    )
