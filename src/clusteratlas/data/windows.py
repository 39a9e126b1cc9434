"""Read the observation window of a point pattern: a boundary file or a shipped region.

A window for Kd, M and Ripley's K (:mod:`clusteratlas.measures.pointpattern.windows`)
comes from a boundary file that GeoPandas reads (GeoJSON, GeoPackage, shapefile,
GeoParquet: the union of its polygons) or from the code of a region of the shipped
boundaries: a French département of the catalog's ``fr_departements`` (``67``, ``2A``) or a
NUTS 2013 region (``FRF11``, ``DE21``). The window is returned in the CRS the points are
measured in: reprojected, explicitly and reported, when its own differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusteratlas._validation import optional_import
from clusteratlas.errors import ParameterError, SchemaError

#: Suffixes read as boundary files.
BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet")


@dataclass(frozen=True)
class WindowSource:
    """A window read for a point pattern, and what was done to it.

    Attributes
    ----------
    geometry : shapely Polygon or MultiPolygon
        The window (union of the polygons read), in the points' CRS.
    description : str
        Where it came from and whether it was reprojected (for messages).
    crs : pyproj.CRS or None
        Its CRS after any reprojection.
    """

    geometry: Any
    description: str
    crs: Any


def read_window(spec: str | Path, *, crs: Any = None) -> WindowSource:
    """Read a window from a boundary file or a region code, in the points' CRS ``crs``.

    Parameters
    ----------
    spec : str or pathlib.Path
        A boundary file (GeoJSON, GeoPackage, shapefile, GeoParquet) or a region code: a
        French département (``fr_departements``: ``"67"``, ``"2A"``) or a NUTS 2013 code.
    crs : str, int or pyproj.CRS, optional
        CRS of the points (projected, metres). A window in another CRS is reprojected to
        it; without ``crs``, a window in a projected CRS is taken as is (the points are in
        it) and one in longitude/latitude is refused.

    Returns
    -------
    WindowSource

    Raises
    ------
    ParameterError
        A missing file, an unknown region code, a window in longitude/latitude without
        ``crs``, or ``crs`` itself in longitude/latitude.
    SchemaError
        A file that cannot be read or holds no polygon.
    """
    geopandas = optional_import("geopandas", extra="geo")
    frame, origin = _read(geopandas, spec)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    polygons = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise SchemaError(f"{origin} holds no polygon to use as a window.")
    target = None
    if crs is not None:
        pyproj = optional_import("pyproj", extra="geo")
        try:
            target = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as err:
            raise ParameterError(f"Unknown CRS {crs!r} for the points: {err}") from err
        if target.is_geographic:
            raise ParameterError(
                f"The points' CRS {target.to_string()} is in longitude/latitude; Kd, M and K "
                "need projected coordinates in metres (e.g. EPSG:2154 for France)."
            )
    source_crs = polygons.crs
    description = origin
    if source_crs is None:
        if target is None:
            description += " (no CRS: taken to be the points')"
        else:
            description += f" (no CRS: taken to be the points' {target.to_string()})"
            polygons = polygons.set_crs(target)
    elif target is not None and not source_crs.equals(target):
        polygons = polygons.to_crs(target)
        description += f", reprojected from {source_crs.to_string()} to {target.to_string()}"
    elif target is None and source_crs.is_geographic:
        raise ParameterError(
            f"{origin} is in longitude/latitude ({source_crs.to_string()}); give the points' "
            "projected CRS (--crs EPSG:2154 for France) to reproject it."
        )
    geometry = polygons.geometry.union_all()
    return WindowSource(geometry, description, polygons.crs)


def _read(geopandas: Any, spec: str | Path) -> tuple[Any, str]:
    path = Path(spec)
    if path.suffix.lower() in BOUNDARY_SUFFIXES or path.is_file():
        if not path.is_file():
            raise ParameterError(f"The window file {str(path)!r} does not exist.")
        try:
            if path.suffix.lower() in (".parquet", ".geoparquet"):
                return geopandas.read_parquet(path), f"window file {path.name}"
            return geopandas.read_file(path), f"window file {path.name}"
        except Exception as err:  # pyogrio, pyarrow and fiona raise their own errors
            raise SchemaError(f"Cannot read the window file {str(path)!r}: {err}") from err
    return _region(geopandas, str(spec).strip())


def _region(geopandas: Any, code: str) -> tuple[Any, str]:
    from clusteratlas.data.catalog import resolve

    departements = geopandas.read_file(resolve("fr_departements"))
    match = departements[departements["code"].astype(str) == code.upper()]
    if not match.empty:
        return match, f"département {code.upper()} ({match['nom'].iloc[0]})"
    upper = code.upper()
    if 2 <= len(upper) <= 5 and upper[:2].isalpha():
        from clusteratlas.data.boundaries import read_nuts_boundaries

        try:
            nuts = read_nuts_boundaries(len(upper) - 2)
        except Exception:  # the NUTS boundaries are optional here: any failure, no match
            nuts = None
        if nuts is not None:
            match = nuts[nuts["region"] == upper]
            if not match.empty:
                return match, f"NUTS region {upper} ({match['name'].iloc[0]})"
    examples = ", ".join(departements["code"].astype(str).head(5))
    raise ParameterError(
        f"The window {code!r} is neither a boundary file (.geojson, .gpkg, .shp, .parquet) "
        f"nor a region code of the shipped boundaries: a French département ({examples}, …, "
        "2A) or a NUTS 2013 code (FRF11)."
    )
