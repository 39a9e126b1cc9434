"""Unit tests of the Eurostat SBS TSV reader on tiny hand-written files."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest

from clusteratlas.data.eurostat import read_eurostat_sbs
from clusteratlas.errors import ParameterError, ParseError

HEADER = "nace_r2,indic_sb,geo\\time\t2015 \t2014 \t2013 "
LINES = [
    "C,V16110,DE11\t100 \t90 \t: ",
    "C26,V16110,DE11\t24402 \t22869 \t19763 d",
    "C26,V11210,DE11\t: c\t120 \t0 b",
    "C26,V13320,DE11\t1448.5 \t: bc\t1300.2 p",
    "C26,V91290,DE11\t-0.5 \t-1.2 \t: ",
    "C26,V16110,DE1\t50000 \t49000 \t: u",
    "C26,V16110,DE\t900000 \t890000 \t880000 ",
    "C26,V16110,DEZZ\t: \t: \t: ",
    "G451,V16110,DE11\t7000 \t6900 \t6800 ",
    "C26,V16110,FR10\t333 c\t12 \t13 ",
]


def write(tmp_path: Path, lines: list[str], *, header: str = HEADER, gz: bool = False) -> Path:
    text = "\n".join([header, *lines]) + "\n"
    if gz:
        path = tmp_path / "sbs.tsv.gz"
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path = tmp_path / "sbs.tsv"
        path.write_text(text, encoding="utf-8")
    return path


def row(frame, region: str, industry: str, year: int):
    match = frame[
        (frame["region"] == region) & (frame["industry"] == industry) & (frame["year"] == year)
    ]
    assert len(match) == 1
    return match.iloc[0]


@pytest.mark.parametrize("gz", [False, True])
def test_reads_values_and_flags(tmp_path: Path, gz: bool) -> None:
    frame = read_eurostat_sbs(write(tmp_path, LINES, gz=gz))
    assert set(frame["industry"]) == {"C26"}
    assert set(frame["region"]) == {"DE11", "DEZZ", "FR10"}
    de11_2014 = row(frame, "DE11", "C26", 2014)
    assert de11_2014["employment"] == 22869
    assert de11_2014["establishments"] == 120
    assert math.isnan(de11_2014["wages"])
    assert de11_2014["wages_flag"] == "bc"
    de11_2013 = row(frame, "DE11", "C26", 2013)
    assert de11_2013["employment"] == 19763
    assert de11_2013["employment_flag"] == "d"
    assert de11_2013["establishments"] == 0
    assert de11_2013["establishments_flag"] == "b"
    assert de11_2013["wages"] == pytest.approx(1300.2)
    assert de11_2013["wages_flag"] == "p"
    de11_2015 = row(frame, "DE11", "C26", 2015)
    assert math.isnan(de11_2015["establishments"])
    assert de11_2015["establishments_flag"] == "c"
    assert de11_2015["employment_flag"] == ""


def test_confidential_number_is_missing(tmp_path: Path) -> None:
    frame = read_eurostat_sbs(write(tmp_path, LINES))
    fr10 = row(frame, "FR10", "C26", 2015)
    assert math.isnan(fr10["employment"])
    assert fr10["employment_flag"] == "c"


def test_missing_is_nan_never_zero(tmp_path: Path) -> None:
    frame = read_eurostat_sbs(write(tmp_path, LINES))
    zz = frame[frame["region"] == "DEZZ"]
    assert len(zz) == 3
    assert zz["employment"].isna().all()


def test_output_is_canonical(tmp_path: Path) -> None:
    frame = read_eurostat_sbs(write(tmp_path, LINES))
    assert list(frame.columns) == [
        "region",
        "industry",
        "year",
        "employment",
        "establishments",
        "wages",
        "employment_flag",
        "establishments_flag",
        "wages_flag",
    ]
    assert frame["year"].dtype == "int64"
    assert frame["employment"].dtype == "float64"
    assert frame[["region", "industry", "year"]].equals(
        frame[["region", "industry", "year"]].sort_values(["region", "industry", "year"])
    )


@pytest.mark.parametrize(
    ("nuts_level", "regions"),
    [
        (0, {"DE"}),
        (1, {"DE1"}),
        (2, {"DE11", "DEZZ", "FR10"}),
        (None, {"DE", "DE1", "DE11", "DEZZ", "FR10"}),
    ],
)
def test_nuts_level(tmp_path: Path, nuts_level: int | None, regions: set[str]) -> None:
    frame = read_eurostat_sbs(write(tmp_path, LINES), nuts_level=nuts_level)
    assert set(frame["region"]) == regions


@pytest.mark.parametrize(
    ("nace_level", "industries"),
    [
        ("section", {"C"}),
        ("division", {"C26"}),
        ("group", {"G451"}),
        ("all", {"C", "C26", "G451"}),
    ],
)
def test_nace_level(tmp_path: Path, nace_level: str, industries: set[str]) -> None:
    frame = read_eurostat_sbs(write(tmp_path, LINES), nace_level=nace_level)
    assert set(frame["industry"]) == industries


def test_years(tmp_path: Path) -> None:
    frame = read_eurostat_sbs(write(tmp_path, LINES), years=[2014])
    assert set(frame["year"]) == {2014}
    with pytest.raises(ParameterError, match=r"2010.*2013, 2014, 2015"):
        read_eurostat_sbs(write(tmp_path, LINES), years=[2010])


def test_bad_parameters(tmp_path: Path) -> None:
    path = write(tmp_path, LINES)
    with pytest.raises(ParameterError, match=r"nace_level.*'division'"):
        read_eurostat_sbs(path, nace_level="divisoin")
    with pytest.raises(ParameterError, match="nuts_level"):
        read_eurostat_sbs(path, nuts_level=5)


def test_api_layout(tmp_path: Path) -> None:
    header = "freq,nace_r2,indic_sb,geo\\TIME_PERIOD\t2015 \t2014 "
    lines = ["A,C26,V16110,DE11\t24402 \t22869 ", "A,C26,V11210,DE11\t50 \t: c"]
    frame = read_eurostat_sbs(write(tmp_path, lines, header=header))
    assert row(frame, "DE11", "C26", 2015)["employment"] == 24402
    assert row(frame, "DE11", "C26", 2014)["establishments_flag"] == "c"


def test_dimensions_found_by_name(tmp_path: Path) -> None:
    header = "geo,indic_sb,nace_r2\\time\t2015 "
    frame = read_eurostat_sbs(write(tmp_path, ["DE11,V16110,C26\t5 "], header=header))
    assert row(frame, "DE11", "C26", 2015)["employment"] == 5


def test_negative_wage_is_missing(tmp_path: Path) -> None:
    frame = read_eurostat_sbs(write(tmp_path, ["C26,V13320,NO06\t-8.3 \t15.0 \t: c"]))
    assert math.isnan(row(frame, "NO06", "C26", 2015)["wages"])
    assert row(frame, "NO06", "C26", 2014)["wages"] == 15.0


def test_error_wrong_number_of_fields(tmp_path: Path) -> None:
    lines = [*LINES[:3], "C26,V16110,DE12\t1 \t2 ", *LINES[3:]]
    path = write(tmp_path, lines)
    with pytest.raises(ParseError) as info:
        read_eurostat_sbs(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 5" in message
    assert "expected 4 tab-separated fields" in message
    assert "got 3" in message


def test_error_bad_value(tmp_path: Path) -> None:
    lines = [*LINES[:1], "C26,V16110,DE11\t24402 \tabc \t19763 d"]
    path = write(tmp_path, lines)
    with pytest.raises(ParseError) as info:
        read_eurostat_sbs(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message
    assert "2014" in message
    assert "expected a number or ':'" in message
    assert "'abc '" in message


def test_error_bad_flag(tmp_path: Path) -> None:
    path = write(tmp_path, ["C26,V16110,DE11\t1 X\t2 \t3 "])
    with pytest.raises(ParseError, match=r"line 2, year column 2015.*'1 X'"):
        read_eurostat_sbs(path)


def test_error_negative_employment(tmp_path: Path) -> None:
    path = write(tmp_path, ["C26,V11210,DE11\t1 \t2 \t3 ", "C26,V16110,DE11\t1 \t2 \t-3 "])
    with pytest.raises(ParseError) as info:
        read_eurostat_sbs(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3, year column 2013" in message
    assert "non-negative employment" in message


def test_error_header(tmp_path: Path) -> None:
    path = write(tmp_path, LINES, header="nace_r2,geo\\time\t2015 \t2014 \t2013 ")
    with pytest.raises(ParseError, match=r"line 1.*'indic_sb'"):
        read_eurostat_sbs(path)
    path = write(tmp_path, LINES, header="nace_r2,indic_sb,geo\\time\t2015 \t2014Q1 \t2013 ")
    with pytest.raises(ParseError, match=r"line 1, column 3: expected a year"):
        read_eurostat_sbs(path)


def test_error_key_dimensions(tmp_path: Path) -> None:
    path = write(tmp_path, ["C26,V16110,DE11\t1 \t2 \t3 ", "C26,DE11\t1 \t2 \t3 "])
    with pytest.raises(ParseError, match=r"line 3, key column: expected 3 comma-separated"):
        read_eurostat_sbs(path)


def test_error_repeated_series(tmp_path: Path) -> None:
    path = write(tmp_path, ["C26,V16110,DE11\t1 \t2 \t3 ", "C26,V16110,DE11\t1 \t2 \t3 "])
    with pytest.raises(ParseError, match=r"line 3: expected each series once.*line 2"):
        read_eurostat_sbs(path)


def test_header_only(tmp_path: Path) -> None:
    frame = read_eurostat_sbs(write(tmp_path, []))
    assert frame.empty
    assert "employment_flag" in frame.columns
