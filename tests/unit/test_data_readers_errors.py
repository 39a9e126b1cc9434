"""Bad input to the data readers and validators: each error names the file, the row and the column.

Tiny hand-written tables; the row numbers in the expected messages are the frames' index
values (readers set them to file line numbers, header = line 1).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.data import validate_observations
from clusteratlas.data.definitions import (
    ecosystem_definitions,
    read_definitions,
    related_clusters,
    us_benchmark_definitions,
)
from clusteratlas.data.generic import read_table
from clusteratlas.errors import MissingDependencyError, ParameterError, ParseError, SchemaError

MAPPING = {"region": "geo", "industry": "nace", "employment": "emp"}


def lines(*rows: list[object], first: int = 2) -> pd.DataFrame:
    """An observations frame indexed by file line (2, 3, …) from (region, industry, year, employment)."""
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    frame.index = pd.RangeIndex(first, first + len(frame))
    return frame


# validate_observations: the public check every reader ends with.


def test_valid_observations_get_the_canonical_columns() -> None:
    out = validate_observations(
        lines([" DE11 ", "C26", "2019", "120"], ["DE12", "C26", 2019.0, None])
    )
    assert list(out.columns) == [
        "region", "industry", "year", "employment", "establishments", "wages",
        "employment_flag", "establishments_flag", "wages_flag",
    ]  # fmt: skip
    assert out["region"].tolist() == ["DE11", "DE12"]
    assert out["year"].dtype == np.int64 and out["year"].tolist() == [2019, 2019]
    assert out["employment"].iloc[0] == 120.0 and np.isnan(out["employment"].iloc[1])
    assert out["wages"].isna().all() and (out["wages_flag"] == "").all()
    assert out.index.tolist() == [0, 1]


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_an_empty_code_names_its_rows(empty: object) -> None:
    frame = lines(["DE11", "C26", 2019, 1], ["DE12", empty, 2019, 2], ["DE13", empty, 2019, 3])
    with pytest.raises(SchemaError) as info:
        validate_observations(frame, origin="emp.csv")
    assert str(info.value) == "emp.csv: column 'industry' must not be empty; empty at row(s) 3, 4."


@pytest.mark.parametrize("year", ["2019.5", "twenty", None])
def test_a_year_that_is_not_whole_names_its_row(year: object) -> None:
    frame = lines(["DE11", "C26", 2019, 1], ["DE11", "C27", year, 1])
    with pytest.raises(SchemaError) as info:
        validate_observations(frame, origin="emp.csv")
    assert str(info.value) == (
        "emp.csv: column 'year' must hold whole years; bad value(s) at row(s) 3."
    )


def test_a_value_that_is_not_a_number_names_its_row() -> None:
    frame = lines(["DE11", "C26", 2019, "12"], ["DE11", "C27", 2019, "12 (est.)"])
    frame["wages"] = [1.5, None]  # missing is allowed
    with pytest.raises(SchemaError) as info:
        validate_observations(frame, origin="emp.csv")
    assert str(info.value) == (
        "emp.csv: column 'employment' must be numeric (missing allowed); "
        "non-numeric value(s) at row(s) 3."
    )


def test_a_negative_value_names_its_column_and_row() -> None:
    frame = lines(["DE11", "C26", 2019, 5], ["DE11", "C27", 2019, 6])
    frame["wages"] = [10.0, -0.5]
    with pytest.raises(SchemaError) as info:
        validate_observations(frame)
    assert str(info.value) == (
        "observations: column 'wages' must be non-negative; negative value(s) at row(s) 3."
    )


def test_a_repeated_key_names_every_copy_and_at_most_five_rows() -> None:
    frame = lines(*[["DE11", "C26", 2019, n] for n in range(7)], ["DE11", "C27", 2019, 1])
    with pytest.raises(SchemaError) as info:
        validate_observations(frame, origin="emp.csv")
    # Seven copies on lines 2–8: the first five are named, the rest elided.
    assert str(info.value) == (
        "emp.csv: each (region, industry, year) must appear once; repeated at row(s) "
        "2, 3, 4, 5, 6 …."
    )


def test_a_missing_key_column_is_named() -> None:
    frame = lines(["DE11", "C26", 2019, 5]).drop(columns="year")
    with pytest.raises(SchemaError, match=r"^emp\.csv is missing column\(s\) 'year'; it has"):
        validate_observations(frame, origin="emp.csv")


# Category definitions and the reference tables.


def test_a_definition_pair_given_twice_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("industry,category\n26,Electronics\n27,Electronics\n26,Electronics\n")
    with pytest.raises(SchemaError) as info:
        read_definitions(path)
    assert str(info.value) == (
        f"{path}: each (industry, category) pair must appear once; repeated at row(s) 2, 4."
    )


def test_a_missing_definitions_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    with pytest.raises(SchemaError) as info:
        read_definitions(path)
    assert str(info.value) == f"Category definitions file {path} does not exist."


def test_a_benchmark_file_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "benchmark.csv"
    path.write_text("NAICS,Cluster\n336411,Aerospace Vehicles\n")
    with pytest.raises(SchemaError) as info:
        us_benchmark_definitions(path)
    assert str(info.value) == (
        f"{path}: expected columns ['Cluster', 'NAICS', 'TradedLocal'], found ['NAICS', 'Cluster']."
    )


def test_an_ecosystem_file_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "eco.csv"
    path.write_text("ecosystem,nace\nDigital,J62\n")
    with pytest.raises(SchemaError) as info:
        ecosystem_definitions(path)
    assert str(info.value) == (
        f"{path}: expected columns ['ecosystem', 'nace_code', 'status'], "
        "found ['ecosystem', 'nace']."
    )


def test_a_related_clusters_file_names_the_column_it_lacks(tmp_path: Path) -> None:
    # Every column but the second relatedness flag: the message must name that one (it
    # listed the five others as expected, all present, and not the one missing).
    path = tmp_path / "related.csv"
    path.write_text("cluster_name,cluster_name_2,cr_all_pc,cr_lc_pc,rel_all_90_v3\nA,B,95,10,1\n")
    with pytest.raises(SchemaError) as info:
        related_clusters(path)
    assert str(info.value) == (
        f"{path}: expected columns ['cluster_name', 'cluster_name_2', 'cr_all_pc', 'cr_lc_pc', "
        "'rel_all_90_v3', 'rel_i20_all_min_90_v3'], found ['cluster_name', 'cluster_name_2', "
        "'cr_all_pc', 'cr_lc_pc', 'rel_all_90_v3']; missing ['rel_i20_all_min_90_v3']."
    )


# read_table: sources it cannot read, and how it guesses a text file's delimiter.


def test_a_tsv_file_is_read_on_tabs_even_when_commas_look_as_regular(tmp_path: Path) -> None:
    # One comma per line, as regular as the tabs: sniffing alone would split on commas.
    path = tmp_path / "emp.tsv"
    path.write_text(
        "geo\tnace\temp\tname (city, region)\n"
        "DE11\tC26\t120\tStuttgart, Region\n"
        "DE12\tC26\t80\tKarlsruhe, Region\n",
        encoding="utf-8",
    )
    frame = read_table(path, columns=MAPPING, year=2015)
    assert frame["region"].tolist() == ["DE11", "DE12"]
    assert frame["employment"].tolist() == [120.0, 80.0]


def test_a_one_column_file_gets_the_missing_columns_message(tmp_path: Path) -> None:
    # No delimiter to sniff: the comma is assumed, and the message lists what is missing.
    path = tmp_path / "codes.csv"
    path.write_text("geo\nDE11\nDE12\n", encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        read_table(path, columns=MAPPING, year=2015)
    assert str(info.value) == (
        f"{path} is missing column(s) 'nace' (for 'industry'), 'emp' (for 'employment'); "
        "it has 'geo'."
    )


def test_sheet_and_sep_do_not_apply_to_a_dataframe() -> None:
    frame = pd.DataFrame({"geo": ["DE11"], "nace": ["C26"], "emp": [1.0]})
    for option in ({"sheet": 0}, {"sep": ";"}):
        with pytest.raises(ParameterError, match="apply to files, not to a DataFrame"):
            read_table(frame, columns=MAPPING, year=2015, **option)


def test_a_source_of_another_type_is_named() -> None:
    with pytest.raises(TypeError) as info:
        read_table([["DE11", "C26", 1]], columns=MAPPING, year=2015)  # type: ignore[arg-type]
    assert str(info.value) == (
        "The 'source' parameter of read_table must be a path or a pandas.DataFrame. "
        "Got list instead."
    )


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(FileNotFoundError) as info:
        read_table(path, columns=MAPPING, year=2015)
    assert str(info.value) == f"{path} does not exist."


def test_a_spreadsheet_without_its_engine_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The smallest file pandas recognises as .xlsx; openpyxl made unimportable.
    path = tmp_path / "emp.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingDependencyError) as info:
        read_table(path, columns=MAPPING, year=2015)
    assert str(info.value) == (
        "Reading emp.xlsx needs a spreadsheet engine; install it with pip install "
        "'clusteratlas[excel]' (openpyxl for .xlsx, odfpy for .ods, xlrd for .xls)."
    )


def test_a_trailing_delimiter_on_the_rows_does_not_shift_the_columns(tmp_path: Path) -> None:
    # As spreadsheet exports write them: a delimiter after the last value of each row, not
    # after the header. Each value must stay under its own column.
    path = tmp_path / "export.csv"
    path.write_text(
        "region,industry,year,employment\nDE11,C26,2019,120,\nDE12,C26,2019,80,\n",
        encoding="utf-8",
    )
    frame = read_table(path)
    assert frame["region"].tolist() == ["DE11", "DE12"]
    assert frame["industry"].tolist() == ["C26", "C26"]
    assert frame["year"].tolist() == [2019, 2019]
    assert frame["employment"].tolist() == [120.0, 80.0]


@pytest.mark.parametrize(
    ("rows", "line", "fields", "extra"),
    [
        ("DE11,C26,2019,120,7\nDE12,C26,2019,80,9\n", 2, 5, "'7'"),
        ("DE11,C26,2019,120,\nDE12,C26,2019,80,9\n", 3, 5, "'9'"),
        ("DE11,C26,2019,120,,\nDE12,C26,2019,80, ,x\n", 3, 6, "'x'"),
    ],
)
def test_a_value_beyond_the_header_names_its_line(
    tmp_path: Path, rows: str, line: int, fields: int, extra: str
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("region,industry,year,employment\n" + rows, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        read_table(path)
    assert str(info.value) == (
        f"{path}, line {line}: {fields} fields where the header names 4 columns; {extra} "
        "belong(s) to no column (a delimiter too many in the row, or a column name missing "
        "from the header)."
    )


def test_definitions_with_a_trailing_comma_keep_their_columns(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("industry,category\n26,Electronics,\n27,Electronics,\n", encoding="utf-8")
    out = read_definitions(path)
    assert out["industry"].tolist() == ["26", "27"]
    assert out["category"].tolist() == ["Electronics", "Electronics"]


def test_definitions_with_a_value_beyond_the_header_name_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("industry,category\n26,Electronics\n27,Electronics,traded\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"mine\.csv, line 3: 3 fields where the header names 2"):
        read_definitions(path)


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("region,industry,year,employment\nDE11,Bäckerei,2019,5\n".encode("latin-1"))
    with pytest.raises(ParseError) as info:
        read_table(path)
    message = str(info.value)
    assert message.startswith(f"{path} is not UTF-8 text (")
    assert message.endswith('save it as UTF-8 ("CSV UTF-8" in a spreadsheet).')


def test_an_empty_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        read_table(path)
    assert str(info.value) == f"{path} is empty: expected a header line, then rows."


def test_a_truncated_gzip_file_is_named(tmp_path: Path) -> None:
    import gzip

    whole = gzip.compress(b"region,industry,year,employment\n" + b"DE11,C26,2019,5\n" * 500)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ParseError, match=r"cut\.csv\.gz is truncated: its compressed data end"):
        read_table(path)


def test_an_unclosed_quote_is_named(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(
        'region,industry,year,employment\nDE11,C26,2019,5\n"DE12,C26,2019,5\n', encoding="utf-8"
    )
    with pytest.raises(ParseError) as info:
        read_table(path)
    assert str(info.value).startswith(f"{path} cannot be read as a table separated by ',': ")
