"""Eurostat sbs_r_nuts2021 in SDMX-CSV: download from a loopback publisher and parse."""

from __future__ import annotations

import gzip
import math

import pytest

from _publisher_files import FLOW, GEOJSON, HEADER, HOST_PATH, ROWS, sdmx_csv
from clusteratlas.data.eurostat_sdmx import read_eurostat_sdmx
from clusteratlas.errors import ParseError


@pytest.fixture
def sdmx_file(tmp_path):
    path = tmp_path / "sbs_r_nuts2021.csv.gz"
    path.write_bytes(gzip.compress(sdmx_csv(ROWS).encode()))
    return path


def value(frame, region, year, column):
    row = frame[(frame["region"] == region) & (frame["year"] == year)]
    assert len(row) == 1
    return row.iloc[0][column]


def test_values_flags_and_confidential_cells_are_read_as_published(sdmx_file):
    sbs = read_eurostat_sdmx(sdmx_file)
    assert sorted(sbs["region"].unique()) == ["DED2", "DEZZ", "FRK2", "NL33"]
    assert set(sbs["industry"]) == {"C26"}
    assert value(sbs, "DED2", 2021, "employment") == 21384
    assert value(sbs, "DED2", 2021, "establishments") == 612
    assert value(sbs, "DED2", 2021, "wages") == pytest.approx(1043.7)
    assert value(sbs, "DED2", 2022, "employment") == 22017
    assert value(sbs, "DED2", 2022, "employment_flag") == "p"
    assert math.isnan(value(sbs, "DED2", 2022, "establishments"))
    # Confidential is missing (NaN, never 0) and keeps a 'c' flag, from either column.
    assert math.isnan(value(sbs, "FRK2", 2021, "employment"))
    assert value(sbs, "FRK2", 2021, "employment_flag") == "c"
    assert value(sbs, "FRK2", 2021, "establishments") == 1250
    assert math.isnan(value(sbs, "NL33", 2021, "employment"))
    assert value(sbs, "NL33", 2021, "employment_flag") == "c"


def test_levels_and_years_select_rows(sdmx_file):
    countries = read_eurostat_sdmx(sdmx_file, nuts_level=0)
    assert list(countries["region"]) == ["DE"]
    assert countries["employment"].iloc[0] == 250000
    sections = read_eurostat_sdmx(sdmx_file, nace_level="section")
    assert list(sections["industry"]) == ["C"]
    only_2022 = read_eurostat_sdmx(sdmx_file, years=[2022])
    assert list(only_2022["year"]) == [2022]


def test_an_unused_dimension_keeps_its_total(tmp_path):
    header = HEADER.replace("indic_sbs,", "indic_sbs,size_emp,")
    body = [
        f"{FLOW},C26,EMP_LOC_NR,TOTAL,DED2,2021,21384,,",
        f"{FLOW},C26,EMP_LOC_NR,GE250,DED2,2021,15000,,",
    ]
    path = tmp_path / "x.csv"
    path.write_text("\n".join([header, *body]) + "\n")
    assert read_eurostat_sdmx(path)["employment"].tolist() == [21384]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("C26,EMP_LOC_NR,DED2,2021,12a,,", r"line 3, column 'OBS_VALUE': expected a number"),
        ("C26,LOC_NR,DED2,2021,-4,,", r"line 3, column 'OBS_VALUE': expected a non-negative"),
        ("C26,LOC_NR,DED2,2021-Q1,4,,", r"line 3, column 'TIME_PERIOD': expected a year"),
        ("C26,EMP_LOC_NR,DED2,2021,5,,", r"line 3: expected each observation once"),
    ],
)
def test_bad_rows_are_named_by_line_and_column(tmp_path, row, expected):
    path = tmp_path / "bad.csv"
    path.write_text(sdmx_csv(["C26,EMP_LOC_NR,DED2,2021,7,,", row]))
    with pytest.raises(ParseError, match=expected):
        read_eurostat_sdmx(path)


def test_a_file_without_the_sdmx_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("geo,value\nDED2,1\n")
    with pytest.raises(ParseError, match=r"line 1: expected the SDMX-CSV column\(s\) 'nace_r2'"):
        read_eurostat_sdmx(path)


def test_the_catalog_downloads_it_once_from_the_dissemination_api(
    publisher_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path / "empty-mirror"))
    (tmp_path / "empty-mirror").mkdir()
    publisher_server.put(HOST_PATH, gzip.compress(sdmx_csv(ROWS).encode()))
    first = read_eurostat_sdmx()
    second = read_eurostat_sdmx()  # from the cache, not the network
    assert value(first, "DED2", 2021, "employment") == 21384
    assert first.equals(second)
    assert sum(publisher_server.requests.values()) == 1


def test_the_eu_sbs_nuts2021_source_maps_it_with_nuts_2021_names(publisher_server, data_dir):
    from clusteratlas.mapping.service import make_map

    publisher_server.put(HOST_PATH, gzip.compress(sdmx_csv(ROWS).encode()))
    publisher_server.put(
        "gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
        "NUTS_RG_20M_2021_4326_LEVL_2.geojson",
        GEOJSON,
    )
    result = make_map("eu-sbs-nuts2021", year=2021, rules="eco2007")
    frame = result.frame
    assert "DEZZ" not in set(frame["region"])  # extra-regio is not a region to map
    dresden = frame[(frame["region"] == "DED2") & (frame["category"] == "C26")].iloc[0]
    assert dresden["employment"] == 21384
    assert dresden["region_name"] == "Dresden"
    assert "Source: Eurostat (sbs_r_nuts2021)" in result.attribution


def test_its_map_is_drawn_on_the_nuts_2021_boundaries(publisher_server):
    from clusteratlas.report.build import source_boundaries

    publisher_server.put(
        "gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
        "NUTS_RG_20M_2021_4326_LEVL_2.geojson",
        GEOJSON,
    )
    boundaries = source_boundaries("eu-sbs-nuts2021")
    assert sorted(boundaries["region"]) == ["DED2", "FRK2"]
    assert dict(zip(boundaries["region"], boundaries["name"], strict=True))["FRK2"] == "Rhône-Alpes"
    assert boundaries.geometry.notna().all()


def test_a_row_with_the_wrong_number_of_fields_is_a_parse_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(sdmx_csv(["C26,EMP_LOC_NR,DED2,2021,7,,", "C26,LOC_NR,DED2,2021,4,,,extra"]))
    with pytest.raises(ParseError, match=r"bad\.csv: expected an SDMX-CSV file"):
        read_eurostat_sdmx(path)


def test_rows_are_read_in_chunks_with_their_line_numbers(tmp_path, monkeypatch):
    import clusteratlas.data.eurostat_sdmx as module

    monkeypatch.setattr(module, "_CHUNK_ROWS", 3)
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(sdmx_csv(ROWS).encode()))
    assert read_eurostat_sdmx(path).equals(read_eurostat_sdmx(tmp_path / "x.csv.gz"))
    assert value(read_eurostat_sdmx(path), "DED2", 2021, "employment") == 21384
    bad = tmp_path / "bad.csv"
    bad.write_text(sdmx_csv([*ROWS[:5], "C26,LOC_NR,PL91,2021,-3,,"]))
    with pytest.raises(ParseError, match=r"line 7, column 'OBS_VALUE'"):
        read_eurostat_sdmx(bad)
