"""Command-line tests of the maps: honest GeoJSON, clear errors before anything is written.

Every error must come back as ONE line on stderr naming the option typed, with exit status 1
and no output file (see ``_cli.assert_one_line_error``). Real-data runs use the mirror
(``CLUSTERATLAS_DATA``) and one store per module.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

LOS_ANGELES = "31080"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the real-data runs of this module, so the real files are parsed once."""
    return tmp_path_factory.mktemp("store") / "atlas.duckdb"


def test_geojson_export_writes_a_feature_per_row(tmp_path: Path, data_dir: Path, db: Path) -> None:
    out = tmp_path / "us.geojson"
    proc = run_cli(
        "map", "--source", "us-cbp", "--year", "2019", "--rules", "uscmp", "--output", out,
        "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    rows = int(proc.stdout.split("Wrote ")[1].split(" features")[0].replace(",", ""))
    assert len(features) == rows
    # the 16 micropolitan areas created in 2018 are not in the 2017 crosswalk
    assert "16 CBSAs without a shape" in " ".join(proc.stdout.split())
    nulls = {f["properties"]["region"] for f in features if f["geometry"] is None}
    assert len(nulls) == 16 and LOS_ANGELES not in nulls
    la = next(f for f in features if f["properties"]["region"] == LOS_ANGELES)
    assert la["properties"]["region_name"].startswith("Los Angeles")


def normalised(text: str) -> str:
    """Collapse whitespace (rich wraps long lines at word boundaries)."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- bad inputs


def test_map_register_path_that_does_not_exist(tmp_path: Path) -> None:
    proc = run_cli(
        "map", "--establishments", "nothere/", "--output", "out.csv", cwd=tmp_path
    )  # fmt: skip
    assert_one_line_error(proc, "'--establishments'", "nothere/", "Parquet")
    assert_nothing_written(tmp_path, "out.csv")


def test_map_register_given_as_csv(tmp_path: Path) -> None:
    register = tmp_path / "StockEtablissement.csv"
    register.write_text("siret,activitePrincipaleEtablissement\n1,62.01Z\n", encoding="utf-8")
    proc = run_cli(
        "map", "--establishments", register, "--output", "out.csv", cwd=tmp_path
    )  # fmt: skip
    assert_one_line_error(proc, "'--establishments'", "not a Parquet file", register.name)
    assert_nothing_written(tmp_path, "out.csv")


def test_atlas_unknown_png_category_writes_nothing(
    tmp_path: Path, data_dir: Path, db: Path
) -> None:
    proc = run_cli(
        "atlas", "--png", "C99", "--output", "atlas.html", "--db", db, data=data_dir, cwd=tmp_path
    )  # fmt: skip
    assert_one_line_error(proc, "'--png'", "C99")
    assert_nothing_written(tmp_path, "atlas.html")
    assert list(tmp_path.glob("*.png")) == []


def test_atlas_nuts2016_region_is_explained(tmp_path: Path, data_dir: Path, db: Path) -> None:
    proc = run_cli(
        "atlas", "--region", "FRK2", "--output", "atlas.html", "--db", db, data=data_dir,
        cwd=tmp_path,
    )  # fmt: skip
    line = assert_one_line_error(proc, "'--region'", "FRK2", "NUTS 2010/2013", "FR71 Rhône-Alpes")
    assert "portfolio_region" not in line
    assert "Did you mean 'FRA2'" not in line  # not an overseas look-alike
    assert_nothing_written(tmp_path, "atlas.html")


def test_codes_and_rule_set_names_in_any_case(tmp_path: Path, data_dir: Path, db: Path) -> None:
    proc = run_cli(
        "portfolio", "ded2", "--rules", "ECO2007", "--db", db, data=data_dir, cwd=tmp_path
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Cluster portfolio of Dresden (DED2)" in normalised(proc.stdout)


# --------------------------------------------------------------------------- honest numbers


def _raw_sbs_cell(data_dir: Path, key: str, year: int) -> str:
    with gzip.open(data_dir / "eu" / "sbs_r_nuts06_r2.tsv.gz", "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        column = [label.strip() for label in header].index(str(year))
        for line in handle:
            cells = line.rstrip("\n").split("\t")
            if cells[0] == key:
                return cells[column].strip()
    raise AssertionError(f"{key} not in the file")


def test_dresden_c29_growth_is_a_break(tmp_path: Path, data_dir: Path, db: Path) -> None:
    # the 2009 value of persons employed in Dresden C29 is flagged d (definition differs)
    assert _raw_sbs_cell(data_dir, "C29,V16110,DED2", 2009).endswith(" d")
    out = tmp_path / "eu.csv"
    proc = run_cli(
        "map", "--year", "2014", "--rules", "eco2007", "--output", out, "--db", db, data=data_dir
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = {(r["region"], r["category"]): r for r in csv.DictReader(handle)}
    dresden = rows[("DED2", "C29")]
    assert dresden["growth"] == "" and dresden["lq_change"] == ""
    assert dresden["growth_note"].startswith("break: 2009 value flagged d")
    # no growth value anywhere rests on a break
    assert all(r["growth"] == "" for r in rows.values() if r["growth_note"])
    proc = run_cli(
        "portfolio", "DED2", "--rules", "eco2007", "--db", db, data=data_dir
    )  # fmt: skip
    c29 = next(line for line in proc.stdout.splitlines() if " C29 " in line)
    assert "break" in c29


def test_strength_counts_declared_clusters(tmp_path: Path, data_dir: Path, db: Path) -> None:
    mapped = tmp_path / "eu.csv"
    proc = run_cli(
        "map", "--rules", "eco2007", "--output", mapped, "--db", db, data=data_dir
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    total = in_clusters = 0.0
    with mapped.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["region"] == "FR10" and row["employment"]:
                total += float(row["employment"])
                if int(row["stars"] or 0) >= 2:
                    in_clusters += float(row["employment"])
    out = tmp_path / "strength.csv"
    proc = run_cli(
        "strength", "--source", "eu-sbs", "--rules", "eco2007", "--output", out,
        "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "stars >= 2" in normalised(proc.stdout)
    with out.open(newline="", encoding="utf-8") as handle:
        paris = next(r for r in csv.DictReader(handle) if r["region"] == "FR10")
    assert float(paris["cluster_strength"]) == pytest.approx(in_clusters / total, rel=1e-9)
    assert float(paris["cluster_strength"]) < 0.9  # not ~99.8 % as with any star
    proc3 = run_cli(
        "strength", "--source", "eu-sbs", "--rules", "eco2007", "--min-stars", "3",
        "--output", out, "--db", db, data=data_dir,
    )  # fmt: skip
    assert "stars >= 3" in normalised(proc3.stdout)


def test_rule_set_for_another_source_and_partial_year_warn(
    tmp_path: Path, data_dir: Path, db: Path
) -> None:
    proc = run_cli(
        "map", "--rules", "uscmp", "--output", tmp_path / "x.csv", "--db", db, data=data_dir
    )  # fmt: skip
    assert "warning: rule-set 'uscmp' is meant for us-cbp" in normalised(proc.stderr)
    proc = run_cli(
        "map", "--year", "2015", "--output", tmp_path / "y.csv", "--db", db, data=data_dir
    )  # fmt: skip
    text = normalised(proc.stderr)
    assert "warning: 2015 covers" in text
    assert all(country in text for country in ("FR", "IT", "NL", "SE"))


def test_synthetic_register_is_attributed_as_synthetic(tmp_path: Path, data_dir: Path) -> None:
    # The generator draws its NAF x size-band mix from the real Strasbourg extract (not
    # packaged): the test needs the data mirror, as `data_dir` says (skipped only when
    # pytest runs --without-data).
    pytest.importorskip("pyarrow")
    proc = run_cli(
        "register", "generate", "--n", "500", "--output", tmp_path / "reg", "--seed", "2"
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "fr.csv"
    proc = run_cli(
        "map", "--establishments", tmp_path / "reg", "--region-level", "departement",
        "--output", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        attribution = next(csv.DictReader(handle))["attribution"]
    assert attribution.startswith("Synthetic register")
    assert "Source: INSEE, SIRENE" not in attribution
