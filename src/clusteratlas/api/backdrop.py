"""Country outlines drawn under the web maps (directory and atlas), from the shipped boundaries.

Europe: the NUTS 2013 level-0 regions (countries) of Eurostat/GISCO; the United States: the
``nation`` object of us-atlas 3.0.1 (Census boundaries). Both are simplified for the browser
(:data:`TOLERANCE` degrees, coordinates to 0.001°) and cached for the life of the process.
A source whose file is missing is left out and named in ``missing``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from clusteratlas.errors import DataNotFoundError

TOLERANCE = {"eu": 0.02, "us": 0.05}
"""Simplification tolerance in degrees (Europe's countries are smaller)."""


def _tidy(frame: Any, tolerance: float) -> Any:
    import shapely

    geometry = frame.geometry.simplify(tolerance, preserve_topology=True)
    frame = frame.set_geometry(shapely.set_precision(geometry.values, 0.001))
    return frame[~frame.geometry.is_empty]


def _europe() -> list[dict[str, Any]]:
    from clusteratlas.data.boundaries import read_nuts_boundaries

    frame = _tidy(read_nuts_boundaries(0), TOLERANCE["eu"])
    frame = frame.assign(country=frame["region"], source="eu")[
        ["country", "name", "source", "geometry"]
    ]
    features: list[dict[str, Any]] = json.loads(frame.to_json(drop_id=True))["features"]
    return features


def _united_states() -> list[dict[str, Any]]:
    from clusteratlas._validation import optional_import
    from clusteratlas.data.catalog import dataset_path

    geopandas = optional_import("geopandas", extra="geo")
    frame = geopandas.read_file(dataset_path(None, "us_states"), layer="nation")
    frame = _tidy(frame.set_crs("EPSG:4326", allow_override=True), TOLERANCE["us"])
    frame = frame.assign(country="US", name="United States", source="us")[
        ["country", "name", "source", "geometry"]
    ]
    features: list[dict[str, Any]] = json.loads(frame.to_json(drop_id=True))["features"]
    return features


@functools.cache
def country_outlines() -> dict[str, Any]:
    """Return the country outlines as a GeoJSON FeatureCollection (EPSG:4326).

    Returns
    -------
    dict
        ``features`` with properties ``country`` (NUTS-0 code or ``US``), ``name`` and
        ``source``; foreign members ``attribution`` and ``missing`` (sources without a file).
    """
    from clusteratlas.data.catalog import attribution

    features: list[dict[str, Any]] = []
    missing: list[str] = []
    for name, build in (("eu", _europe), ("us", _united_states)):
        try:
            features += build()
        except DataNotFoundError:
            missing.append(name)
    return {
        "type": "FeatureCollection",
        "features": features,
        "attribution": attribution(["nuts2013_level0", "us_states"]),
        "missing": missing,
    }


__all__ = ["TOLERANCE", "country_outlines"]
