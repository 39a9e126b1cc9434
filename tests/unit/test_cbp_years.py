"""County Business Patterns metro-area files of every layout generation, 2012-2022."""

from __future__ import annotations

import math

import pytest

from _publisher_files import LAYOUT_2016, LAYOUT_2018, LAYOUT_2022, zipped
from clusteratlas.data.cbp import CBP_VINTAGES, read_cbp
from clusteratlas.errors import ParameterError


def cell(frame, region, industry, column):
    row = frame[(frame["region"] == region) & (frame["industry"] == industry)]
    assert len(row) == 1
    return row.iloc[0][column]


def test_the_2012_2016_layout_with_empflag(tmp_path):
    path = tmp_path / "cbp16msa.txt"
    path.write_text(LAYOUT_2016)
    cbp = read_cbp(path, year=2016)
    assert set(cbp["year"]) == {2016}
    assert cell(cbp, "10180", "336411", "employment") == 1250
    assert cell(cbp, "10180", "336411", "employment_flag") == "H"
    assert cell(cbp, "10180", "336411", "establishments") == 3
    assert cell(cbp, "10180", "336411", "wages") == 85012  # thousands of dollars
    assert cell(cbp, "10180", "00", "employment") == 62514
    assert cell(cbp, "31080", "31-33", "employment") == 364201
    # EMPFLAG B: withheld (an employment of 20-99), missing and flagged, never 0.
    assert math.isnan(cell(cbp, "10180", "541511", "employment"))
    assert cell(cbp, "10180", "541511", "employment_flag") == "D"
    assert math.isnan(cell(cbp, "10180", "541511", "wages"))
    assert cell(cbp, "10180", "541511", "establishments") == 12


def test_the_2017_2021_layout_with_d_flags(tmp_path):
    path = tmp_path / "cbp18msa.txt"
    path.write_text(LAYOUT_2018)
    cbp = read_cbp(path, year=2018, naics_levels=[6])
    assert sorted(cbp["industry"]) == ["336411", "541511"]
    assert math.isnan(cell(cbp, "10180", "336411", "employment"))
    assert cell(cbp, "10180", "336411", "employment_flag") == "D"
    assert cell(cbp, "10180", "336411", "establishments") == 2
    assert cell(cbp, "10180", "541511", "employment") == 118
    assert cell(cbp, "10180", "541511", "employment_flag") == "J"


def test_the_2022_layout_with_naics_2022_codes(tmp_path):
    path = tmp_path / "cbp22msa.txt"
    path.write_text(LAYOUT_2022)
    cbp = read_cbp(path, year=2022)
    assert cell(cbp, "42660", "513210", "employment") == 98541
    assert cell(cbp, "42660", "513210", "wages") == 40123456
    assert CBP_VINTAGES[2022].naics == 2022


def test_vintages_follow_the_naics_revisions():
    assert {year: CBP_VINTAGES[year].naics for year in (2012, 2016, 2017, 2021, 2022)} == {
        2012: 2012,
        2016: 2012,
        2017: 2017,
        2021: 2017,
        2022: 2022,
    }
    assert sorted(CBP_VINTAGES) == list(range(2012, 2023))


def test_a_year_outside_the_catalog_is_refused_without_a_path():
    with pytest.raises(ParameterError, match="'year' parameter of read_cbp must be one of 2012"):
        read_cbp(year=2011)


def test_the_year_must_match_the_file_name(tmp_path):
    path = tmp_path / "cbp16msa.txt"
    path.write_text(LAYOUT_2016)
    with pytest.raises(ParameterError, match=r"cbp16msa\.txt is for 2016"):
        read_cbp(path, year=2017)


@pytest.mark.parametrize(("year", "text"), [(2016, LAYOUT_2016), (2018, LAYOUT_2018)])
def test_each_year_downloads_the_census_zip(publisher_server, tmp_path, monkeypatch, year, text):
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path))
    yy = f"{year % 100:02d}"
    host_path = f"www2.census.gov/programs-surveys/cbp/datasets/{year}/cbp{yy}msa.zip"
    publisher_server.put(host_path, zipped(f"cbp{yy}msa.txt", text))
    cbp = read_cbp(year=year, naics_levels=[6])
    assert publisher_server.requests[host_path] == 1
    assert set(cbp["year"]) == {year}
    assert "336411" in set(cbp["industry"])


def test_map_us_cbp_2016_uses_the_2016_file_and_reports_unmatched_codes(publisher_server, data_dir):
    from clusteratlas.mapping.service import make_map

    publisher_server.put(
        "www2.census.gov/programs-surveys/cbp/datasets/2016/cbp16msa.zip",
        zipped("cbp16msa.txt", LAYOUT_2016),
    )
    result = make_map("us-cbp", year=2016, rules="uscmp")
    assert result.year == 2016
    assert "Source: U.S. Census Bureau, County Business Patterns 2016" in result.attribution
    aerospace = result.frame[
        (result.frame["region"] == "31080")
        & (result.frame["category"] == "Aerospace Vehicles and Defense")
    ]
    assert aerospace["employment"].iloc[0] == 52003
    notes = " ".join(result.notes)
    assert "NAICS 2012" in notes
    assert "OMB Bulletin 13-01" in notes


def test_codes_outside_the_benchmark_clusters_are_counted(publisher_server, data_dir):
    from clusteratlas.mapping.service import make_map

    publisher_server.put(
        "www2.census.gov/programs-surveys/cbp/datasets/2022/cbp22msa.zip",
        zipped("cbp22msa.txt", LAYOUT_2022),
    )
    result = make_map("us-cbp", year=2022, rules="uscmp")
    unmatched = [note for note in result.notes if "in no benchmark cluster" in note]
    assert len(unmatched) == 1
    # 513210 (NAICS 2022) has no NAICS 2017 benchmark cluster: 98,541 of 177,553 jobs.
    assert unmatched[0].startswith("1 NAICS code(s) of CBP 2022")
    assert "513210 (98,541)" in unmatched[0]
    assert "55.5%" in unmatched[0]
