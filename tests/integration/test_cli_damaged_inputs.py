"""Damaged inputs named on one line: truncated or corrupt ``.gz`` files, lon/lat with --window.

Before, a ``.gz`` cut short by an interrupted download made the command line answer
"Aborted." (Click's reply to ``EOFError``), and points in degrees passed the CRS check as
soon as a ``--window`` in metres was given.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli
from test_cli import CBP_FILE, SBS_FILE, VALID_BODY, eu_mirror

from clusteratlas.errors import ParameterError
from clusteratlas.measures import kd


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupt(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    for i in range(20, len(data) - 8):  # damage the deflate stream, keep the gzip header
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def big_body() -> list[str]:
    """Enough lines that half the compressed bytes end inside the deflate stream."""
    years = (2015, 2014, 2013, 2012, 2011, 2010, 2009, 2008)
    rng = np.random.default_rng(3)
    lines = list(VALID_BODY)
    for i in range(3000):
        values = "\t".join(f"{rng.integers(1, 9999)} " for _ in years)
        lines.append(f"C{10 + i % 20},V16110,DE{i % 90 + 10}\t{values}")
    return lines


@pytest.mark.parametrize(("damage", "word"), [(truncate, "truncated"), (corrupt, "corrupt")])
def test_map_damaged_eurostat_gz(tmp_path: Path, data_dir: Path, damage, word: str) -> None:
    mirror = eu_mirror(tmp_path / "mirror", data_dir, big_body())
    damage(mirror / SBS_FILE)
    proc = run_cli(
        "map", "--source", "eu-sbs", "--year", "2014", "--output", "out.csv",
        "--db", tmp_path / "db.duckdb", data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, str(mirror / SBS_FILE), word)
    assert "Aborted" not in proc.stderr + proc.stdout
    assert_nothing_written(tmp_path, "out.csv")


def test_map_truncated_cbp_gz(tmp_path: Path, data_dir: Path) -> None:
    mirror = tmp_path / "mirror"
    definitions = "clusters/us_benchmark_clusters_naics.csv"
    (mirror / definitions).parent.mkdir(parents=True)
    shutil.copy(data_dir / definitions, mirror / definitions)
    (mirror / CBP_FILE).parent.mkdir(parents=True)
    rows = ["cbsa_code,naics_code,naics_level,EMP,ESTAB"] + [
        f"{10000 + i},{334111 + i % 50},6,{i % 997},{i % 13 + 1}" for i in range(20000)
    ]
    with gzip.open(mirror / CBP_FILE, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")
    truncate(mirror / CBP_FILE)
    proc = run_cli(
        "map", "--source", "us-cbp", "--output", "out.csv", "--db", tmp_path / "db.duckdb",
        data=mirror, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, str(mirror / CBP_FILE), "truncated")
    assert_nothing_written(tmp_path, "out.csv")


def test_detect_eg_truncated_sirene_gz(tmp_path: Path) -> None:
    path = tmp_path / "StockEtablissement.csv.gz"
    header = (
        "siret,activitePrincipaleEtablissement,trancheEffectifsEtablissement,"
        "codeCommuneEtablissement,x,y"
    )
    rows = [header] + [
        f"{10_000_000_000_000 + i},62.01Z,03,67482,{1_050_000 + i % 5000},{6_840_000 + i % 3000}"
        for i in range(20000)
    ]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")
    truncate(path)
    proc = run_cli(
        "detect", "eg", "--establishments", path, "--layout", "sirene", "--levels", "commune",
        "--output", tmp_path / "eg.csv",
    )  # fmt: skip
    assert_one_line_error(proc, str(path), "truncated")
    assert_nothing_written(tmp_path, "eg.csv")


def test_detect_kd_truncated_points_gz(tmp_path: Path) -> None:
    path = tmp_path / "points.csv.gz"
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "x": rng.uniform(0, 10_000, 20000),
            "y": rng.uniform(0, 10_000, 20000),
            "industry": rng.choice(["A", "B"], 20000),
        }
    )
    frame.to_csv(path, index=False)
    truncate(path)
    proc = run_cli(
        "detect", "kd", "--points", path, "--industry", "A", "--output", tmp_path / "kd.csv"
    )
    assert_one_line_error(proc, str(path), "truncated")
    assert_nothing_written(tmp_path, "kd.csv")


def lonlat_points() -> pd.DataFrame:
    """Establishments around Strasbourg in degrees (EPSG:4326), not metres."""
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "x": 7.75 + rng.normal(0, 0.02, 60),
            "y": 48.58 + rng.normal(0, 0.02, 60),
            "industry": ["A"] * 20 + ["B"] * 40,
        }
    )


@pytest.mark.parametrize("command", ["kd", "m", "k"])
def test_detect_refuses_lonlat_even_with_a_window(tmp_path: Path, command: str) -> None:
    path = tmp_path / "points.csv"
    lonlat_points().to_csv(path, index=False)
    proc = run_cli(
        "detect", command, "--points", path, "--industry", "A",
        "--window", "0,0,10000,10000", "--output", tmp_path / "out.csv",
    )  # fmt: skip
    assert_one_line_error(proc, "projected coordinates in metres", "longitude/latitude")
    assert_nothing_written(tmp_path, "out.csv")


def test_kd_refuses_lonlat_with_a_window_in_metres() -> None:
    with pytest.raises(ParameterError, match="longitude/latitude"):
        kd(lonlat_points(), industry="A", window=(0, 0, 10_000, 10_000))
    with pytest.raises(ParameterError, match="longitude/latitude"):  # as without a window
        kd(lonlat_points(), industry="A")
