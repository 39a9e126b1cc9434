"""The Detect and Connect commands, end to end as a subprocess (real data where named)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli


@pytest.fixture(scope="module")
def points_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10 km square: industry A in two tight clusters, B spread evenly, as CSV."""
    rng = np.random.default_rng(7)
    centres = np.array([[2500.0, 2500.0], [7000.0, 6500.0]])
    a = np.vstack([c + rng.normal(0, 150, size=(60, 2)) for c in centres])
    b = rng.uniform(0, 10_000, size=(400, 2))
    frame = pd.DataFrame(
        {
            "x": np.r_[a[:, 0], b[:, 0]],
            "y": np.r_[a[:, 1], b[:, 1]],
            "industry": ["A"] * len(a) + ["B"] * len(b),
            "weight": rng.integers(1, 30, size=len(a) + len(b)),
        }
    )
    path = tmp_path_factory.mktemp("points") / "points.csv"
    frame.to_csv(path, index=False)
    return path


def test_detect_kd_writes_r_kd_and_envelope(points_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "kd.csv"
    proc = run_cli(
        "detect", "kd", "--points", points_csv, "--industry", "A", "--weight-column", "weight",
        "--window", "0,0,10000,10000", "--simulations", "19", "--seed", "1", "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out)
    assert list(table.columns) == ["r", "kd", "kd_weighted", "lower", "upper"]
    assert len(table) == 512 and table["r"].iloc[0] == 0
    # Two clusters of sd 150 m: the density of pair distances peaks at short range, far above
    # the envelope of random location.
    short = table[table["r"] < 300]
    assert (short["kd"] > short["upper"]).all()


def test_detect_m_at_given_distances(points_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    proc = run_cli(
        "detect", "m", "--points", points_csv, "--industry", "A", "--weight-column", "weight",
        "--r", "100,500,1000", "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out)
    assert table["r"].tolist() == [100, 500, 1000]
    assert (table["m"] > 1).all()  # A's neighbours are mostly A: M above 1


def test_detect_kd_refuses_longitude_latitude(tmp_path: Path) -> None:
    path = tmp_path / "lonlat.csv"
    path.write_text("x,y,industry\n7.75,48.58,A\n7.76,48.59,A\n7.74,48.57,B\n")
    out = tmp_path / "kd.csv"
    proc = run_cli("detect", "kd", "--points", path, "--industry", "A", "--output", out)
    assert_one_line_error(proc, "estimate_utm_crs")
    assert_nothing_written(tmp_path, "kd.csv")


def test_detect_footprints_geojson(points_csv: Path, tmp_path: Path) -> None:
    # The 10 km square moved to Paris in Lambert-93 (EPSG:2154), the CRS the command is told.
    lambert = tmp_path / "lambert93.csv"
    moved = pd.read_csv(points_csv)
    moved.assign(x=moved["x"] + 650_000.0, y=moved["y"] + 6_860_000.0).to_csv(lambert, index=False)
    out = tmp_path / "fp.geojson"
    proc = run_cli(
        "detect", "footprints", "--points", lambert, "--industry", "A",
        "--weight-column", "weight", "--crs", "EPSG:2154", "--simulations", "19", "--seed", "3",
        "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    import geopandas

    found = geopandas.read_file(out)
    assert len(found) == 2
    assert found["significant"].all()


def test_detect_footprints_refuses_points_outside_the_crs(points_csv: Path, tmp_path: Path) -> None:
    # x, y in 0-10 km are not Lambert-93 coordinates (France: y from about 6.0 to 7.2 million)
    proc = run_cli(
        "detect", "footprints", "--points", points_csv, "--industry", "A", "--crs", "EPSG:2154",
        "--simulations", "9", "--output", tmp_path / "fp.geojson",
    )  # fmt: skip
    assert_one_line_error(proc, "'--crs'", "EPSG:2154", "far outside")
    assert_nothing_written(tmp_path, "fp.geojson")


def test_detect_eg_on_the_strasbourg_extract(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "eg.csv"
    proc = run_cli("detect", "eg", "--levels", "commune", "--output", out, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"industry", "gamma", "gamma_ms", "gini", "reliable", "attribution"} <= set(rows[0])
    assert {row["level"] for row in rows} == {"commune"}
    assert "INSEE" in rows[0]["attribution"]


def test_metacluster_one_region_per_row(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "meta.csv"
    proc = run_cli(
        "metacluster", "--chain", "microelectronics", "--source", "eu-sbs", "--year", "2014",
        "--size", "12", "--output", out, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out)
    assert list(table.columns)[:4] == ["region", "stage", "score", "reason"]
    assert table["region"].is_unique and 1 <= len(table) <= 12
    stages = {stage for cell in table["stage"] for stage in cell.split("; ")}
    assert stages == {"design", "materials", "equipment", "wafer_fab", "assembly", "end_use"}


def test_valuechain_unknown_region(data_dir: Path) -> None:
    proc = run_cli("valuechain", "--region", "DED9", data=data_dir)
    assert_one_line_error(proc, "DED9")


def test_metacluster_unknown_chain(data_dir: Path, tmp_path: Path) -> None:
    proc = run_cli("metacluster", "--chain", "microelectronix", "--output", tmp_path / "m.csv")
    assert_one_line_error(proc, "microelectronix")


def test_detect_all_ranks_every_industry_and_cleans_up(points_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    proc = run_cli(
        "detect", "all", "--points", points_csv, "--min-plants", "10", "--simulations", "19",
        "--seed", "3", "--window", "0,0,10000,10000", "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    curves = pd.read_parquet(out)
    assert set(curves["industry"]) == {"A", "B"}
    with (tmp_path / "all_summary.csv").open(newline="") as handle:
        summary = list(csv.DictReader(handle))
    # A (two tight clusters) is the most localised; B is spread like the sites.
    assert [row["industry"] for row in summary] == ["A", "B"]
    assert summary[0]["localised"] == "True" and float(summary[0]["pvalue"]) == 1 / 20
    assert float(summary[0]["gamma"]) > 10 * float(summary[1]["gamma"])
    # B can be localised at some distances too: the null draws from every site, A's
    # clusters included, so spreading evenly is unusual under it.
    localised = sum(row["localised"] == "True" for row in summary)
    assert f"2 industries measured ({localised} localised" in proc.stdout
    assert not (tmp_path / "all.parquet.partial").exists()


def test_detect_all_bad_output_writes_nothing(points_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    proc = run_cli("detect", "all", "--points", points_csv, "--output", out)
    assert_one_line_error(proc, "'--output' option takes a .parquet file")
    assert_nothing_written(tmp_path, "all.csv")
    assert_nothing_written(tmp_path, "all_summary.csv")


def test_detect_kd_approx_uses_the_tests_cells_for_curve_and_band(
    points_csv: Path, tmp_path: Path
) -> None:
    from clusteratlas.measures.pointpattern import kd_test

    out = tmp_path / "kd.csv"
    proc = run_cli(
        "detect", "kd", "--points", points_csv, "--industry", "A", "--window",
        "0,0,10000,10000", "--simulations", "9", "--seed", "1", "--approx", "--cell", "50",
        "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Approximate Kd from 50.0 m cells: error measured on a sample" in proc.stdout
    table = pd.read_csv(out)
    direct = kd_test(
        pd.read_csv(points_csv, dtype={"industry": str}), industry="A",
        window=(0, 0, 10_000, 10_000), simulations=9, rng=1, approx=True, cell=50.0,
    )  # fmt: skip
    np.testing.assert_allclose(table["kd"], direct.statistic, rtol=1e-12, atol=0)
    np.testing.assert_allclose(table["upper"], direct.upper, rtol=1e-12, atol=0)


def test_detect_cell_without_approximation_is_refused(points_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "kd.csv"
    proc = run_cli(
        "detect", "kd", "--points", points_csv, "--industry", "A", "--cell", "50",
        "--output", out,
    )  # fmt: skip
    assert_one_line_error(proc, "'--cell' option is the grid of '--approx'")
    assert_nothing_written(tmp_path, "kd.csv")
    proc = run_cli(
        "detect", "all", "--points", points_csv, "--cell", "50", "--output",
        tmp_path / "all.parquet",
    )  # fmt: skip
    assert_one_line_error(proc, "'--cell' option is the grid of '--approx-from'")
    assert_nothing_written(tmp_path, "all.parquet")


def test_detect_all_approximates_from_the_threshold(points_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    proc = run_cli(
        "detect", "all", "--points", points_csv, "--min-plants", "10", "--simulations", "9",
        "--seed", "3", "--window", "0,0,10000,10000", "--approx-from", "200", "--cell", "50",
        "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = pd.read_csv(tmp_path / "all_summary.csv").set_index("industry")
    # A has 120 plants (exact), B 400 (gridded).
    assert np.isnan(summary.loc["A", "error_bound"]) and summary.loc["B", "error_bound"] > 0
    assert "1 industry measured from gridded counts" in proc.stdout


def test_detect_all_engine_options_are_checked_before_any_work(
    points_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "all.parquet"
    proc = run_cli("detect", "all", "--points", points_csv, "--engine", "dask", "--output", out)
    assert_one_line_error(proc, "takes `local` or `spark`. Got 'dask'")
    proc = run_cli(
        "detect", "all", "--points", points_csv, "--spark-master", "spark://127.0.0.1:9",
        "--output", out,
    )  # fmt: skip
    assert_one_line_error(proc, "'--spark-master' option needs '--engine spark'")
    # An unreachable master is named before any industry is measured.
    proc = run_cli(
        "detect", "all", "--points", points_csv, "--engine", "spark", "--spark-master",
        "spark://127.0.0.1:9", "--output", out,
    )  # fmt: skip
    assert_one_line_error(proc, r"spark://127.0.0.1:9 cannot be reached")
    assert_nothing_written(tmp_path, "all.parquet")
    assert not (tmp_path / "all.parquet.partial").exists()
