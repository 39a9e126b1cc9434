"""Unit tests of the NACE and NAICS helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusteratlas.data.classifications import (
    NACE_DIVISION_SECTION,
    nace_divisions,
    nace_level,
    nace_parent,
    nace_sections,
    naics_codes,
    naics_digits,
    naics_label,
    naics_parent,
    normalise_nace,
    normalise_naics,
)
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("26", "C26"),
        ("C26", "C26"),
        ("26.1", "C261"),
        ("C26.1", "C261"),
        ("C30.3", "C303"),
        ("D35.11", "D3511"),
        ("35.11", "D3511"),
        ("c26", "C26"),
        (" G451 ", "G451"),
        ("01", "A01"),
        ("99", "U99"),
        ("S", "S"),
    ],
)
def test_normalise_nace(code: str, expected: str) -> None:
    assert normalise_nace(code) == expected


def test_division_sections_cover_88_divisions() -> None:
    assert len(NACE_DIVISION_SECTION) == 88
    assert NACE_DIVISION_SECTION["33"] == "C"
    assert NACE_DIVISION_SECTION["45"] == "G"
    assert "04" not in NACE_DIVISION_SECTION


@pytest.mark.parametrize(
    ("code", "pattern"),
    [
        ("D26", r"division 26 belongs to section 'C', not 'D'. Did you mean 'C26'\?"),
        ("34", r"'34' is not a NACE Rev.2 division. Did you mean 'C33'\?"),
        ("C26111", "not a NACE Rev.2 code"),
        ("V", "not a NACE Rev.2 section"),
        ("", "not a NACE Rev.2 code"),
        ("C.1", "not a NACE Rev.2 code"),
    ],
)
def test_normalise_nace_errors(code: str, pattern: str) -> None:
    with pytest.raises(UnknownCodeError, match=pattern):
        normalise_nace(code)


def test_normalise_nace_type() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        normalise_nace(26)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "level"),
    [("C", "section"), ("26", "division"), ("C26.1", "group"), ("D3511", "class")],
)
def test_nace_level(code: str, level: str) -> None:
    assert nace_level(code) == level


def test_nace_parent() -> None:
    assert nace_parent("26.11", "division") == "C26"
    assert nace_parent("C2611", "section") == "C"
    assert nace_parent("C2611", "group") == "C261"
    assert nace_parent("C26", "division") == "C26"
    with pytest.raises(ParameterError, match="finer"):
        nace_parent("C26", "group")
    with pytest.raises(ParameterError, match="'level'"):
        nace_parent("C26", "divison")


def test_nace_tables(tmp_path: Path) -> None:
    sections = tmp_path / "sections.csv"
    sections.write_text(
        "section,label_en,label_fr\nC,MANUFACTURING,INDUSTRIE MANUFACTURIÈRE\n", encoding="utf-8"
    )
    divisions = tmp_path / "divisions.csv"
    divisions.write_text(
        "section,section_label_fr,division,label_en,label_fr\n"
        "C,INDUSTRIE,26,Computers,Ordinateurs\n"
        "A,AGRICULTURE,01,Crops,Cultures\n",
        encoding="utf-8",
    )
    table = nace_sections(sections)
    assert list(table.columns) == ["code", "section", "label_en", "label_fr"]
    assert table.loc[0, "label_fr"] == "INDUSTRIE MANUFACTURIÈRE"
    table = nace_divisions(divisions)
    assert list(table["code"]) == ["C26", "A01"]
    assert list(table["section"]) == ["C", "A"]
    table.loc[0, "code"] = "X"
    assert nace_divisions(divisions).loc[0, "code"] == "C26"


def test_nace_table_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "sections.csv"
    path.write_text("section,label\nC,Manufacturing\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"sections.csv is missing column\(s\) 'label_en'"):
        nace_sections(path)


NAICS = """code,title,digits,description
11,"Agriculture, Forestry, Fishing and Hunting",2,x
31-33,Manufacturing,2,x
44-45,Retail Trade,2,x
311,Food Manufacturing,3,x
3111,Animal Food Manufacturing,4,x
31111,Animal Food Manufacturing,5,x
311111,Dog and Cat Food Manufacturing,6,x
445,Food and Beverage Stores,3,x
"""


@pytest.fixture
def naics_file(tmp_path: Path) -> Path:
    path = tmp_path / "naics.csv"
    path.write_text(NAICS, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("311111", "311111"),
        ("3111//", "3111"),
        ("31----", "31-33"),
        ("------", "00"),
        ("00", "00"),
        ("32", "31-33"),
        ("45", "44-45"),
        ("49", "48-49"),
        ("48-49", "48-49"),
        ("11", "11"),
    ],
)
def test_normalise_naics(code: str, expected: str) -> None:
    assert normalise_naics(code) == expected


def test_normalise_naics_errors() -> None:
    with pytest.raises(UnknownCodeError, match="not a NAICS code"):
        normalise_naics("3A1")
    with pytest.raises(UnknownCodeError, match="not a NAICS code"):
        normalise_naics("3111111")


def test_naics_digits() -> None:
    assert naics_digits("00") == 0
    assert naics_digits("31-33") == 2
    assert naics_digits("3111//") == 4


@pytest.mark.parametrize(
    ("code", "digits", "expected"),
    [
        ("311111", 5, "31111"),
        ("311111", 3, "311"),
        ("311111", 2, "31-33"),
        ("336411", 2, "31-33"),
        ("445110", 2, "44-45"),
        ("452", 2, "44-45"),
        ("493", 2, "48-49"),
        ("541", 2, "54"),
        ("31-33", 2, "31-33"),
        ("32", 2, "31-33"),
    ],
)
def test_naics_parent(code: str, digits: int, expected: str) -> None:
    assert naics_parent(code, digits) == expected


def test_naics_parent_errors() -> None:
    with pytest.raises(ParameterError, match="must not exceed"):
        naics_parent("311", 4)
    with pytest.raises(ParameterError, match="'digits'"):
        naics_parent("311", 1)


def test_naics_codes(naics_file: Path) -> None:
    table = naics_codes(naics_file)
    assert list(table.columns) == ["code", "title", "digits", "parent"]
    by_code = table.set_index("code")
    assert by_code.loc["311", "parent"] == "31-33"
    assert by_code.loc["445", "parent"] == "44-45"
    assert by_code.loc["311111", "parent"] == "31111"
    assert by_code.loc["31-33", "parent"] == ""
    assert by_code.loc["31-33", "digits"] == 2
    assert set(table.loc[table["digits"] > 2, "parent"]) <= set(table["code"])


def test_naics_label(naics_file: Path) -> None:
    assert naics_label("311111", path=naics_file) == "Dog and Cat Food Manufacturing"
    assert naics_label("31", path=naics_file) == "Manufacturing"
    assert naics_label("31----", path=naics_file) == "Manufacturing"
    assert naics_label("00", path=naics_file) == "Total for all sectors"
    assert naics_label("99", path=naics_file) == "Industries not classified"
    with pytest.raises(UnknownCodeError, match=r"'311112' is not a NAICS 2017 code. Did you mean"):
        naics_label("311112", path=naics_file)
    with pytest.raises(UnknownCodeError, match=r"Did you mean '311'"):
        naics_label("31x", path=naics_file)
