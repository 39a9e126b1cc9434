"""The map commands as users type them: compare, rank, portfolio, tables, export, calibrate, atlas.

Each command's output is compared cell by cell with the map the ``map`` command writes for the
same source, year and rule-set (the map's own numbers are checked against the raw files in
tests/e2e/test_map_real.py); the calibration is checked by mapping with the threshold it
prints and counting the specialisations in the written file. One store for the module, so
the real SBS file is parsed once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

# EU-27 (2020): the Panorama 2021 scope, written out by hand (Greece is EL in NUTS)
EU27 = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]
YEAR = "2014"
EU = ("--source", "eu-sbs", "--year", YEAR, "--rules", "eco2007")


def normalised(text: str) -> str:
    return " ".join(text.split())


def table_rows(stdout: str) -> list[list[str]]:
    """The body rows of a rich table, as lists of stripped cells."""
    rows = []
    for line in stdout.splitlines():
        if line.startswith("│") and line.endswith("│"):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store") / "atlas.duckdb"


@pytest.fixture(scope="module")
def eu_map(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, db: Path) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("map") / "eu.csv"
    proc = run_cli("map", *EU, "--output", out, "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(out, dtype={"region": str, "category": str})
    assert len(frame) > 1000 and frame["region"].nunique() > 200
    return frame


def test_compare_shows_the_map_values_of_each_region(
    tmp_path: Path, data_dir: Path, db: Path, eu_map: pd.DataFrame
) -> None:
    out = tmp_path / "compare.csv"
    regions = ["DED2", "FR10", "ITC4"]
    proc = run_cli("compare", *regions, *EU, "--output", out, "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    assert f"lq by category, {YEAR}" in normalised(proc.stdout)
    wide = pd.read_csv(out, dtype={"category": str})
    assert [c for c in wide.columns if c in regions] == regions
    expected = eu_map[eu_map["region"].isin(regions)].pivot(
        index="category", columns="region", values="lq"
    )
    got = wide.set_index("category")[regions]
    assert sorted(got.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(
        got.sort_index(), expected[regions].sort_index(), check_names=False, rtol=1e-9
    )


def test_compare_another_measure(
    tmp_path: Path, data_dir: Path, db: Path, eu_map: pd.DataFrame
) -> None:
    out = tmp_path / "compare.csv"
    proc = run_cli(
        "compare", "DED2", "DE11", *EU, "--measure", "employment", "--output", out, "--db", db,
        data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    wide = pd.read_csv(out, dtype={"category": str}).set_index("category")
    c29 = eu_map[eu_map["category"] == "C29"].set_index("region")["employment"]
    assert wide.loc["C29", "DED2"] == pytest.approx(c29["DED2"])
    assert wide.loc["C29", "DE11"] == pytest.approx(c29["DE11"])


def test_rank_lists_the_highest_lq_first(data_dir: Path, db: Path, eu_map: pd.DataFrame) -> None:
    proc = run_cli("rank", "C29", *EU, "--top", "5", "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    assert "Regions ranked by lq: C29" in normalised(proc.stdout)
    rows = table_rows(proc.stdout)
    c29 = eu_map[(eu_map["category"] == "C29") & eu_map["lq"].notna()]
    top = c29.sort_values("lq", ascending=False).head(5)
    assert [row[1] for row in rows] == top["region"].tolist()
    assert [row[0] for row in rows] == ["1", "2", "3", "4", "5"]


def test_portfolio_writes_the_regions_rows_of_the_map(
    tmp_path: Path, data_dir: Path, db: Path, eu_map: pd.DataFrame
) -> None:
    out = tmp_path / "dresden.csv"
    proc = run_cli("portfolio", "DED2", *EU, "--output", out, "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    assert f"Cluster portfolio of Dresden (DED2), {YEAR}" in normalised(proc.stdout)
    assert f"Wrote {out}" in normalised(proc.stdout)
    rows = pd.read_csv(out, dtype={"region": str, "category": str}).set_index("category")
    mapped = eu_map[eu_map["region"] == "DED2"].set_index("category")
    assert sorted(rows.index) == sorted(mapped.index)
    pd.testing.assert_series_equal(
        rows["lq"].sort_index(), mapped["lq"].sort_index(), check_names=False, rtol=1e-9
    )
    # shares of the region's employment add up to one over its categories
    assert rows["share_of_region"].sum() == pytest.approx(1.0, rel=1e-6)
    assert rows["share_of_region"]["C29"] == pytest.approx(
        mapped["employment"]["C29"] / mapped["employment"].sum(), rel=1e-9
    )


def test_tables_lists_the_map_and_export_writes_it_again(
    tmp_path: Path, data_dir: Path, db: Path, eu_map: pd.DataFrame
) -> None:
    proc = run_cli("tables", "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    lines = [
        line for line in proc.stdout.splitlines() if "source=eu-sbs" in line and "year=2014" in line
    ]
    maps = [line.split()[0] for line in lines if "rules=eco2007" in line]
    assert len(maps) == 1, proc.stdout
    csv_out = tmp_path / "export.csv"
    proc = run_cli("export", maps[0], "--output", csv_out, "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    assert f"Wrote {len(eu_map):,} rows to {csv_out}" in normalised(proc.stdout)
    exported = pd.read_csv(csv_out, dtype={"region": str, "category": str})
    key = ["region", "category"]
    both = exported.merge(eu_map, on=key, suffixes=("", "_map"))
    assert len(both) == len(eu_map)
    pd.testing.assert_series_equal(both["lq"], both["lq_map"], check_names=False)
    assert exported["attribution"].str.contains("Eurostat").all()
    geo_out = tmp_path / "export.geojson"
    proc = run_cli("export", maps[0], "--output", geo_out, "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    features = json.loads(geo_out.read_text(encoding="utf-8"))["features"]
    assert len(features) == len(eu_map)
    dresden = next(f for f in features if f["properties"]["region"] == "DED2")
    assert dresden["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_export_of_an_unknown_table_writes_nothing(
    tmp_path: Path, data_dir: Path, db: Path
) -> None:
    proc = run_cli(
        "export", "map_nowhere", "--output", "x.csv", "--db", db, data=data_dir, cwd=tmp_path
    )
    assert_one_line_error(proc, "map_nowhere")
    assert_nothing_written(tmp_path, "x.csv")


def test_calibrated_threshold_reproduces_its_count(
    tmp_path: Path, data_dir: Path, db: Path
) -> None:
    proc = run_cli("calibrate", "--year", YEAR, "--db", db, data=data_dir)
    assert proc.returncode == 0, proc.stderr
    text = normalised(proc.stdout)
    found = re.search(
        r"LQ >= ([\d.]+) \(any cut-off in \(([\d.]+), ([\d.]+)\]\) with employment >= ([\d,]+): "
        r"([\d,]+) cells \(target 1,501\) in (\d+) regions \(target 201\)",
        text,
    )
    assert found, text
    threshold, lower, upper = (float(found[i]) for i in (1, 2, 3))
    count, regions = int(found[5].replace(",", "")), int(found[6])
    assert lower < threshold == upper
    advice = text.split("Use it: ")[1].split()
    assert advice[:6] == [
        "--rules", "panorama2021", "--set", f"specialised.lq={found[1]}", "--set",
        "specialised.employment=0",
    ]  # fmt: skip
    # the count is over the EU-27 regions (Panorama 2021): the advice must say so, or a map
    # of every region in the file (UK, Norway … too) finds hundreds more cells
    assert advice[6] == "--countries"
    assert advice[7].split(",") == sorted(EU27)
    out = tmp_path / "panorama.csv"
    proc = run_cli(
        "map", "--source", "eu-sbs", "--year", YEAR, *advice, "--output", out, "--db", db,
        data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    mapped = pd.read_csv(out, dtype={"region": str, "category": str})
    specialised = mapped[mapped["specialised"].astype(str).str.lower().isin({"true", "1"})]
    # the map with the printed threshold finds the printed number of cells and regions …
    assert len(specialised) == count
    assert specialised["region"].nunique() == regions
    # … and every specialised cell has an LQ at or above it (printed to 4 decimals)
    assert (specialised["lq"] >= threshold - 5e-5).all()


def test_atlas_writes_the_report_and_the_png(tmp_path: Path, data_dir: Path, db: Path) -> None:
    out = tmp_path / "atlas.html"
    proc = run_cli(
        "atlas", *EU, "--region", "DED2", "--png", "C29", "--output", out, "--db", db,
        data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.resolve().as_uri() in normalised(proc.stdout).replace(" ", "")
    html = out.read_text(encoding="utf-8")
    assert "DED2" in html and "Dresden" in html
    pngs = [Path(p) for p in re.findall(r"Wrote (\S+\.png)", proc.stdout)]
    # the --png category's LQ map and the --region's portfolio chart, beside the report
    assert sorted(p.name for p in pngs) == ["atlas_c29_lq.png", "atlas_portfolio_DED2.png"]
    assert all(p.parent == tmp_path for p in pngs)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


def test_map_of_some_countries_keeps_only_their_regions(
    tmp_path: Path, data_dir: Path, db: Path, eu_map: pd.DataFrame
) -> None:
    out = tmp_path / "defr.csv"
    proc = run_cli(
        "map", *EU, "--countries", "de, fr", "--reference", "country", "--output", out,
        "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(out, dtype={"region": str, "category": str})
    assert set(frame["region"].str[:2]) == {"DE", "FR"}
    expected = eu_map.loc[eu_map["region"].str[:2].isin({"DE", "FR"}), "region"]
    assert set(frame["region"]) == set(expected)
    # against its own country, Dresden's C29 LQ is not its LQ against all mapped regions
    own = frame.set_index(["region", "category"])["lq"]
    everyone = eu_map.set_index(["region", "category"])["lq"]
    assert own[("DED2", "C29")] != pytest.approx(everyone[("DED2", "C29")], rel=1e-3)
