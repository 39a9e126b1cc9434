"""End-to-end tests of the readers on the real data sets (skipped without the mirror).

Spot values are computed independently from the raw files with the standard library.
"""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def raw_sbs_value(path: Path, key: str, year: int) -> tuple[str, str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows)
        column = [field.strip() for field in header].index(str(year))
        for row in rows:
            if row[0] == key:
                number, _, flags = row[column].partition(" ")
                return number, flags.strip()
    raise AssertionError(f"{key} not found")


def raw_cbp_row(path: Path, cbsa: str, naics: str) -> dict[str, str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["cbsa_code"] == cbsa and row["naics_code"] == naics:
                return row
    raise AssertionError(f"{cbsa}/{naics} not found")


@pytest.fixture(scope="module")
def sbs(data_dir: Path):
    from clusteratlas.data.eurostat import read_eurostat_sbs

    return read_eurostat_sbs(data_dir / "eu" / "sbs_r_nuts06_r2.tsv.gz")


@pytest.fixture(scope="module")
def cbp(data_dir: Path):
    from clusteratlas.data.cbp import read_cbp

    return read_cbp(data_dir / "us" / "cbp2019_cbsa_naics.csv.gz")


def pick(frame, region: str, industry: str, year: int | None = None):
    mask = (frame["region"] == region) & (frame["industry"] == industry)
    if year is not None:
        mask &= frame["year"] == year
    match = frame[mask]
    assert len(match) == 1
    return match.iloc[0]


def test_sbs_spot_value(data_dir: Path, sbs) -> None:
    frame = sbs
    path = data_dir / "eu" / "sbs_r_nuts06_r2.tsv.gz"
    number, flags = raw_sbs_value(path, "C26,V16110,DE11", 2014)
    row = pick(frame, "DE11", "C26", 2014)
    assert row["employment"] == float(number)
    assert row["employment_flag"] == flags
    number, flags = raw_sbs_value(path, "C26,V16110,DE11", 2008)
    row = pick(frame, "DE11", "C26", 2008)
    assert row["employment"] == float(number)
    assert row["employment_flag"] == flags == "d"


def test_sbs_wages_and_units(data_dir: Path, sbs) -> None:
    frame = sbs
    number, _ = raw_sbs_value(data_dir / "eu" / "sbs_r_nuts06_r2.tsv.gz", "C26,V13320,DE11", 2014)
    assert pick(frame, "DE11", "C26", 2014)["wages"] == pytest.approx(float(number))


def test_sbs_confidential_cells_are_nan(sbs) -> None:
    frame = sbs
    confidential = frame["employment_flag"].str.contains("c")
    assert confidential.sum() > 1000
    assert frame.loc[confidential, "employment"].isna().all()
    assert (frame["employment"].dropna() >= 0).all()


def test_sbs_shape(sbs) -> None:
    frame = sbs
    assert frame["region"].str.len().eq(4).all()
    assert frame["industry"].str.fullmatch(r"[A-U]\d{2}").all()
    assert set(frame["year"]) == set(range(2008, 2016))
    assert {"FRZZ", "ESZZ"} <= set(frame["region"])
    assert frame["region"].nunique() > 300


def test_sbs_groups(data_dir: Path) -> None:
    from clusteratlas.data.eurostat import read_eurostat_sbs

    path = data_dir / "eu" / "sbs_r_nuts06_r2.tsv.gz"
    frame = read_eurostat_sbs(path, nuts_level=0, nace_level="group", years=[2014])
    number, flags = raw_sbs_value(path, "G451,V11210,DE", 2014)
    row = pick(frame, "DE", "G451", 2014)
    if number == ":" or "c" in flags:
        assert math.isnan(row["establishments"])
    else:
        assert row["establishments"] == float(number)
    assert set(frame["industry"].str.len()) == {4}


def test_cbp_spot_value(data_dir: Path, cbp) -> None:
    raw = raw_cbp_row(data_dir / "us" / "cbp2019_cbsa_naics.csv.gz", "44020", "2211")
    row = pick(cbp, "44020", "2211")
    assert row["employment"] == float(raw["EMP"])
    assert row["establishments"] == float(raw["ESTAB"])
    assert row["year"] == 2019


def test_cbp_suppressed_cell(data_dir: Path, cbp) -> None:
    raw = raw_cbp_row(data_dir / "us" / "cbp2019_cbsa_naics.csv.gz", "45220", "42392")
    assert raw["EMP"] == "0"
    assert int(raw["ESTAB"]) > 0
    row = pick(cbp, "45220", "42392")
    assert math.isnan(row["employment"])
    assert row["employment_flag"] == "D"
    assert row["establishments"] == float(raw["ESTAB"])


def test_cbp_counts(data_dir: Path, cbp) -> None:
    with gzip.open(data_dir / "us" / "cbp2019_cbsa_naics.csv.gz", "rt") as handle:
        rows = list(csv.DictReader(handle))
    suppressed = sum(1 for r in rows if r["EMP"] == "0" and int(r["ESTAB"]) > 0)
    assert len(cbp) == len(rows)
    assert cbp["employment"].isna().sum() == suppressed
    assert cbp["region"].nunique() == len({r["cbsa_code"] for r in rows})
    assert cbp["region"].str.fullmatch(r"\d{5}").all()


def test_cbp_codes_agree_with_naics_list(data_dir: Path, cbp) -> None:
    from clusteratlas.data.classifications import naics_codes, naics_label

    known = set(naics_codes(data_dir / "classifications" / "naics2017_us.csv")["code"])
    industries = set(cbp["industry"])
    assert industries - known == {"00", "99"}
    assert naics_label("99") == "Industries not classified"


def test_naics_list(data_dir: Path) -> None:
    from clusteratlas.data.classifications import naics_codes, naics_label

    path = data_dir / "classifications" / "naics2017_us.csv"
    table = naics_codes(path)
    assert {"31-33", "44-45", "48-49"} <= set(table.loc[table["digits"] == 2, "code"])
    assert set(table.loc[table["digits"] > 2, "parent"]) <= set(table["code"])
    assert naics_label("336411", path=path) == "Aircraft Manufacturing"


def test_nace_tables(data_dir: Path) -> None:
    from clusteratlas.data.classifications import (
        NACE_DIVISION_SECTION,
        nace_divisions,
        nace_sections,
    )

    sections = nace_sections(data_dir / "classifications" / "nace_rev2_sections_en_fr.csv")
    divisions = nace_divisions(data_dir / "classifications" / "nace_rev2_divisions_en_fr.csv")
    assert len(sections) == 21
    assert len(divisions) == 88
    assert dict(zip(divisions["code"].str[1:], divisions["section"], strict=True)) == (
        NACE_DIVISION_SECTION
    )
    assert divisions.set_index("code").loc["C26", "label_en"].startswith("Manufacture of computer")


def test_nuts_boundaries(data_dir: Path) -> None:
    pytest.importorskip("geopandas")
    from clusteratlas.data.boundaries import read_nuts_boundaries

    frame = read_nuts_boundaries(2, data_dir / "eu" / "nuts2013_level2.geojson")
    assert len(frame) == 320
    assert list(frame.columns) == ["region", "name", "geometry"]
    assert frame.crs.to_epsg() == 4326
    assert frame.set_index("region").loc["AT13", "name"] == "Wien"


def test_cbsa_boundaries(data_dir: Path, cbp) -> None:
    pytest.importorskip("geopandas")
    from clusteratlas.data.boundaries import read_cbsa_boundaries

    frame = read_cbsa_boundaries(data_dir / "us" / "us_counties_eas_msas_2013.topojson")
    assert len(frame) == 942
    assert frame["region"].str.fullmatch(r"\d{5}").all()
    assert frame.crs.to_epsg() == 4326
    assert frame.set_index("region").loc["10180", "name"].startswith("Abilene, TX")
    assert len(set(cbp["region"]) & set(frame["region"])) > 850
