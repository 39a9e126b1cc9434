"""read_table on spreadsheets (.xlsx, .ods, .xls): the same table as its CSV, row numbers as
the spreadsheet program shows them, and clear errors for a missing sheet or a broken file.

The expected frames are the CSV reader's on the same cells, written by hand below.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook  # the `excel` extra, installed by `make test`

from clusteratlas.data.generic import read_table
from clusteratlas.errors import ParameterError, ParseError

MAPPING = {"region": "geo", "industry": "nace", "employment": "emp"}
HEADER = ["geo", "nace", "emp"]
ROWS = [["DE11", "0026", 120], None, ["DE12", "C26", 7.5], ["FR10", "C27", None]]
"""Spreadsheet rows 2-5: a code with leading zeros typed as text, a spacer row (3), a
decimal, and an empty (suppressed) employment cell."""
CSV = "geo,nace,emp\nDE11,0026,120\n\nDE12,C26,7.5\nFR10,C27,\n"


def _workbook(path: Path, rows: list[list[object] | None], *, title: str = "data") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row if row is not None else [])
    book.create_sheet("notes").append(["Source: a statistical office"])
    book.save(path)
    return path


def test_an_xlsx_reads_as_its_csv(tmp_path: Path) -> None:
    sheet = read_table(_workbook(tmp_path / "emp.xlsx", ROWS), columns=MAPPING, year=2015)
    (tmp_path / "emp.csv").write_text(CSV, encoding="utf-8")
    text = read_table(tmp_path / "emp.csv", columns=MAPPING, year=2015)
    pd.testing.assert_frame_equal(sheet, text)
    assert list(sheet["industry"]) == ["0026", "C26", "C27"]  # the spacer row is dropped
    assert sheet["employment"].tolist()[:2] == [120.0, 7.5]
    assert pd.isna(sheet["employment"].iloc[2])  # suppressed: missing, never 0


def test_an_ods_reads_as_its_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame({"geo": ["DE11", "DE12"], "nace": ["C26", "C27"], "emp": [120, 8]})
    frame.to_excel(tmp_path / "emp.ods", index=False, engine="odf")
    frame.to_excel(tmp_path / "emp.xlsx", index=False, engine="openpyxl")
    pd.testing.assert_frame_equal(
        read_table(tmp_path / "emp.ods", columns=MAPPING, year=2015),
        read_table(tmp_path / "emp.xlsx", columns=MAPPING, year=2015),
    )


def test_a_bad_cell_is_named_by_its_spreadsheet_row(tmp_path: Path) -> None:
    # Row 3 is the spacer; the bad value is in row 4 of the sheet, as the program shows it.
    rows = [["DE11", "C26", 120], None, ["DE12", "C26", "many"]]
    with pytest.raises(ParseError, match=r"emp\.xlsx, row 4, column 'emp'"):
        read_table(_workbook(tmp_path / "emp.xlsx", rows), columns=MAPPING, year=2015)


def test_a_sheet_is_chosen_by_name_or_position(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "emp.xlsx", ROWS, title="2015")
    by_name = read_table(path, columns=MAPPING, year=2015, sheet="2015")
    assert len(by_name) == 3
    pd.testing.assert_frame_equal(read_table(path, columns=MAPPING, year=2015, sheet=0), by_name)
    with pytest.raises(ParameterError) as info:
        read_table(path, columns=MAPPING, year=2015, sheet="2016")
    assert str(info.value) == (
        "emp.xlsx has no sheet '2016'; its sheets are '2015', 'notes'. Did you mean '2015'?"
    )
    with pytest.raises(ParameterError, match=r"has 2 sheet\(s\) \('2015', 'notes'\); sheet 2 "):
        read_table(path, columns=MAPPING, year=2015, sheet=2)


def test_a_file_that_is_no_spreadsheet_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "emp.xlsx"
    path.write_text("geo,nace,emp\nDE11,C26,1\n", encoding="utf-8")  # a CSV renamed
    with pytest.raises(ParseError, match=r"emp\.xlsx cannot be read as a spreadsheet .*CSV"):
        read_table(path, columns=MAPPING, year=2015)
