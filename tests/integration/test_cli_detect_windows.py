"""``detect kd|m|k|all --window`` with a boundary file or a shipped région code (départements)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

from clusteratlas.data.catalog import resolve
from clusteratlas.measures.pointpattern import as_window


@pytest.fixture(scope="module")
def bas_rhin() -> gpd.GeoSeries:
    """Département 67 of the shipped boundaries, in Lambert-93."""
    departements = gpd.read_file(resolve("fr_departements"))
    return departements[departements["code"] == "67"].geometry.to_crs("EPSG:2154")


@pytest.fixture(scope="module")
def points_csv(bas_rhin: gpd.GeoSeries, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 establishments drawn uniformly inside the département (30 of industry A)."""
    window = as_window(bas_rhin, np.zeros(1), np.zeros(1))
    xy = window.sample(120, rng=67)
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1],
                          "industry": ["A"] * 30 + ["B"] * 90, "weight": 1.0})  # fmt: skip
    path = tmp_path_factory.mktemp("windows") / "points.csv"
    frame.to_csv(path, index=False)
    return path


def test_kd_in_a_departement_by_code(
    points_csv: Path, bas_rhin: gpd.GeoSeries, tmp_path: Path
) -> None:
    out = tmp_path / "kd.csv"
    proc = run_cli("detect", "kd", "--points", points_csv, "--industry", "A", "--window", "67",
                   "--crs", "EPSG:2154", "--output", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "département 67 (Bas-Rhin), reprojected from EPSG:4326 to EPSG:2154" in proc.stdout
    # rmax = a third of the largest distance between two vertices of the polygon's hull.
    hull = np.asarray(bas_rhin.iloc[0].convex_hull.exterior.coords)
    diameter = np.sqrt(((hull[:, None] - hull[None]) ** 2).sum(axis=2)).max()
    assert pd.read_csv(out)["r"].iloc[-1] == pytest.approx(diameter / 3, rel=1e-12)


def test_k_with_a_geojson_window(points_csv: Path, bas_rhin: gpd.GeoSeries, tmp_path: Path) -> None:
    window_file = tmp_path / "bas_rhin.geojson"
    bas_rhin.to_crs("EPSG:4326").to_file(window_file)
    out = tmp_path / "k.csv"
    proc = run_cli("detect", "k", "--points", points_csv, "--industry", "A", "--window",
                   window_file, "--crs", "EPSG:2154", "--r", "0,5000,10000", "--output", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "window file bas_rhin.geojson, reprojected from EPSG:4326 to EPSG:2154" in proc.stdout
    k = pd.read_csv(out)["k"].to_numpy()
    assert k[0] == 0.0 and 0 < k[1] < k[2]


def test_window_in_degrees_without_crs_is_refused(points_csv: Path, tmp_path: Path) -> None:
    proc = run_cli("detect", "m", "--points", points_csv, "--industry", "A", "--window", "67",
                   "--output", tmp_path / "m.csv")  # fmt: skip
    assert_one_line_error(proc, "département 67", "longitude/latitude", "--crs EPSG:2154")
    assert_nothing_written(tmp_path, "m.csv")


def test_points_outside_the_departement_are_refused(points_csv: Path, tmp_path: Path) -> None:
    # Haut-Rhin (68) is the neighbour: none of these points lies in it.
    proc = run_cli("detect", "kd", "--points", points_csv, "--industry", "A", "--window", "68",
                   "--crs", "EPSG:2154", "--output", tmp_path / "kd.csv")  # fmt: skip
    assert_one_line_error(proc, "120 point(s) of 120 lie outside the window (polygon", "row 0 at (")
    assert_nothing_written(tmp_path, "kd.csv")


def test_unknown_region_is_refused(points_csv: Path, tmp_path: Path) -> None:
    proc = run_cli("detect", "kd", "--points", points_csv, "--industry", "A", "--window",
                   "Alsace", "--output", tmp_path / "kd.csv")  # fmt: skip
    assert_one_line_error(proc, "'Alsace' is neither a boundary file", "French département")


def test_detect_all_in_a_departement(
    points_csv: Path, bas_rhin: gpd.GeoSeries, tmp_path: Path
) -> None:
    out = tmp_path / "all.parquet"
    proc = run_cli("detect", "all", "--points", points_csv, "--crs", "EPSG:2154", "--window",
                   "67", "--min-plants", "20", "--simulations", "9", "--seed", "3",
                   "--output", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "département 67 (Bas-Rhin), reprojected from EPSG:4326 to EPSG:2154" in proc.stdout
    curves = pd.read_parquet(out)
    assert set(curves["industry"]) == {"A", "B"}
    hull = np.asarray(bas_rhin.iloc[0].convex_hull.exterior.coords)
    diameter = np.sqrt(((hull[:, None] - hull[None]) ** 2).sum(axis=2)).max()
    np.testing.assert_allclose(curves.groupby("industry")["r"].max(), diameter / 3, rtol=1e-12)
