"""Project, frame and simplify region boundaries for display, and write them as SVG paths.

Maps of Europe use the Lambert azimuthal equal-area projection of the EU (EPSG:3035); maps
of the United States use the Albers equal-area projection of the conterminous states
(EPSG:5070). Regions whose representative point lies outside the display frame of the
projection (French overseas departments and the Azores in Europe; Alaska, Hawaii and
Puerto Rico in the United States) are *left off the map*: they would shrink the rest of
the map to a sliver. They stay in the tables and charts, and the report lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from clusteratlas._validation import check_columns, check_in, optional_import
from clusteratlas.errors import SchemaError

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True)
class DisplayFrame:
    """A display projection and the box (in its metres) that the map shows.

    Attributes
    ----------
    name : str
        ``"europe"`` or ``"us"``.
    crs : str
        The projected CRS, e.g. ``"EPSG:3035"``.
    bbox : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in metres of ``crs``: a region is drawn when its
        representative point lies inside.
    description : str
        One sentence for the report saying what is left off the map.
    """

    name: str
    crs: str
    bbox: tuple[float, float, float, float]
    description: str


FRAMES: dict[str, DisplayFrame] = {
    "europe": DisplayFrame(
        "europe",
        "EPSG:3035",
        (1_600_000.0, 900_000.0, 7_400_000.0, 5_500_000.0),
        "Lambert azimuthal equal-area projection of Europe (EPSG:3035); regions far "
        "from the European mainland (e.g. the French overseas departments, the Azores) "
        "are left off the map but kept in the tables.",
    ),
    "us": DisplayFrame(
        "us",
        "EPSG:5070",
        (-2_700_000.0, 0.0, 2_700_000.0, 3_400_000.0),
        "Albers equal-area projection of the conterminous United States (EPSG:5070); "
        "Alaska, Hawaii and Puerto Rico are left off the map (no insets) but kept in "
        "the tables.",
    ),
}


def check_boundaries(boundaries: gpd.GeoDataFrame) -> None:
    """Raise :class:`SchemaError` unless ``boundaries`` has ``region``, ``name``, a CRS."""
    check_columns(boundaries, ["region", "name", "geometry"], what="boundaries")
    if boundaries.crs is None:
        raise SchemaError(
            "boundaries has no CRS; set it (longitude/latitude: "
            "boundaries.set_crs('EPSG:4326')) before building a map."
        )
    duplicated = boundaries["region"][boundaries["region"].duplicated()]
    if len(duplicated):
        raise SchemaError(
            f"boundaries has {len(duplicated)} duplicated region code(s), e.g. "
            f"{duplicated.iloc[0]!r}; dissolve them first (boundaries.dissolve('region'))."
        )


def regions_without_shape(regions: Any, boundaries: gpd.GeoDataFrame) -> list[str]:
    """Return the distinct codes of ``regions`` that have no (non-empty) boundary, sorted.

    Parameters
    ----------
    regions : iterable of str
        Region codes of a result table.
    boundaries : geopandas.GeoDataFrame
        Columns ``region`` and ``geometry``.
    """
    has_shape = ~(boundaries.geometry.isna() | boundaries.geometry.is_empty)
    shaped = {str(code) for code in boundaries.loc[has_shape, "region"]}
    return sorted({str(code) for code in regions} - shaped)


def choose_frame(boundaries: gpd.GeoDataFrame, projection: str = "auto") -> DisplayFrame:
    """Return the display frame named ``projection``, or guess it from the longitudes.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Region boundaries in any CRS.
    projection : {"auto", "europe", "us"}
        ``"auto"`` picks ``"us"`` when the median longitude is west of 30° W.

    Returns
    -------
    DisplayFrame
    """
    check_in(projection, ["auto", *FRAMES], name="projection")
    if projection != "auto":
        return FRAMES[projection]
    lonlat = boundaries.geometry.to_crs("EPSG:4326").representative_point()
    return FRAMES["us" if float(np.nanmedian(lonlat.x)) < -30.0 else "europe"]


def project_for_display(
    boundaries: gpd.GeoDataFrame, frame: DisplayFrame, *, tolerance: float | None = None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Project, frame and simplify boundaries for a map.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Columns ``region`` and ``geometry``, with a CRS.
    frame : DisplayFrame
        The projection and display box, see :func:`choose_frame`.
    tolerance : float, optional
        Simplification tolerance in metres; by default 1/3000 of the map width (about
        2 km for Europe), below a pixel on a large screen.

    Returns
    -------
    shown : geopandas.GeoDataFrame
        The projected, simplified regions inside the frame (non-empty geometries only).
    left_off : list of str
        Codes of the regions left off the map (outside the frame or without a geometry).
    """
    projected = boundaries[["region", "geometry"]].to_crs(frame.crs)
    has_shape = ~(projected.geometry.isna() | projected.geometry.is_empty)
    points = projected.geometry[has_shape].representative_point()
    xmin, ymin, xmax, ymax = frame.bbox
    inside = points.x.between(xmin, xmax) & points.y.between(ymin, ymax)
    keep = has_shape & inside.reindex(projected.index, fill_value=False)
    shown = projected[keep].copy()
    left_off = [str(code) for code in projected.loc[~keep, "region"]]
    if len(shown):
        if tolerance is None:
            bounds = shown.total_bounds
            tolerance = float(bounds[2] - bounds[0]) / 3000.0
        shown["geometry"] = _simplify(shown.geometry.to_numpy(), tolerance)
        shown = shown[~(shown.geometry.isna() | shown.geometry.is_empty)]
    return shown, left_off


def _simplify(geoms: Any, tolerance: float) -> Any:
    """Simplify a polygon coverage, keeping shared edges shared where GEOS allows."""
    shapely = optional_import("shapely", extra="geo")
    polygons = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(shapely.make_valid(geoms)):
        parts = shapely.get_parts(shapely.get_parts(geom))
        polygons[i] = shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])
    try:
        return shapely.coverage_simplify(polygons, tolerance)
    except Exception:
        return shapely.simplify(polygons, tolerance, preserve_topology=True)


def svg_paths(
    shown: gpd.GeoDataFrame, *, unit: float = 100.0
) -> tuple[dict[str, str], tuple[int, int, int, int]]:
    """Write projected polygons as compact SVG path data.

    Coordinates are rounded to ``unit`` metres (0.1 km by default) and written as
    integers relative to the previous point; y is flipped so that north is up.

    Parameters
    ----------
    shown : geopandas.GeoDataFrame
        Projected polygons with a ``region`` column, from :func:`project_for_display`.
    unit : float
        Size of one SVG user unit in metres.

    Returns
    -------
    paths : dict of str to str
        Region code → SVG ``d`` attribute (use ``fill-rule="evenodd"`` for the holes).
    view_box : tuple of int
        ``(x, y, width, height)`` of the SVG ``viewBox`` that frames every path.
    """
    shapely = optional_import("shapely", extra="geo")
    paths: dict[str, str] = {}
    for code, geom in zip(shown["region"], shown.geometry, strict=True):
        parts: list[str] = []
        for polygon in shapely.get_parts(geom):
            for ring in [polygon.exterior, *polygon.interiors]:
                parts.append(_ring_path(np.asarray(ring.coords)[:, :2], unit))
        d = "".join(part for part in parts if part)
        if d:
            paths[str(code)] = d
    if len(shown):
        xmin, ymin, xmax, ymax = shown.total_bounds
        x0, y0 = int(np.floor(xmin / unit)), int(np.floor(-ymax / unit))
        x1, y1 = int(np.ceil(xmax / unit)), int(np.ceil(-ymin / unit))
        view_box = (x0, y0, max(x1 - x0, 1), max(y1 - y0, 1))
    else:
        view_box = (0, 0, 1, 1)
    return paths, view_box


def _ring_path(coords: np.ndarray, unit: float) -> str:
    """Return ``M x y l dx dy … z`` for one ring, or ``""`` when it rounds to nothing."""
    points = np.rint(coords / unit).astype(np.int64)
    points[:, 1] = -points[:, 1]
    moved = np.any(np.diff(points, axis=0) != 0, axis=1)
    points = np.vstack([points[:1], points[1:][moved]])
    if len(points) > 1 and np.array_equal(points[0], points[-1]):
        points = points[:-1]
    if len(points) < 3:
        return ""
    deltas = np.diff(points, axis=0).ravel()
    out = [f"M{points[0, 0]} {points[0, 1]}l"]
    first = True
    for value in deltas.tolist():
        out.append(f"{value}" if first or value < 0 else f" {value}")
        first = False
    out.append("z")
    return "".join(out)
