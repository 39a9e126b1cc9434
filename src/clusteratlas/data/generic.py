"""Reader for any regional table the user brings: CSV, Parquet, Excel or a DataFrame.

:func:`read_table` maps the file's column names to the canonical names of
:mod:`clusteratlas.data.schemas`, reads codes as strings (leading zeros kept), checks every
value and returns the canonical observations table. Errors name the file, the 1-based line
of the file (the header is line 1) and the file's own column name.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import lzma
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from clusteratlas._validation import suggest
from clusteratlas.data._compressed import decompression_errors
from clusteratlas.data.schemas import OBSERVATION_COLUMNS, VALUE_COLUMNS, validate_observations
from clusteratlas.errors import (
    MissingDependencyError,
    ParameterError,
    ParseError,
    SchemaError,
)

PARQUET_SUFFIXES: frozenset[str] = frozenset({".parquet", ".pq"})
EXCEL_SUFFIXES: frozenset[str] = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
_OPENERS: dict[str, Callable[..., IO[str]]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_DELIMITERS = ",;\t|"


def _sniff_sep(path: Path) -> str:
    """Guess the delimiter of a (possibly compressed) text table from its first lines."""
    if path.suffix.lower() == ".tsv" or path.name.lower().endswith(".tsv.gz"):
        return "\t"
    opener: Callable[..., IO[str]] = _OPENERS.get(path.suffix.lower(), open)
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            sample = "".join(handle.readline() for _ in range(20))
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except (csv.Error, UnicodeDecodeError, OSError, EOFError):
        return ","


def read_delimited(path: Path, delimiter: str, *, skip_blank_lines: bool = False) -> pd.DataFrame:
    """Read a delimited text file as strings, each value under the column its header names.

    Rows with more fields than the header are not read with their first fields as pandas'
    index (``index_col=False``: every column would be shifted); a trailing delimiter is
    dropped, and any other extra value raises :class:`ParseError` naming its line (pandas
    would drop it with a mere warning). A file that is not UTF-8 text, is empty, does not
    decompress or is not a table (an unclosed quote) raises :class:`ParseError` naming it.
    """
    with decompression_errors(path), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                path,
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=skip_blank_lines,
                index_col=False,
            )
        except UnicodeDecodeError as err:
            raise ParseError(
                f'{path} is not UTF-8 text ({err}); save it as UTF-8 ("CSV UTF-8" in a '
                "spreadsheet)."
            ) from err
        except pd.errors.EmptyDataError as err:
            raise ParseError(f"{path} is empty: expected a header line, then rows.") from err
        except pd.errors.ParserError as err:
            # A row longer than the first ones: name it as below when it holds a value.
            with contextlib.suppress(csv.Error, UnicodeDecodeError):
                _refuse_extra_fields(path, delimiter, _header_width(path, delimiter))
            raise ParseError(
                f"{path} cannot be read as a table separated by {delimiter!r}: {err}"
            ) from err
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        _refuse_extra_fields(path, delimiter, len(frame.columns))
    return frame


def _header_width(path: Path, delimiter: str) -> int:
    opener: Callable[..., IO[str]] = _OPENERS.get(path.suffix.lower(), open)
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return len(next(csv.reader(handle, delimiter=delimiter), []))


def record_lines(path: Path, delimiter: str) -> list[int]:
    """Return the 1-based line on which each non-blank record after the header starts.

    These are the rows ``read_delimited(..., skip_blank_lines=True)`` returns, so a message
    about a row can name its line even after blank lines or quoted line breaks.
    """
    opener: Callable[..., IO[str]] = _OPENERS.get(path.suffix.lower(), open)
    lines = []
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        previous = reader.line_num
        for row in reader:
            if row and (len(row) > 1 or row[0].strip()):  # pandas skips whitespace-only lines too
                lines.append(previous + 1)
            previous = reader.line_num
    return lines


def _refuse_extra_fields(path: Path, delimiter: str, width: int) -> None:
    """Raise :class:`ParseError` at the first row holding a value beyond the header's columns."""
    opener: Callable[..., IO[str]] = _OPENERS.get(path.suffix.lower(), open)
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        for row in reader:
            extra = [field for field in row[width:] if field.strip()]
            if extra:
                raise ParseError(
                    f"{path}, line {reader.line_num}: {len(row)} fields where the header names "
                    f"{width} columns; {', '.join(map(repr, extra))} belong(s) to no column (a "
                    "delimiter too many in the row, or a column name missing from the header)."
                )


class _Source:
    """Where a table came from, and how to name one of its rows in a message."""

    def __init__(self, origin: str, *, is_file: bool, row_word: str) -> None:
        self.origin = origin
        self.is_file = is_file
        self.row_word = row_word

    def error(self, label: Any, column: str | list[str], message: str) -> ValueError:
        named = (
            f"column {column!r}"
            if isinstance(column, str)
            else f"columns {', '.join(map(repr, column))}"
        )
        where = f"{self.origin}, {self.row_word} {label}, {named}"
        cls = ParseError if self.is_file else SchemaError
        return cls(f"{where}: {message}")


def _load(
    source: str | Path | pd.DataFrame, *, sheet: str | int | None, sep: str | None
) -> tuple[pd.DataFrame, _Source]:
    """Return the raw table, indexed by the 1-based line (or row) that each row came from."""
    if isinstance(source, pd.DataFrame):
        if sheet is not None or sep is not None:
            raise ParameterError(
                "The 'sheet' and 'sep' parameters of read_table apply to files, not to a DataFrame."
            )
        frame = source if source.index.is_unique else source.reset_index(drop=True)
        return frame, _Source("DataFrame", is_file=False, row_word="row")
    if not isinstance(source, str | Path):
        raise TypeError(
            "The 'source' parameter of read_table must be a path or a pandas.DataFrame. "
            f"Got {type(source).__name__} instead."
        )
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise ParameterError(
            f"The 'sheet' parameter of read_table applies to spreadsheets "
            f"({', '.join(sorted(EXCEL_SUFFIXES))}). Got {sheet!r} for {path.name}."
        )
    if suffix in PARQUET_SUFFIXES:
        frame = pd.read_parquet(path)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        return frame, _Source(str(path), is_file=True, row_word="row")
    if suffix in EXCEL_SUFFIXES:
        frame = _read_sheet(path, sheet)
        frame.index = pd.RangeIndex(2, len(frame) + 2)  # the spreadsheet's row numbers
        row_word = "row"
    else:
        delimiter = sep if sep is not None else _sniff_sep(path)
        frame = read_delimited(path, delimiter)
        frame.index = pd.RangeIndex(2, len(frame) + 2)
        row_word = "line"
    # Empty rows are layout, not observations (a spreadsheet's spacer rows, a file's last
    # line); they keep the numbering of the rows after them.
    blank = (frame.fillna("") == "").all(axis=1).to_numpy(dtype=bool)
    return frame[~blank], _Source(str(path), is_file=True, row_word=row_word)


def _read_sheet(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """Read one sheet as strings; a missing engine, sheet or bad file named with the fix."""
    try:
        book = pd.ExcelFile(path)
    except ImportError as err:
        raise MissingDependencyError(
            f"Reading {path.name} needs a spreadsheet engine; install it with "
            "pip install 'clusteratlas[excel]' (openpyxl for .xlsx, odfpy for .ods, xlrd for "
            ".xls)."
        ) from err
    except Exception as err:  # zipfile, XML and format errors of each engine
        raise ParseError(
            f"{path} cannot be read as a spreadsheet ({type(err).__name__}: {err}); save it "
            "again from the spreadsheet program, or export the sheet as CSV."
        ) from err
    with book:
        names = [str(name) for name in book.sheet_names]
        wanted = 0 if sheet is None else sheet
        if isinstance(wanted, str) and wanted not in names:
            hint = suggest(wanted, names)
            raise ParameterError(
                f"{path.name} has no sheet {wanted!r}; its sheets are "
                f"{', '.join(map(repr, names))}.{hint}"
            )
        if isinstance(wanted, int) and not -len(names) <= wanted < len(names):
            raise ParameterError(
                f"{path.name} has {len(names)} sheet(s) ({', '.join(map(repr, names))}); "
                f"sheet {wanted} does not exist (sheets are counted from 0)."
            )
        frame: pd.DataFrame = pd.read_excel(book, sheet_name=wanted, dtype=str)
        return frame


def _as_text(values: pd.Series) -> pd.Series:
    """Return a column as stripped strings, missing values as empty strings."""
    text = values.astype("str").str.strip()
    return text.where(values.notna(), "")


def read_table(
    source: str | Path | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    year: int | None = None,
    sheet: str | int | None = None,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read a regional table into the canonical observations table.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A CSV or other delimited text file (optionally ``.gz``, ``.bz2`` or ``.xz``), a
        Parquet file (``.parquet``, ``.pq``), a spreadsheet (``.xlsx``, ``.xls``, ``.ods``;
        needs ``openpyxl`` or ``odfpy``) or a DataFrame, which is not modified.
    columns : mapping of str to str, optional
        Canonical name → the table's column name, e.g. ``{"region": "geo", "industry":
        "nace", "employment": "emp"}``. Canonical names not mapped are looked up as they
        are. The canonical names are those of
        :data:`clusteratlas.data.schemas.OBSERVATION_COLUMNS`.
    year : int, optional
        A constant year for a table that has no year column.
    sheet : str or int, optional
        The sheet of a spreadsheet (by default the first).
    sep : str, optional
        The delimiter of a text file; by default it is sniffed from the first lines
        (``,``, ``;``, tab or ``|``; tab for ``.tsv``).

    Returns
    -------
    pandas.DataFrame
        The canonical observations table. ``region`` and ``industry`` are strings as
        written in the file (leading zeros kept for text files; Parquet and DataFrame
        columns of numbers are turned into their decimal strings). Empty values are NaN;
        absent value and flag columns are added as NaN / empty.

    Raises
    ------
    ParameterError
        When ``columns`` names an unknown canonical column, ``year`` is given for a table
        that has a year column, or ``sheet``/``sep`` does not apply to the source.
    SchemaError
        When a needed column is missing (the message lists the table's columns), or when a
        DataFrame holds a bad value.
    ParseError
        When a file holds an empty code, a year that is not a whole number, a value that is
        not a number, a negative value, or a repeated (region, industry, year); the message
        names the file, the 1-based line (header = line 1; Parquet: the 1-based row) and
        the column. Also when a text file holds a value beyond the header's columns (the
        line is named; a delimiter at the end of a row is dropped), is not UTF-8, is empty,
        is truncated or corrupt (compressed), or cannot be split into fields.
    MissingDependencyError
        When a spreadsheet engine is needed and missing.

    Examples
    --------
    >>> frame = pd.DataFrame({"geo": ["DE11", "DE12"], "nace": ["C26", "C26"],
    ...                       "emp": [120.0, 80.0]})
    >>> read_table(frame, columns={"region": "geo", "industry": "nace",
    ...                            "employment": "emp"}, year=2015)[["region", "employment"]]
      region  employment
    0   DE11       120.0
    1   DE12        80.0
    """
    mapping = dict(columns or {})
    for canonical in mapping:
        if canonical not in OBSERVATION_COLUMNS:
            raise ParameterError(
                f"The 'columns' parameter of read_table maps canonical names to the table's "
                f"names; {canonical!r} is not a canonical name (expected one of "
                f"{', '.join(map(repr, OBSERVATION_COLUMNS))})."
                + suggest(canonical, OBSERVATION_COLUMNS)
            )
    raw, where = _load(source, sheet=sheet, sep=sep)
    found = [str(column) for column in raw.columns]
    names = {canonical: mapping.get(canonical, canonical) for canonical in OBSERVATION_COLUMNS}

    required = ["region", "industry", "employment"] + ([] if year is not None else ["year"])
    missing = [canonical for canonical in required if names[canonical] not in found]
    if missing:
        parts = []
        for canonical in missing:
            name = names[canonical]
            close = suggest(name, found).strip()
            parts.append(
                repr(name)
                + (f" (for {canonical!r})" if name != canonical else "")
                + (f" [{close}]" if close else "")
            )
        described = ", ".join(parts)
        extra = " Pass year= for a table without a year column." if "year" in missing else ""
        raise SchemaError(
            f"{where.origin} is missing column(s) {described}; it has "
            f"{', '.join(map(repr, found))}.{extra}"
        )
    if year is not None and names["year"] in found:
        raise ParameterError(
            f"The 'year' parameter of read_table is for tables without a year column; "
            f"{where.origin} has column {names['year']!r}. Got year={year!r}."
        )

    index = raw.index
    out = pd.DataFrame(index=index)
    for key in ("region", "industry"):
        codes = _as_text(raw[names[key]])
        empty = (codes == "").to_numpy(dtype=bool)
        if empty.any():
            first = int(np.flatnonzero(empty)[0])
            raise where.error(index[first], names[key], f"expected a non-empty {key} code.")
        out[key] = codes
    if year is not None:
        out["year"] = int(year)
    else:
        text = _as_text(raw[names["year"]])
        years = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (years.isna() | (years % 1 != 0)).to_numpy(dtype=bool)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise where.error(
                index[first], names["year"], f"expected a year; got {text.iloc[first]!r}."
            )
        out["year"] = years.astype("int64")
    for value in VALUE_COLUMNS:
        if names[value] not in found:
            continue
        text = _as_text(raw[names[value]])
        numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
        not_number = (numbers.isna() & (text != "")).to_numpy(dtype=bool)
        if not_number.any():
            first = int(np.flatnonzero(not_number)[0])
            raise where.error(
                index[first],
                names[value],
                f"expected a number for {value} (or an empty value); got {text.iloc[first]!r}.",
            )
        negative = (numbers < 0).to_numpy(dtype=bool)
        if negative.any():
            first = int(np.flatnonzero(negative)[0])
            raise where.error(
                index[first],
                names[value],
                f"expected a non-negative {value}; got {text.iloc[first]!r}.",
            )
        out[value] = numbers
        flag = f"{value}_flag"
        if names[flag] in found:
            out[flag] = _as_text(raw[names[flag]])
    keys = ["region", "industry", "year"]
    repeated = out.duplicated(keys, keep="first").to_numpy(dtype=bool)
    if repeated.any():
        position = int(np.flatnonzero(repeated)[0])
        region, industry, year_value = out[keys].iloc[position].tolist()
        same = (
            (out["region"] == region) & (out["industry"] == industry) & (out["year"] == year_value)
        )
        earlier = index[int(np.flatnonzero(same.to_numpy(dtype=bool))[0])]
        year_name = names["year"] if year is None else "year"
        raise where.error(
            index[position],
            [names["region"], names["industry"], year_name],
            f"each (region, industry, year) must appear once; ({region!r}, {industry!r}, "
            f"{int(year_value)}) is also on {where.row_word} {earlier}.",
        )
    return validate_observations(out, origin=where.origin)


__all__ = ["read_table"]
