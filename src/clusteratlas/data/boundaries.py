"""Readers for region boundaries: NUTS regions (Europe) and CBSAs (United States).

Both return a GeoDataFrame with the columns ``region`` (the code that the statistics
readers put in their ``region`` column), ``name`` and ``geometry``, in longitude/latitude
(EPSG:4326). geopandas is an optional dependency: install ``clusteratlas[geo]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clusteratlas._validation import check_in, optional_import
from clusteratlas.data.catalog import dataset_path
from clusteratlas.errors import SchemaError

#: Property names holding the NUTS code and name: the catalog mirror uses ``Name``, the
#: Eurostat GISCO files ``NUTS_NAME`` (and ``NAME_LATN`` for the Latin transliteration).
NUTS_CODE_FIELDS: tuple[str, ...] = ("NUTS_ID",)
NUTS_NAME_FIELDS: tuple[str, ...] = ("Name", "NUTS_NAME", "NAME_LATN")
#: Property names holding the CBSA code and name: ``id``/``name`` in the US Cluster Mapping
#: TopoJSON, ``CBSAFP``/``GEOID`` and ``NAME`` in Census cartographic boundary files.
CBSA_CODE_FIELDS: tuple[str, ...] = ("id", "CBSAFP", "GEOID", "cbsa_code", "CBSA")
CBSA_NAME_FIELDS: tuple[str, ...] = ("name", "NAME")
CBSA_LAYER = "msas"


def _pick(columns: Sequence[str], candidates: Sequence[str], what: str, origin: str) -> str:
    for candidate in candidates:
        if candidate in columns:
            return candidate
    raise SchemaError(
        f"{origin} has no {what} property; expected one of "
        f"{', '.join(map(repr, candidates))}; it has {', '.join(map(repr, columns))}."
    )


def _tidy(frame: Any, code: str, name: str) -> Any:
    """Return a new GeoDataFrame with ``region``, ``name``, ``geometry`` in EPSG:4326."""
    geopandas = optional_import("geopandas", extra="geo")
    out = geopandas.GeoDataFrame(
        {
            "region": frame[code].astype("str").str.strip().to_numpy(),
            "name": frame[name].astype("str").str.strip().to_numpy(),
        },
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    if out.crs is None:
        out = out.set_crs("EPSG:4326")
    elif out.crs.to_epsg() != 4326:
        out = out.to_crs("EPSG:4326")
    return out


def read_nuts_boundaries(level: int = 2, path: str | Path | None = None) -> Any:
    """Read the boundaries of the NUTS regions of one level.

    Parameters
    ----------
    level : {0, 1, 2, 3}, default 2
        The NUTS level.
    path : str or pathlib.Path, optional
        A GeoJSON (or any file geopandas reads) with the properties ``NUTS_ID`` and ``Name``
        (catalog mirror) or ``NUTS_NAME`` (Eurostat GISCO). A GISCO file holding every
        level is filtered on ``LEVL_CODE`` (or on the code length). By default the catalog
        data set ``"nuts2013_level{level}"`` is resolved.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``region`` (the NUTS code), ``name`` and ``geometry``, CRS EPSG:4326
        (a file without a CRS is taken to be in longitude/latitude).

    Raises
    ------
    ParameterError
        When ``level`` is not 0 to 3.
    SchemaError
        When the file has no NUTS code or name property.
    MissingDependencyError
        When geopandas is not installed.

    Notes
    -----
    Boundaries: © EuroGeographics for the administrative boundaries (Eurostat GISCO).

    Examples
    --------
    >>> nuts2 = read_nuts_boundaries(2)  # doctest: +SKIP
    >>> len(nuts2)  # doctest: +SKIP
    320
    """
    check_in(level, (0, 1, 2, 3), name="level")
    geopandas = optional_import("geopandas", extra="geo")
    path = dataset_path(path, f"nuts2013_level{level}")
    origin = str(path)
    frame = geopandas.read_file(path)
    columns = [str(column) for column in frame.columns]
    code = _pick(columns, NUTS_CODE_FIELDS, "NUTS code", origin)
    name = _pick(columns, NUTS_NAME_FIELDS, "region name", origin)
    if "LEVL_CODE" in columns:
        frame = frame[frame["LEVL_CODE"].astype(int) == level]
    else:
        frame = frame[frame[code].astype("str").str.strip().str.len() == level + 2]
    return _tidy(frame, code, name)


def read_cbsa_boundaries(path: str | Path | None = None) -> Any:
    """Read the boundaries of the US metropolitan and micropolitan areas (CBSAs).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A file of CBSA polygons: the US Cluster Mapping TopoJSON (layer ``"msas"``,
        properties ``id`` = CBSA code and ``name``) or a Census cartographic boundary file
        (``CBSAFP``/``GEOID``, ``NAME``). By default the CBSAs are built under current codes
        by dissolving the us-atlas counties with the county → CBSA crosswalk, see
        :func:`clusteratlas.data.boundaries_us.build_cbsa_boundaries`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``region`` (the 5-digit CBSA code, as in :func:`~clusteratlas.data.cbp.read_cbp`),
        ``name`` (e.g. ``"Abilene, TX (Metropolitan Statistical Area)"``) and ``geometry``,
        CRS EPSG:4326 (the TopoJSON has no CRS; its coordinates are longitude/latitude).

    Raises
    ------
    SchemaError
        When the file has no CBSA code or name property.
    MissingDependencyError
        When geopandas is not installed.

    Notes
    -----
    The default (counties dissolved by the 2017 crosswalk, 929 areas) gives a shape and a
    title to every CBSA of CBP 2019 but the 16 micropolitan areas created in 2018. The 2013
    US Cluster Mapping file (catalog ``"us_cbsa_boundaries"``) uses pre-2013 codes for 52
    of them, Los Angeles (31080) among them.

    Examples
    --------
    >>> cbsa = read_cbsa_boundaries()  # doctest: +SKIP
    """
    geopandas = optional_import("geopandas", extra="geo")
    pyogrio = optional_import("pyogrio", extra="geo")
    if path is None:
        from clusteratlas.data.boundaries_us import build_cbsa_boundaries

        return build_cbsa_boundaries()[["region", "name", "geometry"]]
    origin = str(path)
    layers = [str(layer) for layer in pyogrio.list_layers(path)[:, 0]]
    if CBSA_LAYER in layers:
        frame = geopandas.read_file(path, layer=CBSA_LAYER)
    else:
        frame = geopandas.read_file(path)
    columns = [str(column) for column in frame.columns]
    code = _pick(columns, CBSA_CODE_FIELDS, "CBSA code", origin)
    name = _pick(columns, CBSA_NAME_FIELDS, "CBSA name", origin)
    out = _tidy(frame, code, name)
    out["region"] = out["region"].str.zfill(5)
    return out


__all__ = ["read_cbsa_boundaries", "read_nuts_boundaries"]
