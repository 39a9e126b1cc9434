"""Polygon windows: diameter, inclusion, CSR draws, Ripley's correction, agreement with R.

The R values (dbmss 2.11, spatstat 3.0) are stored under data/dbmss/ by
scripts/regenerate-dbmss-goldens.sh; these tests need no R.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.pointpattern import (
    Window,
    as_window,
    kd,
    kd_test,
    m_function,
    ripley_k,
)
from clusteratlas.measures.pointpattern.ripley import ripley_counts

GOLDENS = Path(__file__).parent / "data" / "dbmss"
SPECIES = "V. Americana"


def read_polygon(name: str) -> Polygon:
    """A polygon from spatstat's vertices: the first ring is the exterior, the others holes."""
    frame = pd.read_csv(GOLDENS / name)
    rings = [list(zip(g["x"], g["y"], strict=True)) for _, g in frame.groupby("ring")]
    return Polygon(rings[0], rings[1:])


@pytest.fixture(scope="module")
def paracou() -> tuple[pd.DataFrame, Polygon]:
    points = pd.read_csv(GOLDENS / "paracou16_points.csv", dtype={"industry": str})
    return points, read_polygon("paracou16_window.csv")


# --- Agreement with dbmss and spatstat on paracou16's polygon ------------------------------


def test_polygon_is_paracou16s(paracou: tuple[pd.DataFrame, Polygon]) -> None:
    _, polygon = paracou
    # spatstat's summary(paracou16): "Window area = 41162.3 square meters", 13 vertices.
    assert polygon.area == pytest.approx(41162.3, abs=0.05)
    assert len(polygon.exterior.coords) - 1 == 13
    # R printed diameter(paracou16$window) = 306.31519714176767 (scripts/dbmss-goldens.R).
    assert as_window(polygon, np.zeros(1), np.zeros(1)).diameter == pytest.approx(
        306.31519714176767, rel=1e-14
    )


def test_kd_on_the_polygon_matches_dbmss(paracou: tuple[pd.DataFrame, Polygon]) -> None:
    points, polygon = paracou
    reference = pd.read_csv(GOLDENS / "paracou16_kd.csv")
    result = kd(points, industry=SPECIES, weight="weight", window=polygon)
    # Default distances: rmax = diameter / 3 of the polygon (not of its bounding box).
    np.testing.assert_allclose(result.r, reference["r"], rtol=1e-12, atol=0)
    assert result.rmax == pytest.approx(306.31519714176767 / 3, rel=1e-14)
    assert result.kd_weighted is not None
    for ours, column in ((result.kd, "Kd"), (result.kd_weighted, "Kd_weighted")):
        theirs = reference[column].to_numpy()
        assert np.max(np.abs(ours - theirs)) / theirs.max() < 1e-3


def test_kd_on_the_bounding_box_would_differ(paracou: tuple[pd.DataFrame, Polygon]) -> None:
    points, polygon = paracou
    reference = pd.read_csv(GOLDENS / "paracou16_kd.csv")
    boxed = kd(points, industry=SPECIES, window=polygon.bounds)
    assert boxed.rmax == pytest.approx(np.hypot(200, 250) / 3)
    assert abs(boxed.r[-1] - reference["r"].iloc[-1]) > 4.0


def test_m_on_the_polygon_matches_dbmss(paracou: tuple[pd.DataFrame, Polygon]) -> None:
    points, polygon = paracou
    reference = pd.read_csv(GOLDENS / "paracou16_m.csv")
    result = m_function(points, industry=SPECIES, weight="weight", window=polygon)
    np.testing.assert_allclose(result.r, reference["r"], rtol=1e-12, atol=0)
    assert result.r[-1] == pytest.approx(306.31519714176767 / 2, rel=1e-14)
    np.testing.assert_allclose(result.m, reference["M"], rtol=0, atol=1e-9)


def test_k_on_the_polygon_matches_spatstat(paracou: tuple[pd.DataFrame, Polygon]) -> None:
    points, polygon = paracou
    reference = pd.read_csv(GOLDENS / "paracou16_k.csv")
    result = ripley_k(points, industry=SPECIES, window=polygon, r=reference["r"])
    assert result.area == pytest.approx(polygon.area)
    np.testing.assert_allclose(result.k, reference["K"], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_k_with_a_hole_and_a_reentrant_corner_matches_spatstat(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend == "numpy":
        monkeypatch.setenv("CLUSTERATLAS_NO_NUMBA", "1")
    polygon = read_polygon("lshape_window.csv")
    assert len(polygon.interiors) == 1 and polygon.area == pytest.approx(625_000 - 22_500)
    points = pd.read_csv(GOLDENS / "lshape_points.csv", dtype={"industry": str})
    reference = pd.read_csv(GOLDENS / "lshape_k.csv")
    result = ripley_k(points, industry="A", window=polygon, r=reference["r"])
    np.testing.assert_allclose(result.k, reference["K"], rtol=1e-12, atol=1e-9)


# --- Geometry worked out by hand -------------------------------------------------------------


def test_diameter_is_the_hulls_not_the_boxs() -> None:
    diamond = Polygon([(0, 5_000), (5_000, 0), (10_000, 5_000), (5_000, 10_000)])
    window = as_window(diamond, np.zeros(1), np.zeros(1))
    assert window.diameter == pytest.approx(10_000.0)
    assert window.area == pytest.approx(5e7)
    assert as_window((0, 0, 3_000, 4_000), np.zeros(1), np.zeros(1)).diameter == 5_000.0


def test_polygon_weight_equals_the_rectangle_formula() -> None:
    """A square given as a polygon: the arc code against the closed form of the rectangle."""
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 1_000, 120), rng.uniform(0, 1_000, 120)
    r = np.linspace(0, 400, 41)
    square = box(0, 0, 1_000, 1_000)
    as_rect = ripley_counts(x, y, r, (0.0, 0.0, 1_000.0, 1_000.0), corrected=True)
    as_polygon = ripley_counts(x, y, r, square, corrected=True)
    np.testing.assert_allclose(as_polygon, as_rect, rtol=1e-10)


def test_half_circle_on_a_straight_edge() -> None:
    """Points 300 m and 900 m from a long straight edge, 600 m apart.

    The circle of radius 600 around the first crosses the edge: the arc below it spans
    2 acos(300/600) = 2 pi/3, so 2/3 of the circle is inside (weight 3/2); the circle around
    the second stays inside (weight 1). Same with the edge at an angle and a hole nearby.
    """
    polygon = Polygon([(0, 0), (100_000, 0), (100_000, 50_000), (0, 50_000)])
    x, y = np.array([50_000.0, 50_000.0]), np.array([300.0, 900.0])
    counts = ripley_counts(x, y, np.array([500.0, 700.0]), polygon, corrected=True)
    np.testing.assert_allclose(counts, [0.0, 1.5 + 1.0], rtol=1e-12)
    # Rotated by 30 degrees about the first point, with a hole the circles do not reach.
    from shapely import affinity

    holed = Polygon(polygon.exterior, [box(10_000, 10_000, 11_000, 11_000).exterior.coords])
    turned = affinity.rotate(holed, 30, origin=(50_000, 300))
    angle = np.radians(30)
    x2 = 50_000 - 600 * np.sin(angle)
    y2 = 300 + 600 * np.cos(angle)
    counts = ripley_counts(np.array([50_000.0, x2]), np.array([300.0, y2]), np.array([700.0]),
                           turned, corrected=True)  # fmt: skip
    assert counts[0] == pytest.approx(2.5, rel=1e-12)


def test_multipolygon_and_geodataframe_windows() -> None:
    a, b = box(0, 0, 1_000, 1_000), box(5_000, 0, 6_000, 1_000)
    frame = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[a, b], crs="EPSG:2154")
    window = as_window(frame, np.zeros(1), np.zeros(1))
    assert isinstance(window.polygon, MultiPolygon)
    assert window.area == pytest.approx(2e6)
    assert window.diameter == pytest.approx(np.hypot(6_000, 1_000))
    inside = window.contains(np.array([500.0, 3_000.0, 5_500.0]), np.array([500.0] * 3))
    assert inside.tolist() == [True, False, True]


def test_sample_draws_uniformly_inside() -> None:
    window = as_window(read_polygon("lshape_window.csv"), np.zeros(1), np.zeros(1))
    xy = window.sample(20_000, rng=5)
    assert xy.shape == (20_000, 2)
    assert window.contains(xy[:, 0], xy[:, 1]).all()
    np.testing.assert_array_equal(xy, window.sample(20_000, rng=5))
    # Uniform: the share in the arm x > 450 is its share of the area, 550 * 400 / 602,500.
    share = 550 * 400 / 602_500
    observed = np.mean(xy[:, 0] > 450)
    assert abs(observed - share) < 4 * np.sqrt(share * (1 - share) / 20_000)
    # None in the pond.
    pond = (xy[:, 0] > 150) & (xy[:, 0] < 300) & (xy[:, 1] > 150) & (xy[:, 1] < 300)
    assert not pond.any()


# --- Refusals --------------------------------------------------------------------------------


def test_points_outside_the_polygon_are_refused() -> None:
    triangle = Polygon([(0, 0), (10_000, 0), (0, 10_000)])
    points = pd.DataFrame(
        {"x": [1_000.0, 2_000.0, 9_000.0, 8_000.0], "y": [1_000.0, 500.0, 9_000.0, 7_000.0],
         "industry": ["A"] * 4},
        index=["p1", "p2", "p3", "p4"],
    )  # fmt: skip
    with pytest.raises(SchemaError) as info:
        kd(points, industry="A", window=triangle)
    message = str(info.value)
    assert "2 point(s) of 4 lie outside the window (polygon" in message
    assert "row p3 at (9000.0, 9000.0)" in message and "row p4 at (8000.0, 7000.0)" in message
    assert "p1" not in message and "projected CRS" in message


def test_window_in_degrees_or_another_crs_is_refused() -> None:
    points = pd.DataFrame({"x": [1e6, 1.001e6], "y": [6e6, 6.001e6], "industry": ["A", "A"]})
    lonlat = gpd.GeoSeries([box(7.5, 48.4, 7.9, 48.7)], crs="EPSG:4326")
    with pytest.raises(ParameterError, match="longitude/latitude"):
        kd(points, industry="A", window=lonlat, bandwidth=100.0)
    with pytest.raises(ParameterError, match="longitude/latitude"):
        kd(points, industry="A", window=box(7.5, 48.4, 7.9, 48.7), bandwidth=100.0)
    located = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points.x, points.y),
                               crs="EPSG:2154")  # fmt: skip
    other = gpd.GeoSeries([box(0.9e6, 5.9e6, 1.1e6, 6.1e6)], crs="EPSG:3035")
    with pytest.raises(ParameterError, match=r"EPSG:3035.*EPSG:2154"):
        kd(located, industry="A", window=other, bandwidth=100.0)
    same = gpd.GeoSeries([box(0.9e6, 5.9e6, 1.1e6, 6.1e6)], crs="EPSG:2154")
    assert kd(located, industry="A", window=same, bandwidth=100.0).rmax == pytest.approx(
        np.hypot(2e5, 2e5) / 3
    )


def test_invalid_and_wrong_geometries_are_refused() -> None:
    points = pd.DataFrame({"x": [10.0, 20.0], "y": [10.0, 20.0], "industry": ["A", "A"]})
    bowtie = Polygon([(0, 0), (1_000, 1_000), (1_000, 0), (0, 1_000)])
    with pytest.raises(ParameterError, match=r"not valid.*make_valid"):
        kd(points, industry="A", window=bowtie)
    from shapely.geometry import LineString

    with pytest.raises(ParameterError, match=r"Polygon or MultiPolygon\. Got LineString"):
        kd(points, industry="A", window=LineString([(0, 0), (1, 1)]))
    with pytest.raises(ParameterError, match="Got str instead"):
        kd(points, industry="A", window="France")


def test_random_location_null_is_unchanged_by_the_window() -> None:
    """Random location draws among the sites: the polygon only sets the default rmax."""
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0, 10_000, 300), rng.uniform(0, 10_000, 300)
    points = pd.DataFrame({"x": x, "y": y, "industry": np.where(np.arange(300) < 40, "A", "B")})
    polygon = box(0, 0, 10_000, 10_000).buffer(1.0)
    r = np.linspace(0, 3_000, 16)
    on_polygon = kd_test(points, industry="A", window=polygon, r=r, simulations=9, rng=4)
    on_box = kd_test(points, industry="A", r=r, simulations=9, rng=4)
    np.testing.assert_array_equal(on_polygon.simulations, on_box.simulations)
    assert isinstance(as_window(polygon, x, y), Window)


def test_synthetic_csr_on_a_polygon_draws_inside() -> None:
    from clusteratlas.data.synthetic import csr

    triangle = Polygon([(0, 0), (10_000, 0), (0, 10_000)])
    xy = csr(5_000, window=triangle, rng=2)
    assert xy.shape == (5_000, 2)
    assert (xy.min() >= 0) and np.all(xy.sum(axis=1) <= 10_000)
    # Uniform in the triangle: E[x] = 10,000 / 3, sd of the mean = 10,000 / sqrt(18) / sqrt(n).
    assert abs(xy[:, 0].mean() - 10_000 / 3) < 4 * 10_000 / np.sqrt(18 * 5_000)
    # Rectangles draw as before: x then y, uniform in the box.
    generator = np.random.default_rng(1)
    expected = np.column_stack([generator.uniform(0, 1, 3), generator.uniform(0, 1, 3)])
    np.testing.assert_array_equal(csr(3, window=(0, 0, 1, 1), rng=1), expected)
