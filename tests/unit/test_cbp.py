"""Unit tests of the County Business Patterns reader on tiny hand-written files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from clusteratlas.data.cbp import read_cbp
from clusteratlas.errors import ParameterError, ParseError, SchemaError

MIRROR = """cbsa_code,naics_code,naics_level,EMP,ESTAB
01234,00,2,7729,782
01234,22,2,53,3
01234,221,3,53,3
01234,42392,5,0,3
01234,423920,6,0,0
45220,00,2,1000,90
"""

# The Census metro-area layout (cbpYYmsa.txt), written by hand: quoted strings, padded
# NAICS codes, employment noise flags G/H/J and D (withheld) / S (not published).
CENSUS = """msa,naics,emp_nf,emp,qp1_nf,qp1,ap_nf,ap,est,n<5,n5_9
"10180","------","G",67890,"G",700000,"G",2900000,4000,2000,800
"10180","31----","H",5000,"H",60000,"H",250000,120,40,20
"10180","3111//","D",0,"D",0,"D",0,3,1,1
"10180","311111","S",0,"S",0,"G",1234,2,1,1
"10180","44----","J",7000,"J",40000,"J",180000,500,200,100
"""


def write(tmp_path: Path, text: str, name: str = "cbp.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row(frame, region: str, industry: str):
    match = frame[(frame["region"] == region) & (frame["industry"] == industry)]
    assert len(match) == 1
    return match.iloc[0]


def test_mirror_layout(tmp_path: Path) -> None:
    frame = read_cbp(write(tmp_path, MIRROR))
    assert len(frame) == 6
    total = row(frame, "01234", "00")
    assert total["employment"] == 7729
    assert total["establishments"] == 782
    assert total["year"] == 2019
    assert math.isnan(total["wages"])
    assert total["employment_flag"] == ""


def test_mirror_keeps_leading_zeros(tmp_path: Path) -> None:
    frame = read_cbp(write(tmp_path, MIRROR))
    assert "01234" in set(frame["region"])
    assert frame["region"].str.len().eq(5).all()


def test_mirror_suppressed_cell(tmp_path: Path) -> None:
    frame = read_cbp(write(tmp_path, MIRROR))
    withheld = row(frame, "01234", "42392")
    assert math.isnan(withheld["employment"])
    assert withheld["employment_flag"] == "D"
    assert withheld["establishments"] == 3
    empty = row(frame, "01234", "423920")
    assert empty["employment"] == 0
    assert empty["employment_flag"] == ""


@pytest.mark.parametrize(
    ("levels", "codes"),
    [
        ([0], {"00"}),
        ([2], {"22"}),
        ([5, 6], {"42392", "423920"}),
        (None, {"00", "22", "221", "42392", "423920"}),
    ],
)
def test_naics_levels(tmp_path: Path, levels: list[int] | None, codes: set[str]) -> None:
    frame = read_cbp(write(tmp_path, MIRROR), naics_levels=levels)
    assert set(frame["industry"]) == codes


def test_year(tmp_path: Path) -> None:
    frame = read_cbp(write(tmp_path, MIRROR), year=2018)
    assert set(frame["year"]) == {2018}


def test_census_layout(tmp_path: Path) -> None:
    frame = read_cbp(write(tmp_path, CENSUS, "cbp19msa.txt"))
    assert set(frame["industry"]) == {"00", "31-33", "3111", "311111", "44-45"}
    total = row(frame, "10180", "00")
    assert total["employment"] == 67890
    assert total["establishments"] == 4000
    assert total["wages"] == 2900000
    assert total["employment_flag"] == "G"
    withheld = row(frame, "10180", "3111")
    assert math.isnan(withheld["employment"])
    assert withheld["employment_flag"] == "D"
    assert math.isnan(withheld["wages"])
    assert withheld["wages_flag"] == "D"
    assert withheld["establishments"] == 3
    not_published = row(frame, "10180", "311111")
    assert math.isnan(not_published["employment"])
    assert not_published["employment_flag"] == "S"
    assert not_published["wages"] == 1234


def test_census_layout_upper_case_and_empflag(tmp_path: Path) -> None:
    text = (
        "MSA,NAICS,EMPFLAG,EMP_NF,EMP,QP1_NF,QP1,AP_NF,AP,EST\n"
        "10180,------,,G,100,G,5,G,20,9\n"
        "10180,31----,A,G,0,G,0,G,0,2\n"
    )
    frame = read_cbp(write(tmp_path, text, "cbp15msa.txt"), year=2015)
    assert row(frame, "10180", "00")["employment"] == 100
    manufacturing = row(frame, "10180", "31-33")
    assert math.isnan(manufacturing["employment"])
    assert manufacturing["employment_flag"] == "D"


def test_census_levels(tmp_path: Path) -> None:
    frame = read_cbp(write(tmp_path, CENSUS, "cbp19msa.txt"), naics_levels=[2])
    assert set(frame["industry"]) == {"31-33", "44-45"}


def test_year_must_match_census_file_name(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"cbp18msa.txt is for 2018. Got 2019"):
        read_cbp(write(tmp_path, CENSUS, "cbp18msa.txt"))


def test_error_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "cbsa_code,naics_code,naics_level,EMP\n01234,00,2,5\n")
    with pytest.raises(SchemaError) as info:
        read_cbp(path)
    message = str(info.value)
    assert str(path) in message
    assert "'ESTAB'" in message
    assert "'cbsa_code', 'naics_code', 'naics_level', 'EMP'" in message


def test_error_unknown_layout(tmp_path: Path) -> None:
    path = write(tmp_path, "area,code,jobs\n1,2,3\n")
    with pytest.raises(SchemaError, match=r"neither.*it has 'area', 'code', 'jobs'"):
        read_cbp(path)


def test_error_negative(tmp_path: Path) -> None:
    path = write(tmp_path, MIRROR.replace("01234,221,3,53,3", "01234,221,3,-53,3"))
    with pytest.raises(ParseError) as info:
        read_cbp(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 4" in message
    assert "'EMP'" in message
    assert "non-negative" in message


def test_error_not_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, CENSUS.replace("120,40,20", "1x0,40,20"), "cbp19msa.txt")
    with pytest.raises(ParseError, match=r"line 3, column 'est': expected a number; got '1x0'"):
        read_cbp(path)


def test_error_bad_codes(tmp_path: Path) -> None:
    path = write(tmp_path, MIRROR.replace("01234,22,2", "01234,2X,2"))
    with pytest.raises(ParseError, match=r"line 3, column 'naics_code'.*'2X'"):
        read_cbp(path)
    path = write(tmp_path, MIRROR.replace("45220,00", "4522A,00"))
    with pytest.raises(ParseError, match=r"line 7, column 'cbsa_code': expected a 5-digit"):
        read_cbp(path)


def test_bad_levels(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="naics_levels"):
        read_cbp(write(tmp_path, MIRROR), naics_levels=[7])
