"""The observation window of a point pattern: boundary files and region codes, and their errors.

The windows are squares of 1 km (area 1e6 m²) in Lambert-93 (EPSG:2154), or NUTS regions
of the shipped boundaries, whose areas are checked against the official ones (Oberbayern
17,530 km², Luxembourg 2,586 km²) within the generalisation of the 1:20 million files.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from clusteratlas.data.windows import read_window
from clusteratlas.errors import ParameterError, SchemaError

LAMBERT = "EPSG:2154"


def square_file(folder: Path, name: str, *, crs: str | None) -> Path:
    """A GeoParquet holding two adjacent 1 km squares and a point, in ``crs`` (or none)."""
    frame = gpd.GeoDataFrame(
        {"name": ["west", "east", "a well"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), Point(500, 500)],
        crs=crs,
    )
    path = folder / name
    frame.to_parquet(path)
    return path


def test_a_projected_window_is_taken_as_is_without_crs(tmp_path: Path) -> None:
    window = read_window(square_file(tmp_path, "squares.parquet", crs=LAMBERT))
    # The union of the two squares (the point is no polygon): one 2 km × 1 km rectangle.
    assert window.description == "window file squares.parquet"
    assert window.geometry.geom_type == "Polygon"
    assert window.geometry.area == pytest.approx(2e6)
    assert window.geometry.bounds == (0.0, 0.0, 2000.0, 1000.0)
    assert window.crs.to_epsg() == 2154


def test_a_window_in_the_points_crs_is_not_reprojected(tmp_path: Path) -> None:
    window = read_window(square_file(tmp_path, "squares.parquet", crs=LAMBERT), crs=2154)
    assert window.description == "window file squares.parquet"
    assert window.geometry.bounds == (0.0, 0.0, 2000.0, 1000.0)


def test_a_window_without_crs_is_taken_to_be_the_points(tmp_path: Path) -> None:
    path = square_file(tmp_path, "bare.parquet", crs=None)
    bare = read_window(path)
    assert bare.description == "window file bare.parquet (no CRS: taken to be the points')"
    assert bare.crs is None
    assert bare.geometry.area == pytest.approx(2e6)

    given = read_window(path, crs=LAMBERT)
    assert given.description == (
        "window file bare.parquet (no CRS: taken to be the points' EPSG:2154)"
    )
    assert given.crs.to_epsg() == 2154
    # Set, not reprojected: the coordinates are unchanged.
    assert given.geometry.bounds == (0.0, 0.0, 2000.0, 1000.0)


@pytest.mark.parametrize(
    ("code", "described", "official_km2"),
    [
        ("de21", "NUTS region DE21 (Oberbayern)", 17_530),
        ("LU000", "NUTS region LU000 (Luxembourg)", 2_586),
    ],
)
def test_a_nuts_code_is_read_from_the_shipped_boundaries(
    data_dir: Path, code: str, described: str, official_km2: float
) -> None:
    window = read_window(code, crs="EPSG:3035")
    assert window.description == f"{described}, reprojected from EPSG:4326 to EPSG:3035"
    assert window.crs.to_epsg() == 3035
    assert window.geometry.area / 1e6 == pytest.approx(official_km2, rel=0.05)


def test_a_file_without_polygons_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wells.geojson"
    gpd.GeoDataFrame(geometry=[Point(7.7, 48.6), Point(7.8, 48.5)], crs="EPSG:4326").to_file(path)
    with pytest.raises(SchemaError, match=r"^window file wells\.geojson holds no polygon"):
        read_window(path, crs=LAMBERT)


def test_points_in_degrees_are_refused(tmp_path: Path) -> None:
    path = square_file(tmp_path, "squares.parquet", crs=LAMBERT)
    with pytest.raises(ParameterError) as info:
        read_window(path, crs="EPSG:4326")
    assert str(info.value).startswith("The points' CRS EPSG:4326 is in longitude/latitude")
    assert "EPSG:2154 for France" in str(info.value)


def test_an_unknown_crs_is_named(tmp_path: Path) -> None:
    path = square_file(tmp_path, "squares.parquet", crs=LAMBERT)
    with pytest.raises(ParameterError, match=r"^Unknown CRS 'Lambert 93, please' for the points"):
        read_window(path, crs="Lambert 93, please")


def test_a_missing_window_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "alsace.gpkg"
    with pytest.raises(ParameterError) as info:
        read_window(path)
    assert str(info.value) == f"The window file {str(path)!r} does not exist."


def test_an_unreadable_window_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "alsace.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(SchemaError, match=r"^Cannot read the window file '.*alsace\.geojson': "):
        read_window(path)


def test_an_unknown_region_code_lists_what_is_accepted(data_dir: Path) -> None:
    # Shaped like a NUTS code, but no NUTS 2 region has it.
    with pytest.raises(ParameterError) as info:
        read_window("ZZ99", crs="EPSG:3035")
    message = str(info.value)
    assert message.startswith("The window 'ZZ99' is neither a boundary file")
    assert "a French département (01, 02, 03, 04, 05, …, 2A) or a NUTS 2013 code" in message


def test_without_the_nuts_boundaries_a_nuts_code_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, publisher_server
) -> None:
    # A data directory without the NUTS files and a publisher that has none: the
    # départements (shipped with the package) are still searched, and the code is reported
    # as unknown instead of failing on the download.
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match=r"^The window 'DE21' is neither a boundary file"):
        read_window("DE21", crs="EPSG:3035")
    asked = [path for path in publisher_server.requests if "NUTS_RG_20M_2013_4326_LEVL_2" in path]
    assert asked, dict(publisher_server.requests)
