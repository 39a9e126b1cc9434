"""Readers of establishment micro-data into the canonical establishments table.

:func:`read_sirene` reads INSEE's SIRENE stock (geolocated or not), :func:`read_points` any
CSV, Parquet or GeoParquet point table, and :func:`read_strasbourg_extract` the real SIRENE
2010 extract of the Strasbourg area located by IRIS. The table itself, the INSEE employee
bands and the validator live in :mod:`clusteratlas.data.establishments`, which also gives
these readers under its own name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas._validation import check_columns, optional_import
from clusteratlas.data.catalog import dataset_path
from clusteratlas.data.establishments import (
    _LONLAT_FIX,
    LAMBERT93,
    _compact_naf,
    _crs,
    _numbers,
    _reproject,
    _rows,
    _text,
    band_weights,
    load_table,
    validate_establishments,
)
from clusteratlas.errors import ParameterError, SchemaError

_SIRENE_REQUIRED = (
    "siret",
    "activitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
    "codeCommuneEtablissement",
)
_LAMBERT_PAIRS = (
    ("x", "y"),
    ("coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement"),
)


def read_sirene(
    path: str | Path,
    *,
    crs: Any = None,
    to_crs: Any = LAMBERT93,
    active_only: bool = True,
    midpoints: Mapping[str, float] | None = None,
    regions: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a SIRENE establishments stock file (geolocated or not).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV (optionally compressed) or Parquet with the INSEE columns ``siret``,
        ``activitePrincipaleEtablissement`` (NAF rév. 2, ``"62.01Z"``),
        ``trancheEffectifsEtablissement`` and ``codeCommuneEtablissement``; optionally
        ``etatAdministratifEtablissement``, ``nomenclatureActivitePrincipaleEtablissement``
        (rows in another nomenclature than ``NAFRev2`` are dropped) and coordinates: either
        ``longitude``/``latitude`` (WGS84), or Lambert ``x``/``y`` or
        ``coordonneeLambertAbscisseEtablissement``/``coordonneeLambertOrdonneeEtablissement``
        (with an optional per-row ``epsg`` column, as in INSEE's geolocation file).
    crs : str, int or pyproj.CRS, optional
        CRS of the coordinates in the file; default WGS84 for longitude/latitude and
        Lambert-93 (EPSG:2154) for Lambert columns.
    to_crs : str, int or pyproj.CRS, default "EPSG:2154"
        Projected CRS of the output ``x``/``y`` (Lambert-93, the official projection of
        metropolitan France; pass e.g. ``"EPSG:2975"`` for La Réunion).
    active_only : bool, default True
        Keep only establishments whose ``etatAdministratifEtablissement`` is ``"A"``.
    midpoints : mapping of str to float, optional
        Overrides of :data:`INSEE_BAND_MIDPOINTS`.
    regions : mapping of str to str, optional
        Extra region columns to keep: output name → file column, e.g. ``{"iris": "plg_iris"}``.

    Returns
    -------
    pandas.DataFrame
        The canonical establishments table with a ``commune`` region column; ``industry`` is
        the compact NAF sub-class (``"6201Z"``) and ``weight`` the band's midpoint.

    Raises
    ------
    SchemaError
        When a column is missing or a value is malformed; the message names the lines.
    ParameterError
        When ``to_crs`` is geographic or missing for longitude/latitude input.
    """
    path = Path(path)
    origin = str(path)
    frame = load_table(path)
    check_columns(frame, _SIRENE_REQUIRED + tuple((regions or {}).values()), what=origin)
    if active_only and "etatAdministratifEtablissement" in frame.columns:
        frame = frame[frame["etatAdministratifEtablissement"].astype("str").str.strip() == "A"]
    nomenclature = "nomenclatureActivitePrincipaleEtablissement"
    if nomenclature in frame.columns:
        frame = frame[frame[nomenclature].astype("str").str.strip().isin(["NAFRev2", ""])]
    activity = "activitePrincipaleEtablissement"
    out = pd.DataFrame(
        {
            "id": frame["siret"],
            "industry": _compact_naf(frame[activity], origin, activity),
            "weight": band_weights(
                frame["trancheEffectifsEtablissement"], midpoints=midpoints, origin=origin
            ),
            "size_band": _text(frame["trancheEffectifsEtablissement"]).fillna("NN"),
        },
        index=frame.index,
    )
    problems: list[str] = []
    coordinates = [c for c in ("longitude", "latitude", *sum(_LAMBERT_PAIRS, ())) if c in frame]
    # INSEE writes "[ND]" (non diffusible) where a location may not be published.
    frame = frame.assign(**{c: frame[c].replace("[ND]", "") for c in coordinates})
    if {"longitude", "latitude"} <= set(frame.columns):
        if to_crs is None:
            raise ParameterError(
                f"{origin} gives longitude/latitude; the 'to_crs' parameter of read_sirene must "
                "name a projected CRS (e.g. 'EPSG:2154', Lambert-93). Got None instead."
            )
        lon, lat = _numbers(frame, "longitude", problems), _numbers(frame, "latitude", problems)
        out["x"], out["y"] = _reproject(lon, lat, crs or "EPSG:4326", to_crs)
        target = to_crs
    else:
        pair = next((p for p in _LAMBERT_PAIRS if set(p) <= set(frame.columns)), None)
        target = (to_crs or crs or LAMBERT93) if pair else None
        if pair is not None:
            x, y = _numbers(frame, pair[0], problems), _numbers(frame, pair[1], problems)
            sources = (
                "EPSG:" + _text(frame["epsg"]).fillna(str(_crs(crs or LAMBERT93).to_epsg()))
                if "epsg" in frame.columns
                else pd.Series(crs or LAMBERT93, index=frame.index)
            )
            out["x"], out["y"] = x, y
            for source, rows in sources.groupby(sources).groups.items():
                if _crs(source) != _crs(target):
                    out.loc[rows, "x"], out.loc[rows, "y"] = _reproject(
                        x[rows], y[rows], source, target
                    )
    if problems:
        raise SchemaError(f"{origin}: " + "; ".join(problems) + ".")
    out["commune"] = frame["codeCommuneEtablissement"]
    for name, column in (regions or {}).items():
        out[name] = frame[column]
    return validate_establishments(out, origin=origin, crs=target)


def read_points(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    to_crs: Any = None,
    midpoints: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Read establishments from a CSV, Parquet or GeoParquet file, or a (Geo)DataFrame.

    Parameters
    ----------
    source : str, pathlib.Path, pandas.DataFrame or geopandas.GeoDataFrame
        The table; it is not modified. A GeoParquet file or GeoDataFrame gives ``x``/``y``
        from its point geometry and its own CRS.
    columns : mapping of str to str, optional
        Canonical name → the source's column, e.g. ``{"industry": "naf", "weight":
        "employees", "commune": "depcom"}``. Keys other than the canonical columns name
        region columns. By default columns are taken by their canonical names and every
        other column is kept as a region code. Without ``weight``, a ``size_band`` column
        is turned into weights with :func:`band_weights`. Without ``id``, the row label is
        used.
    crs : str, int or pyproj.CRS, optional
        CRS of plain ``x``/``y`` columns (ignored for geometries, which carry theirs).
    to_crs : str, int or pyproj.CRS, optional
        Projected CRS to transform the coordinates to; needed for geographic input.
    midpoints : mapping of str to float, optional
        Overrides of :data:`INSEE_BAND_MIDPOINTS`.

    Returns
    -------
    pandas.DataFrame
        The canonical establishments table.

    Raises
    ------
    SchemaError, ParameterError
        As :func:`validate_establishments`; ParameterError also when coordinates are
        geographic and ``to_crs`` is not given, or ``to_crs`` is given without a CRS.
    """
    origin = str(source) if not isinstance(source, pd.DataFrame) else "DataFrame"
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        path = Path(source)
        is_geo = False
        if path.suffix.lower() in (".parquet", ".pq", ".geoparquet") and path.exists():
            pq = optional_import("pyarrow.parquet", extra="geo")
            is_geo = b"geo" in (pq.read_schema(path).metadata or {})
        if is_geo:
            gpd = optional_import("geopandas", extra="geo")
            frame = gpd.read_parquet(path)
            frame.index = pd.RangeIndex(1, len(frame) + 1)
        else:
            frame = load_table(path)
    geometry = getattr(frame, "_geometry_column_name", None)
    if geometry is not None:
        gdf: Any = frame
        if gdf.crs is None:
            raise ParameterError(f"{origin}: the geometry has no CRS; set one with gdf.set_crs().")
        crs = gdf.crs
        if to_crs is not None or crs.is_geographic:
            if to_crs is None:
                raise ParameterError(
                    f"{origin}: the geometry is in longitude/latitude; {_LONLAT_FIX}."
                )
            gdf = gdf.to_crs(to_crs)
            crs, to_crs = gdf.crs, None
        points = gdf.geometry
        kinds = points.geom_type.where(points.notna() & ~points.is_empty)
        bad = (kinds.notna() & (kinds != "Point")).to_numpy()
        if bad.any():
            raise SchemaError(
                f"{origin}: geometries must be points; not so at row(s) {_rows(frame.index, bad)}."
            )
        located = kinds.notna()
        frame = pd.DataFrame(gdf.drop(columns=geometry)).assign(
            x=points.x.where(located), y=points.y.where(located)
        )
    mapping = dict(columns) if columns is not None else {c: c for c in map(str, frame.columns)}
    check_columns(frame, list(mapping.values()), what=origin)
    out = pd.DataFrame({name: frame[column] for name, column in mapping.items()}, index=frame.index)
    for name in ("x", "y"):
        if name not in out.columns and name in frame.columns:
            out[name] = frame[name]
    if "id" not in out.columns:
        out.insert(0, "id", frame.index.astype("str"))
    if "weight" not in out.columns and "size_band" in out.columns:
        out["weight"] = band_weights(out["size_band"], midpoints=midpoints, origin=origin)
    if to_crs is not None and {"x", "y"} <= set(out.columns):
        if crs is None:
            raise ParameterError(
                f"{origin}: the 'to_crs' parameter of read_points needs the 'crs' of the "
                "coordinates. Got crs=None."
            )
        problems: list[str] = []
        x, y = _numbers(out, "x", problems), _numbers(out, "y", problems)
        if problems:
            raise SchemaError(f"{origin}: " + "; ".join(problems) + ".")
        out["x"], out["y"] = _reproject(x, y, crs, to_crs)
        crs = to_crs
    return validate_establishments(out, origin=origin, crs=crs)


def read_strasbourg_extract(
    path: str | Path | None = None, *, midpoints: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Read the SIRENE 2010 establishments of the Strasbourg area located by IRIS.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The file ``fr/sirene_2010_basrhin_iris.csv.gz`` (columns ``CODE_IRIS``, ``APET700``,
        ``TEFET``, ``LIBTEFET``); by default the catalog data set ``"sirene_basrhin_2010"``.
    midpoints : mapping of str to float, optional
        Overrides of :data:`INSEE_BAND_MIDPOINTS`.

    Returns
    -------
    pandas.DataFrame
        The canonical establishments table: ``id`` is the line of the file, ``industry``
        the NAF sub-class as given (``"6420Z"``), ``weight`` the band's midpoint,
        ``size_band`` the ``TEFET`` band, ``x``/``y`` missing, and the region columns
        ``iris`` (``CODE_IRIS``) and ``commune`` (its first 5 digits).

    Notes
    -----
    Source: INSEE, SIRENE (stock of January 2010). Use :func:`naf_codes` for divisions
    (``"64"``) or classes (``"64.20"``).
    """
    path = dataset_path(path, "sirene_basrhin_2010")
    origin = str(path)
    frame = load_table(path)
    check_columns(frame, ("CODE_IRIS", "APET700", "TEFET"), what=origin)
    iris = _text(frame["CODE_IRIS"])
    bad = ~iris.fillna("").str.fullmatch(r"\d{9}|\d[\dAB]\d{7}").to_numpy(dtype=bool)
    if bad.any():
        raise SchemaError(
            f"{origin}: column 'CODE_IRIS' must hold 9-character IRIS codes; bad value(s) at "
            f"line(s) {_rows(frame.index, bad)}."
        )
    out = pd.DataFrame(
        {
            "id": frame.index.astype("str"),
            "industry": _compact_naf(frame["APET700"], origin, "APET700"),
            "weight": band_weights(frame["TEFET"], midpoints=midpoints, origin=origin),
            "size_band": _text(frame["TEFET"]).fillna("NN"),
            "iris": iris,
            "commune": iris.str[:5],
        },
        index=frame.index,
    )
    return validate_establishments(out, origin=origin)


__all__ = ["read_points", "read_sirene", "read_strasbourg_extract"]
