"""Cluster footprints on synthetic Thomas clusters over a background of random sites."""

from __future__ import annotations

import doctest
import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("geopandas")
pytest.importorskip("sklearn")

import geopandas as gpd
import shapely

import clusteratlas.detect.footprints as module
from clusteratlas.detect.footprints import footprints, write_footprints
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError

CENTRES = np.array([[2500.0, 3000.0], [7000.0, 7500.0]])
PER_CLUSTER = 40
SIGMA = 120.0  # metres: tight Thomas clusters
N_BACKGROUND = 400
SIDE = 10_000.0  # metres
CRS = 32631


def thomas_points(seed: int = 3) -> pd.DataFrame:
    """Two Thomas clusters of industry A (rows 0-39, 40-79) over CSR sites of B, C and D.

    Column ``truth`` holds the generating cluster (0, 1) of each A establishment, -1 else.
    """
    rng = np.random.default_rng(seed)
    offspring = [rng.normal(centre, SIGMA, size=(PER_CLUSTER, 2)) for centre in CENTRES]
    background = rng.uniform(0, SIDE, size=(N_BACKGROUND, 2))
    xy = np.vstack([*offspring, background])
    n = len(xy)
    return pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "industry": ["A"] * (2 * PER_CLUSTER) + list(rng.choice(["B", "C", "D"], N_BACKGROUND)),
            "weight": rng.integers(1, 50, n).astype(float),
            "truth": [0] * PER_CLUSTER + [1] * PER_CLUSTER + [-1] * N_BACKGROUND,
        },
        index=pd.RangeIndex(1000, 1000 + n),
    )


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    return thomas_points()


@pytest.fixture(scope="module")
def found(points: pd.DataFrame) -> gpd.GeoDataFrame:
    return footprints(points, industry="A", simulations=19, rng=7, crs=CRS)


# ---------------------------------------------------------------------------- detection


def test_two_footprints_each_holding_its_parent_centre(found: gpd.GeoDataFrame) -> None:
    assert len(found) == 2
    assert found["footprint"].tolist() == [1, 2]
    for centre in CENTRES:
        holders = found.geometry.contains(shapely.Point(centre))
        assert holders.sum() == 1


def test_counts_and_employment_match_the_generating_labels(
    points: pd.DataFrame, found: gpd.GeoDataFrame
) -> None:
    a = points[points["industry"] == "A"]
    for row in found.itertuples():
        members = found.attrs["members"][row.footprint]
        centre = CENTRES[[row.geometry.contains(shapely.Point(c)) for c in CENTRES]][0]
        truth = int(np.argmin(np.hypot(*(CENTRES - centre).T)))
        by_hand = a[a["truth"] == truth]
        assert sorted(members) == by_hand.index.tolist()
        assert row.n_establishments == len(by_hand) == PER_CLUSTER
        assert row.employment == pytest.approx(by_hand["weight"].sum(), rel=1e-12)
        assert row.share_of_industry_employment == pytest.approx(
            by_hand["weight"].sum() / a["weight"].sum(), rel=1e-12
        )
        assert row.area_km2 == pytest.approx(row.geometry.area / 1e6, rel=1e-12)
        assert row.density == pytest.approx(row.employment / row.area_km2, rel=1e-12)
    assert found["employment"].is_monotonic_decreasing


def test_both_footprints_are_significant(found: gpd.GeoDataFrame) -> None:
    assert found["significant"].all()
    assert found["pvalue"].tolist() == pytest.approx([1 / 20, 1 / 20])  # smallest with 19
    assert len(found.attrs["null_max"]) == 19


def test_result_schema_crs_and_attrs(found: gpd.GeoDataFrame) -> None:
    assert list(found.columns) == [*module.COLUMNS, "geometry"]
    assert found.crs.to_epsg() == CRS
    assert found["industry"].eq("A").all()
    assert found["significant"].dtype == bool
    assert set(found.geom_type) == {"Polygon"}
    assert found.attrs["method"] == "hdbscan"
    assert found.attrs["parameters"]["concavity"] == 0.3
    assert found.attrs["parameters"]["statistic"] == "llr"


def test_csr_industry_has_no_significant_footprint(points: pd.DataFrame) -> None:
    # Without A, the sites are CSR and B is a random subset of them: the null holds. (With A's
    # clustered sites in the pool, an even B is *less* clustered than all activity, which the
    # null rightly flags as a departure.)
    csr = points[points["industry"] != "A"]
    for code in ("B", "C"):
        for method, options in (("hdbscan", {}), ("dbscan", {"eps": 300.0})):
            result = footprints(
                csr, industry=code, method=method, simulations=19, rng=11, crs=CRS, **options
            )
            assert not result["significant"].any(), (code, method)


def test_dbscan_weights_by_employment(points: pd.DataFrame) -> None:
    result = footprints(
        points, industry="A", method="dbscan", eps=300.0, simulations=19, rng=2, crs=CRS
    )
    assert result["n_establishments"].tolist() == [PER_CLUSTER, PER_CLUSTER]
    assert result["significant"].all()
    # min_samples defaults to min_cluster_size x the median employment, in employees
    median = points.loc[points["industry"] == "A", "weight"].median()
    assert result.attrs["parameters"]["min_samples"] == pytest.approx(5 * median)
    # a core point needs more employment than any 300 m neighbourhood holds: nothing left
    none = footprints(
        points, industry="A", method="dbscan", eps=300.0, min_samples=1e6, simulations=0
    )
    assert len(none) == 0
    assert list(none.columns) == [*module.COLUMNS, "geometry"]


def test_convex_hull_covers_the_concave_one(points: pd.DataFrame, found: gpd.GeoDataFrame) -> None:
    convex = footprints(points, industry="A", hull="convex", simulations=0, crs=CRS)
    assert convex["pvalue"].isna().all() and not convex["significant"].any()
    for concave_shape, convex_shape in zip(found.geometry, convex.geometry, strict=True):
        assert convex_shape.buffer(1.0).contains(concave_shape)  # 1 m: arcs are polygonised


def test_small_footprints_are_polygons_thanks_to_the_buffer() -> None:
    frame = pd.DataFrame(
        {
            "x": [1000.0, 1010.0, 5000.0, 9000.0, 5000.0, 2000.0, 8000.0],
            "y": [1000.0, 1000.0, 5000.0, 9000.0, 2000.0, 7000.0, 3000.0],
            "industry": ["A", "A", "A", "B", "B", "B", "B"],
            "weight": [30.0, 40.0, 200.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    # DBSCAN counts employment toward min_samples: the lone 200-job plant is a core point
    # on its own, the two small ones only together.
    result = footprints(
        frame,
        industry="A",
        method="dbscan",
        eps=50.0,
        min_samples=60,
        min_cluster_size=1,
        buffer=25.0,
        simulations=0,
    )
    assert result["n_establishments"].tolist() == [1, 2]
    assert result["employment"].tolist() == [200.0, 70.0]
    assert set(result.geom_type) == {"Polygon"}
    assert result["area_km2"].iloc[0] == pytest.approx(np.pi * 25.0**2 / 1e6, rel=0.01)


def test_likelihood_ratio_by_hand() -> None:
    from clusteratlas.detect.footprints_null import Footprint

    fp = Footprint(np.arange(3), 30.0, None, 2.0, expected=10.0, total=100.0)
    assert fp.statistic("llr") == pytest.approx(30 * np.log(3) + 70 * np.log(70 / 90), rel=1e-12)
    assert fp.statistic("employment") == 30.0
    assert fp.statistic("density") == 15.0
    assert Footprint(np.arange(3), 5.0, None, 2.0, 10.0, 100.0).statistic("llr") == 0.0


def test_cluster_category_of_several_codes(points: pd.DataFrame, found: gpd.GeoDataFrame) -> None:
    split = points.assign(industry=points["industry"].where(points.index % 2 == 0, "A2"))
    split.loc[points["industry"] != "A", "industry"] = points["industry"]
    result = footprints(split, industry=["A", "A2"], simulations=19, rng=7, crs=CRS)
    assert result["industry"].eq("A+A2").all()
    pd.testing.assert_frame_equal(
        result.drop(columns=["industry", "geometry"]),
        found.drop(columns=["industry", "geometry"]),
    )


# ---------------------------------------------------------------------------- randomness


def test_reproducible_with_a_seed(points: pd.DataFrame) -> None:
    first = footprints(points, industry="B", simulations=9, rng=5, crs=CRS)
    again = footprints(points, industry="B", simulations=9, rng=5, crs=CRS)
    generator = footprints(
        points, industry="B", simulations=9, rng=np.random.default_rng(5), crs=CRS
    )
    assert first.attrs["null_max"] == again.attrs["null_max"] == generator.attrs["null_max"]
    pd.testing.assert_frame_equal(first, again)
    other = footprints(points, industry="B", simulations=9, rng=6, crs=CRS)
    assert other.attrs["null_max"] != first.attrs["null_max"]


def test_parallel_simulations_match_serial(points: pd.DataFrame) -> None:
    serial = footprints(points, industry="A", simulations=4, rng=3, n_jobs=1)
    parallel = footprints(points, industry="A", simulations=4, rng=3, n_jobs=2)
    assert serial.attrs["null_max"] == parallel.attrs["null_max"]


def test_input_is_not_modified(points: pd.DataFrame) -> None:
    before = points.copy()
    footprints(points, industry="A", simulations=3, rng=0)
    pd.testing.assert_frame_equal(points, before)


# ---------------------------------------------------------------------------- writing


def test_geojson_round_trip(found: gpd.GeoDataFrame, tmp_path: pytest.TempPathFactory) -> None:
    path = write_footprints(found, tmp_path / "fp.geojson")  # type: ignore[operator]
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["clusteratlas"]["method"] == "hdbscan"
    back = gpd.read_file(path)
    assert back.crs.to_epsg() == 4326
    back = back.to_crs(CRS)
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.drop(columns="geometry")),
        pd.DataFrame(found.drop(columns="geometry")),
        check_dtype=False,
    )
    for mine, theirs in zip(found.geometry, back.geometry, strict=True):
        assert mine.symmetric_difference(theirs).area < 1e-6 * mine.area


def test_geoparquet_keeps_the_crs(
    found: gpd.GeoDataFrame, tmp_path: pytest.TempPathFactory
) -> None:
    pytest.importorskip("pyarrow")
    path = write_footprints(found, tmp_path / "fp.parquet")  # type: ignore[operator]
    back = gpd.read_parquet(path)
    assert back.crs.to_epsg() == CRS
    assert back.geometry.geom_equals_exact(found.geometry, tolerance=1e-9).all()


def test_write_errors(found: gpd.GeoDataFrame, tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(ParameterError, match=r"\.geojson or \.parquet"):
        write_footprints(found, tmp_path / "fp.shp")  # type: ignore[operator]
    with pytest.raises(ParameterError, match="no CRS"):
        write_footprints(found.set_crs(None, allow_override=True), tmp_path / "fp.geojson")  # type: ignore[operator]


# ---------------------------------------------------------------------------- errors


def test_too_few_establishments(points: pd.DataFrame) -> None:
    one = points.copy()
    one.loc[one.index[1:80], "industry"] = "B"
    with pytest.raises(ParameterError, match="1 establishment"):
        footprints(one, industry="A")


@pytest.mark.parametrize(("value", "problem"), [(-3.0, "negative"), (np.nan, "missing")])
def test_bad_weights_name_the_rows(points: pd.DataFrame, value: float, problem: str) -> None:
    bad = points.copy()
    bad.loc[1007, "weight"] = value
    with pytest.raises(SchemaError, match=rf"{problem}.*row\(s\) 1007"):
        footprints(bad, industry="A")


def test_weights_of_other_industries_are_not_needed(points: pd.DataFrame) -> None:
    other = points.copy()
    other.loc[other["industry"] != "A", "weight"] = np.nan
    assert len(footprints(other, industry="A", simulations=0)) == 2


def test_longitude_latitude_is_refused(points: pd.DataFrame) -> None:
    lonlat = points.assign(x=2.3 + points["x"] / 1e5, y=48.8 + points["y"] / 1e5)
    with pytest.raises(ParameterError, match=r"estimate_utm_crs\(\)"):
        footprints(lonlat, industry="A")
    with pytest.raises(ParameterError, match="geographic"):
        footprints(points, industry="A", crs=4326)


def test_unknown_industry_suggests(points: pd.DataFrame) -> None:
    with pytest.raises(UnknownCodeError, match=r"'A1'.*Did you mean 'A'"):
        footprints(points, industry="A1")
    with pytest.raises(UnknownCodeError, match="'Z'"):
        footprints(points, industry=["A", "Z"])


def test_parameter_errors(points: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="'eps'"):
        footprints(points, industry="A", method="dbscan")
    with pytest.raises(ParameterError, match="'method'"):
        footprints(points, industry="A", method="optics")
    with pytest.raises(ParameterError, match="'statistic'"):
        footprints(points, industry="A", statistic="count")
    with pytest.raises(ParameterError, match="'concavity'"):
        footprints(points, industry="A", concavity=1.5)
    with pytest.raises(TypeError, match="'rng'"):
        footprints(points, industry="A", rng="seed")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="'employees'"):
        footprints(points, industry="A", weight="employees")
    missing = points.copy()
    missing.loc[1003, "x"] = np.nan
    with pytest.raises(SchemaError, match="1003"):
        footprints(missing, industry="A")


def test_docstring_examples() -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
