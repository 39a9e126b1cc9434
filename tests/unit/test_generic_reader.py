"""Unit tests of the generic table reader on tiny hand-written files and frames."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from clusteratlas.data.generic import read_table
from clusteratlas.errors import ParameterError, ParseError, SchemaError

MAPPING = {"region": "geo", "industry": "nace", "employment": "emp"}


def write(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_sniffs_delimiter(tmp_path: Path, sep: str) -> None:
    text = "\n".join(sep.join(row) for row in [["geo", "nace", "emp"], ["DE11", "C26", "120"]])
    frame = read_table(write(tmp_path, text + "\n"), columns=MAPPING, year=2015)
    assert frame.loc[0, "region"] == "DE11"
    assert frame.loc[0, "employment"] == 120
    assert frame.loc[0, "year"] == 2015


def test_explicit_sep(tmp_path: Path) -> None:
    path = write(tmp_path, "geo:nace:emp\nDE11:C26:5\n")
    assert read_table(path, columns=MAPPING, year=2015, sep=":").loc[0, "employment"] == 5


def test_codes_are_strings(tmp_path: Path) -> None:
    text = "region,industry,year,employment\n01234,0026,2019,5\n"
    frame = read_table(write(tmp_path, text))
    assert frame.loc[0, "region"] == "01234"
    assert frame.loc[0, "industry"] == "0026"


def test_missing_values_and_flags(tmp_path: Path) -> None:
    text = (
        "region,industry,year,employment,employment_flag,wages\n"
        "DE11,C26,2015,,c,3.5\n"
        "DE12,C26,2015,7,,\n"
    )
    frame = read_table(write(tmp_path, text))
    assert math.isnan(frame.loc[0, "employment"])
    assert frame.loc[0, "employment_flag"] == "c"
    assert frame.loc[1, "employment_flag"] == ""
    assert math.isnan(frame.loc[1, "wages"])
    assert math.isnan(frame.loc[0, "establishments"])


def test_gzip_csv(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "table.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("geo;nace;emp\nDE11;C26;4\n")
    assert read_table(path, columns=MAPPING, year=2015).loc[0, "employment"] == 4


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "table.parquet"
    pd.DataFrame(
        {"geo": ["DE11", "DE12"], "nace": ["C26", "C27"], "year": [2014, 2015], "emp": [1.0, 2.0]}
    ).to_parquet(path)
    frame = read_table(path, columns=MAPPING)
    assert list(frame["year"]) == [2014, 2015]
    assert list(frame["industry"]) == ["C26", "C27"]


def test_parquet_error_names_row(tmp_path: Path) -> None:
    path = tmp_path / "table.parquet"
    pd.DataFrame({"geo": ["DE11", "DE12"], "nace": ["C26", "C27"], "emp": [1.0, -2.0]}).to_parquet(
        path
    )
    with pytest.raises(ParseError, match=r"table.parquet, row 2, column 'emp'"):
        read_table(path, columns=MAPPING, year=2015)


def test_dataframe_not_mutated() -> None:
    source = pd.DataFrame({"geo": ["DE11"], "nace": ["C26"], "emp": [3]})
    before = source.copy()
    frame = read_table(source, columns=MAPPING, year=2015)
    pd.testing.assert_frame_equal(source, before)
    assert frame.loc[0, "employment"] == 3


def test_dataframe_error_is_schema_error() -> None:
    source = pd.DataFrame({"geo": ["DE11"], "nace": ["C26"], "emp": ["lots"]}, index=[7])
    with pytest.raises(SchemaError, match=r"DataFrame, row 7, column 'emp'"):
        read_table(source, columns=MAPPING, year=2015)


def test_error_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,empl\nDE11,C26,5\n")
    with pytest.raises(SchemaError) as info:
        read_table(path, columns=MAPPING, year=2015)
    message = str(info.value)
    assert str(path) in message
    assert "'emp' (for 'employment')" in message
    assert "Did you mean 'empl'?" in message
    assert "it has 'geo', 'nace', 'empl'" in message


def test_error_missing_year(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,emp\nDE11,C26,5\n")
    with pytest.raises(SchemaError, match=r"'year'.*Pass year="):
        read_table(path, columns=MAPPING)


def test_error_year_given_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,emp,year\nDE11,C26,5,2015\n")
    with pytest.raises(ParameterError, match="has column 'year'"):
        read_table(path, columns=MAPPING, year=2015)


def test_error_unknown_canonical_name(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,emp\nDE11,C26,5\n")
    with pytest.raises(ParameterError, match="Did you mean 'employment'"):
        read_table(path, columns={"employmnt": "emp"}, year=2015)


def test_error_sheet_for_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,emp\nDE11,C26,5\n")
    with pytest.raises(ParameterError, match="'sheet'"):
        read_table(path, columns=MAPPING, year=2015, sheet="data")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("geo,nace,emp\nDE11,C26,5\nDE12,C26,x\n", r"line 3, column 'emp': expected a number"),
        ("geo,nace,emp\nDE11,C26,5\nDE12,C26,-1\n", r"line 3, column 'emp': expected a non-neg"),
        (
            "geo,nace,emp\nDE11,C26,5\n,C26,1\n",
            r"line 3, column 'geo': expected a non-empty region code",
        ),
        ("geo,nace,emp\nDE11,,5\n", r"line 2, column 'nace': expected a non-empty industry code"),
    ],
)
def test_error_lines(tmp_path: Path, text: str, pattern: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ParseError, match=pattern) as info:
        read_table(path, columns=MAPPING, year=2015)
    assert str(path) in str(info.value)


def test_error_bad_year(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,emp,yr\nDE11,C26,5,2015\nDE11,C26,5,2015.5\n")
    with pytest.raises(ParseError, match=r"line 3, column 'yr': expected a year"):
        read_table(path, columns={**MAPPING, "year": "yr"})


def test_blank_lines_keep_numbering(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,emp\nDE11,C26,5\n\nDE12,C26,-1\n")
    with pytest.raises(ParseError, match=r"line 4, column 'emp'"):
        read_table(path, columns=MAPPING, year=2015)


def test_error_repeated_key(tmp_path: Path) -> None:
    path = write(tmp_path, "geo,nace,emp\nDE11,C26,5\nDE12,C26,5\nDE11,C26,6\n")
    with pytest.raises(ParseError, match=r"line 4, columns 'geo', 'nace', 'year'.*line 2"):
        read_table(path, columns=MAPPING, year=2015)
