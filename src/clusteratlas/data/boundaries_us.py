"""US metropolitan and micropolitan areas (CBSAs) under current codes, built from counties.

A core-based statistical area is a set of whole counties (OMB delineation). Its boundary is
therefore the union of its counties: :func:`read_cbsa_crosswalk` reads the county → CBSA
table (NBER's copy of the Census Bureau/OMB delineation file), :func:`read_us_counties` the
us-atlas county polygons (FIPS ids), and :func:`dissolve_cbsas` unions the counties of each
CBSA. This gives shapes and titles under the codes that County Business Patterns use
since 2013 (e.g. 31080 Los Angeles-Long Beach-Anaheim), unlike the 2013 US Cluster Mapping
file keyed by older codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas._validation import check_columns, optional_import
from clusteratlas.data.catalog import dataset_path
from clusteratlas.errors import SchemaError

#: Columns of the NBER crosswalk that the reader needs.
CROSSWALK_COLUMNS: tuple[str, ...] = (
    "cbsacode",
    "cbsatitle",
    "metropolitanmicropolitanstatis",
    "fipsstatecode",
    "fipscountycode",
)


def read_cbsa_crosswalk(path: str | Path | None = None) -> pd.DataFrame:
    """Read the county → CBSA crosswalk.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The NBER ``cbsa2fipsxw`` CSV (optionally gzipped). By default the catalog data set
        ``"us_cbsa_crosswalk"`` is resolved.

    Returns
    -------
    pandas.DataFrame
        One row per county: ``county`` (5-digit FIPS, zero-padded: the file's
        ``fipscountycode`` is not), ``region`` (5-digit CBSA code), ``name`` (e.g.
        ``"Los Angeles-Long Beach-Anaheim, CA (Metropolitan Statistical Area)"``), ``county_name``.

    Raises
    ------
    SchemaError
        When a column is missing or a county is listed under two CBSAs.
    """
    path = dataset_path(path, "us_cbsa_crosswalk")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    check_columns(raw, list(CROSSWALK_COLUMNS), what=str(path))
    raw = raw[raw["cbsacode"].str.strip() != ""]
    kind = raw["metropolitanmicropolitanstatis"].str.strip()
    title = raw["cbsatitle"].str.strip()
    out = pd.DataFrame(
        {
            "county": raw["fipsstatecode"].str.strip().str.zfill(2)
            + raw["fipscountycode"].str.strip().str.zfill(3),
            "region": raw["cbsacode"].str.strip().str.zfill(5),
            "name": title.where(kind == "", title + " (" + kind + ")"),
            "county_name": raw.get("countycountyequivalent", pd.Series("", index=raw.index)),
        }
    ).reset_index(drop=True)
    twice = out["county"][out["county"].duplicated()]
    if len(twice):
        raise SchemaError(
            f"{path}: county {twice.iloc[0]} is listed under more than one CBSA; "
            "a county belongs to one CBSA at most."
        )
    return out


def cbsa_titles(path: str | Path | None = None) -> dict[str, str]:
    """Return CBSA code → title from the crosswalk (no geometry read)."""
    crosswalk = read_cbsa_crosswalk(path)
    return dict(zip(crosswalk["region"], crosswalk["name"], strict=True))


def read_us_counties(path: str | Path | None = None) -> Any:
    """Read the us-atlas county polygons.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        ``counties-10m.json`` of us-atlas 3 (TopoJSON, layer ``counties``, ids = 5-digit
        FIPS codes). By default the catalog data set ``"us_counties"`` is resolved.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``county`` (FIPS), ``county_name`` and ``geometry``, CRS EPSG:4326.
    """
    geopandas = optional_import("geopandas", extra="geo")
    pyogrio = optional_import("pyogrio", extra="geo")
    path = dataset_path(path, "us_counties")
    layers = [str(layer) for layer in pyogrio.list_layers(path)[:, 0]]
    frame = geopandas.read_file(path, layer="counties" if "counties" in layers else None)
    check_columns(frame, ["id"], what=str(path))
    names = frame["name"] if "name" in frame.columns else frame["id"]
    shapely = optional_import("shapely", extra="geo")
    # TopoJSON quantisation leaves a few self-touching rings (e.g. in California); a union
    # of invalid polygons fails in GEOS, so repair them first.
    geometry = _polygonal(shapely, shapely.make_valid(frame.geometry.to_numpy()))
    out = geopandas.GeoDataFrame(
        {
            "county": frame["id"].astype(str).str.strip().str.zfill(5).to_numpy(),
            "county_name": names.astype(str).to_numpy(),
        },
        geometry=geometry,
        crs=frame.crs or "EPSG:4326",
    )
    return out if out.crs.to_epsg() == 4326 else out.to_crs("EPSG:4326")


def _polygonal(shapely: Any, geoms: Any) -> Any:
    """Keep the polygons of each geometry (``make_valid`` may add stray lines or points)."""
    out = geoms.copy()
    for i, geom in enumerate(geoms):
        if geom is not None and shapely.get_type_id(geom) == 7:  # GeometryCollection
            parts = shapely.get_parts(shapely.get_parts(geom))
            out[i] = shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])
    return out


def dissolve_cbsas(counties: Any, crosswalk: pd.DataFrame) -> Any:
    """Union the county polygons of each CBSA.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        Columns ``county`` (FIPS) and ``geometry``, see :func:`read_us_counties`.
    crosswalk : pandas.DataFrame
        Columns ``county``, ``region`` and ``name``, see :func:`read_cbsa_crosswalk`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per CBSA of the crosswalk: ``region``, ``name``, ``geometry`` (the union of
        the counties found; empty when none is), ``n_counties`` (in the crosswalk) and
        ``missing_counties`` (comma-separated FIPS codes of counties with no polygon, e.g.
        Bedford city, VA, 51515, merged into Bedford County in 2013). The frame's
        ``attrs["missing_counties"]`` lists them all.

    Notes
    -----
    Counties are a partition, so the area of a CBSA equals the sum of its counties' areas
    (up to the precision of the shared edges in the source file).
    """
    geopandas = optional_import("geopandas", extra="geo")
    check_columns(counties, ["county", "geometry"], what="counties")
    check_columns(crosswalk, ["county", "region", "name"], what="crosswalk")
    joined = crosswalk[["county", "region", "name"]].merge(
        counties[["county", "geometry"]], on="county", how="left"
    )
    missing = joined["geometry"].isna()
    shapes = geopandas.GeoDataFrame(joined[~missing], geometry="geometry", crs=counties.crs)
    dissolved = shapes.dissolve(by="region", as_index=False)[["region", "geometry"]]
    names = joined.groupby("region", sort=True).agg(
        name=("name", "first"), n_counties=("county", "size")
    )
    absent = joined[missing].groupby("region")["county"].agg(lambda codes: ",".join(sorted(codes)))
    out = names.join(absent.rename("missing_counties")).reset_index()
    out["missing_counties"] = out["missing_counties"].fillna("")
    out = geopandas.GeoDataFrame(
        out.merge(dissolved, on="region", how="left"), geometry="geometry", crs=counties.crs
    )
    out.attrs["missing_counties"] = sorted(joined.loc[missing, "county"])
    return out[["region", "name", "geometry", "n_counties", "missing_counties"]]


def build_cbsa_boundaries(
    counties_path: str | Path | None = None, crosswalk_path: str | Path | None = None
) -> Any:
    """Return CBSA boundaries under current codes: counties dissolved by the crosswalk.

    Parameters
    ----------
    counties_path, crosswalk_path : str or pathlib.Path, optional
        Files of :func:`read_us_counties` and :func:`read_cbsa_crosswalk` (by default the
        catalog data sets ``"us_counties"`` and ``"us_cbsa_crosswalk"``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``region``, ``name``, ``geometry``, ``n_counties``, ``missing_counties``; EPSG:4326.

    Examples
    --------
    >>> cbsa = build_cbsa_boundaries()  # doctest: +SKIP
    >>> cbsa.set_index("region").loc["31080", "name"]  # doctest: +SKIP
    'Los Angeles-Long Beach-Anaheim, CA (Metropolitan Statistical Area)'
    """
    return dissolve_cbsas(read_us_counties(counties_path), read_cbsa_crosswalk(crosswalk_path))


__all__ = [
    "build_cbsa_boundaries",
    "cbsa_titles",
    "dissolve_cbsas",
    "read_cbsa_crosswalk",
    "read_us_counties",
]
