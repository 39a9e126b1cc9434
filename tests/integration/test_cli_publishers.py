"""The command line on current statistics fetched from the publishers (a loopback server).

``clusteratlas map --source us-cbp --year 2016`` and ``--source eu-sbs-nuts2021`` run as real
subprocesses; their downloads go to the loopback server standing in for the Census Bureau,
Eurostat and GISCO (``CLUSTERATLAS_DOWNLOAD_BASE``); every other address goes to a closed
loopback port.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _cli import CLOSED_LOOPBACK, assert_one_line_error

from _publisher_files import GEOJSON, HOST_PATH, LAYOUT_2016, ROWS, sdmx_csv, zipped


def run(*args: str, base: str, data: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CLUSTERATLAS_DATA=str(data), CLUSTERATLAS_DOWNLOAD_BASE=base)
    env.pop("CLUSTERATLAS_DEBUG", None)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = CLOSED_LOOPBACK
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"  # only the stand-in publishers answer
    env["COLUMNS"] = "400"
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "clusteratlas.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_map_us_cbp_2016_from_the_census_metro_file(publisher_server, data_dir, tmp_path):
    publisher_server.put(
        "www2.census.gov/programs-surveys/cbp/datasets/2016/cbp16msa.zip",
        zipped("cbp16msa.txt", LAYOUT_2016),
    )
    proc = run(
        "map", "--source", "us-cbp", "--year", "2016", "--rules", "uscmp",
        "--output", "us16.csv", base=publisher_server.base, data=data_dir, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "us16.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    aerospace = [
        row
        for row in rows
        if row["region"] == "31080" and row["category"] == "Aerospace Vehicles and Defense"
    ]
    assert float(aerospace[0]["employment"]) == 52003
    said = " ".join((proc.stdout + proc.stderr).split())
    assert "CBP 2016 codes industries in NAICS 2012" in said


def test_a_year_without_a_cbp_file_is_one_line(publisher_server, data_dir, tmp_path):
    proc = run(
        "map", "--source", "us-cbp", "--year", "2011", "--output", "us.csv",
        base=publisher_server.base, data=data_dir, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, "'year'", "2012–2022", "2011")
    assert not (tmp_path / "us.csv").exists()
    assert sum(publisher_server.requests.values()) == 0


def test_map_eu_sbs_nuts2021_to_geojson(publisher_server, data_dir, tmp_path):
    publisher_server.put(HOST_PATH, gzip.compress(sdmx_csv(ROWS).encode()))
    publisher_server.put(
        "gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
        "NUTS_RG_20M_2021_4326_LEVL_2.geojson",
        GEOJSON,
    )
    proc = run(
        "map", "--source", "eu-sbs-nuts2021", "--year", "2021", "--output", "eu.geojson",
        base=publisher_server.base, data=data_dir, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    features = json.loads((tmp_path / "eu.geojson").read_text(encoding="utf-8"))["features"]
    dresden = [f for f in features if f["properties"]["region"] == "DED2"]
    assert dresden, features
    assert dresden[0]["geometry"] is not None
    assert dresden[0]["properties"]["employment"] == 21384


def _cbp_2017_2018_file(values: dict[tuple[str, str], int]) -> str:
    """A metro file of the 2017-2021 layout holding the given (CBSA, NAICS) employment."""
    header = LAYOUT_2016.splitlines()[0].lower().replace('"empflag",', "")
    header = header.replace('"emp_nf"', '"emp_nf"').replace('"n1_4"', '"n<5"')
    rows = [header]
    for (cbsa, naics), emp in values.items():
        rows.append(f'"{cbsa}","{naics}","G",{emp},"G",1,"G",1,3' + ',"N"' * 13)
    return "\n".join(rows) + "\n"


def test_shiftshare_between_two_cbp_years_on_paper(publisher_server, data_dir, tmp_path):
    # Two CBSAs x two traded industries, 2017 and 2018 (one file per year, as published).
    y2017 = {("10180", "336411"): 100, ("10180", "541511"): 200,
             ("31080", "336411"): 300, ("31080", "541511"): 400}  # fmt: skip
    y2018 = {("10180", "336411"): 120, ("10180", "541511"): 180,
             ("31080", "336411"): 330, ("31080", "541511"): 500}  # fmt: skip
    for year, values in ((2017, y2017), (2018, y2018)):
        short = str(year)[2:]
        publisher_server.put(
            f"www2.census.gov/programs-surveys/cbp/datasets/{year}/cbp{short}msa.zip",
            zipped(f"cbp{short}msa.txt", _cbp_2017_2018_file(values)),
        )
    proc = run(
        "shiftshare", "--source", "us-cbp", "--from", "2017", "--to", "2018",
        "--region", "10180", "--output", "ss.csv", "--db", str(tmp_path / "db.duckdb"),
        base=publisher_server.base, data=data_dir, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "ss.csv").open(encoding="utf-8") as handle:
        rows = {row["industry"]: row for row in csv.DictReader(handle)}
    # National growth 1000 -> 1130: 0.13. 336411: 400 -> 450 (0.125); 541511: 600 -> 680.
    # 10180 x 336411: change 20 = national 13 + mix 100 (0.125 - 0.13) = -0.5 + competitive
    # 100 (0.2 - 0.125) = 7.5.  10180 x 541511: change -20 = 26 + 200 (0.1333 - 0.13) =
    # 0.6667 + 200 (-0.1 - 0.1333) = -46.6667.
    expected = {"336411": (20, 13, -0.5, 7.5), "541511": (-20, 26, 2 / 3, -140 / 3)}
    for code, values in expected.items():
        got = tuple(float(rows[code][c]) for c in ("change", "national", "mix", "competitive"))
        assert got == pytest.approx(values, rel=1e-12)
        assert rows[code]["status"] == "ok"
    assert "Census" in rows["336411"]["attribution"]


def test_shiftshare_names_a_missing_cbp_year(publisher_server, data_dir, tmp_path):
    proc = run(
        "shiftshare", "--source", "us-cbp", "--from", "2010", "--to", "2018",
        base=publisher_server.base, data=data_dir, cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(proc, "us-cbp has no data for 2010", "2012–2022")
    assert sum(publisher_server.requests.values()) == 0
