r"""Reader for Eurostat's regional Structural Business Statistics bulk TSV files.

Eurostat publishes its data sets as tab-separated text in which the first column packs
the dimensions of each series (``nace_r2,indic_sb,geo\time``) and every other column is a
period. A cell holds a number and optional flag letters after a space (``1448 d``), or a
colon for a missing value with optional flags (``: c`` is confidential). This module turns
such a file into the canonical observations table of :mod:`clusteratlas.data.schemas`.

The reader is vectorised with pandas: the 195,000-series file ``sbs_r_nuts06_r2`` is parsed
in a few seconds.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data._compressed import decompression_errors
from clusteratlas.data.catalog import dataset_path
from clusteratlas.data.schemas import validate_observations
from clusteratlas.errors import ParameterError, ParseError

#: Eurostat SBS indicator codes read by :func:`read_eurostat_sbs`, and the canonical column
#: each one fills. V16110 is persons employed, V11210 the number of local units and V13320
#: wages and salaries in EUR million.
INDICATORS: dict[str, str] = {
    "V16110": "employment",
    "V11210": "establishments",
    "V13320": "wages",
}

#: The NACE levels a caller may select, with the pattern of Eurostat's compact codes.
NACE_LEVEL_PATTERNS: dict[str, str] = {
    "section": r"[A-U]",
    "division": r"[A-U]\d{2}",
    "group": r"[A-U]\d{3}",
    "class": r"[A-U]\d{4}",
}

_NUTS_LENGTHS: dict[int, int] = {0: 2, 1: 3, 2: 4, 3: 5}
_NUMBER = r"-?\d+(?:\.\d*)?"
_FLAGS = r"[a-z]*"
_REQUIRED_DIMENSIONS = ("nace_r2", "indic_sb", "geo")


def _read_text(path: Path) -> str:
    """Return the text of a plain or gzip-compressed file."""
    with path.open("rb") as handle:
        magic = handle.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with decompression_errors(path), opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        text: str = handle.read()
    return text


def _parse_header(header: str, origin: str) -> tuple[list[str], list[int]]:
    """Return the dimension names and the years named by the header line."""
    fields = header.split("\t")
    key = fields[0]
    if "\\" not in key:
        raise ParseError(
            f"{origin}, line 1, key column: expected Eurostat's 'dimension,...,geo\\time' "
            f"header; got {key!r}."
        )
    dimensions = [part.strip() for part in key.split("\\", 1)[0].split(",")]
    missing = [name for name in _REQUIRED_DIMENSIONS if name not in dimensions]
    if missing:
        raise ParseError(
            f"{origin}, line 1, key column: expected the dimension(s) "
            f"{', '.join(map(repr, missing))} in the header; got {key!r}."
        )
    years: list[int] = []
    for position, field in enumerate(fields[1:], start=2):
        label = field.strip()
        if not re.fullmatch(r"\d{4}", label):
            raise ParseError(
                f"{origin}, line 1, column {position}: expected a year (four digits); "
                f"got {field!r}."
            )
        years.append(int(label))
    return dimensions, years


def _nace_mask(codes: pd.Series, nace_level: str) -> np.ndarray:
    """Return a boolean mask of the NACE codes at ``nace_level`` (all codes for ``"all"``)."""
    if nace_level == "all":
        return np.ones(len(codes), dtype=bool)
    pattern = NACE_LEVEL_PATTERNS[nace_level]
    return codes.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)


def read_eurostat_sbs(
    path: str | Path | None = None,
    *,
    nuts_level: int | None = 2,
    nace_level: str = "division",
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    r"""Read Eurostat's regional SBS bulk TSV into the canonical observations table.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The TSV file, plain or gzip-compressed (detected from its content). By default the
        catalog data set ``"sbs_r_nuts06_r2"`` is resolved.
    nuts_level : {0, 1, 2, 3} or None, default 2
        Keep the regions of this NUTS level (codes of 2, 3, 4 or 5 characters); ``None``
        keeps every level. Extra-regio codes (``DEZZ``, ``FRZ``…) are kept; see
        :func:`clusteratlas.data.regions.is_extra_regio` to drop them.
    nace_level : {"section", "division", "group", "class", "all"}, default "division"
        Keep the NACE Rev.2 codes of this level, in Eurostat's compact form: ``"C"``,
        ``"C26"``, ``"G451"``, ``"C2611"``. ``"all"`` also keeps aggregates such as
        ``"B-N_S95_X_K"`` if the file has them.
    years : sequence of int, optional
        Keep these years only (each must be a column of the file). By default all years.

    Returns
    -------
    pandas.DataFrame
        The canonical observations table (see
        :func:`clusteratlas.data.schemas.validate_observations`), sorted by region,
        industry and year: ``employment`` from V16110 (persons employed),
        ``establishments`` from V11210 (local units) and ``wages`` from V13320 (wages and
        salaries, **EUR million**, as published). Other indicators are ignored. Each
        ``*_flag`` column holds the flag letters Eurostat published with the value
        (e.g. ``"d"``, ``"bc"``), or an empty string.

    Raises
    ------
    ParseError
        When the header is not a Eurostat TSV header, a line has the wrong number of
        fields, a key has the wrong number of dimensions, a value is neither a number nor
        ``:`` optionally followed by flag letters, a series appears twice, or an employment
        or a number of local units is negative. The message names the file, the 1-based
        line (the header is line 1), the year column and what was expected.
    ParameterError
        When ``nuts_level``, ``nace_level`` or ``years`` is not valid for the file.

    Notes
    -----
    ``:`` is a missing value. A value flagged ``c`` (confidential) is missing even where a
    number is printed. Missing and confidential values are NaN, never 0. A negative
    employment or number of local units is an error; a negative wage sum (the 2017 snapshot
    has one, ``B06,V13320,NO06`` in 2014: ``-8.3``, a statistical correction) cannot be a
    level and is read as missing, keeping its flags. Both the old bulk layout
    (``nace_r2,indic_sb,geo\time``) and the dissemination API layout
    (``freq,nace_r2,indic_sb,geo\TIME_PERIOD``) are read; the dimensions are found by name.

    Examples
    --------
    >>> sbs = read_eurostat_sbs(nuts_level=2, nace_level="division")  # doctest: +SKIP
    >>> sbs.query("region == 'DE11' and industry == 'C26' and year == 2014")  # doctest: +SKIP
    """
    check_in(nuts_level, (None, 0, 1, 2, 3), name="nuts_level")
    check_in(nace_level, ("section", "division", "group", "class", "all"), name="nace_level")
    path = dataset_path(path, "sbs_r_nuts06_r2")
    origin = str(path)

    lines = _read_text(path).splitlines()
    if not lines:
        raise ParseError(f"{origin}, line 1: expected a Eurostat TSV header; the file is empty.")
    dimensions, file_years = _parse_header(lines[0], origin)
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    n_fields = len(file_years) + 1

    if years is None:
        selected = list(range(len(file_years)))
    else:
        unknown = [year for year in years if year not in file_years]
        if unknown:
            raise ParameterError(
                f"The 'years' parameter names year(s) {unknown} not in {origin}; "
                f"it has {sorted(file_years)}."
            )
        selected = [file_years.index(year) for year in dict.fromkeys(years)]

    body = pd.Series(lines[1:], dtype="str")
    line_numbers = np.arange(2, len(body) + 2)
    tabs = body.str.count("\t").to_numpy()
    wrong = np.flatnonzero(tabs != n_fields - 1)
    if len(wrong):
        first = wrong[0]
        raise ParseError(
            f"{origin}, line {line_numbers[first]}: expected {n_fields} tab-separated fields "
            f"(the key and {len(file_years)} years); got {tabs[first] + 1}."
            + (f" {len(wrong)} line(s) are malformed." if len(wrong) > 1 else "")
        )
    if body.empty:
        return validate_observations(
            pd.DataFrame(columns=["region", "industry", "year", "employment"]), origin=origin
        )
    fields = body.str.split("\t", expand=True)
    keys = fields[0].str.split(",", expand=True)
    if keys.shape[1] != len(dimensions) or keys.isna().to_numpy().any():
        counts = fields[0].str.count(",").to_numpy() + 1
        first = int(np.flatnonzero(counts != len(dimensions))[0])
        raise ParseError(
            f"{origin}, line {line_numbers[first]}, key column: expected {len(dimensions)} "
            f"comma-separated codes ({','.join(dimensions)}); got {fields[0].iloc[first]!r}."
        )
    nace = keys[dimensions.index("nace_r2")].str.strip()
    indicator = keys[dimensions.index("indic_sb")].str.strip()
    geo = keys[dimensions.index("geo")].str.strip()

    mask = indicator.isin(list(INDICATORS)).to_numpy(dtype=bool, na_value=False)
    mask = mask & _nace_mask(nace, nace_level)
    if nuts_level is not None:
        mask = mask & (geo.str.len() == _NUTS_LENGTHS[nuts_level]).to_numpy(
            dtype=bool, na_value=False
        )
    rows = np.flatnonzero(mask)

    series_keys = pd.DataFrame(
        {"nace": nace.to_numpy()[rows], "indicator": indicator.to_numpy()[rows]}
    ).assign(geo=geo.to_numpy()[rows])
    repeated = series_keys.duplicated(keep=False).to_numpy()
    if repeated.any():
        first_lines = line_numbers[rows[repeated]][:2]
        raise ParseError(
            f"{origin}, line {first_lines[-1]}: expected each series once; "
            f"{','.join(series_keys[repeated].iloc[0])} also appears on line {first_lines[0]}."
        )

    n_rows, n_years = len(rows), len(selected)
    cells = fields.to_numpy(dtype=object)[np.ix_(rows, np.asarray(selected, dtype=np.intp) + 1)]
    raw = pd.Series(cells.ravel(), dtype="str")
    parts = raw.str.strip().str.partition(" ")
    number, flags = parts[0], parts[2].str.strip()
    is_missing = (number == ":").to_numpy(dtype=bool)
    is_number = number.str.fullmatch(_NUMBER).to_numpy(dtype=bool, na_value=False)
    good_flags = flags.str.fullmatch(_FLAGS).to_numpy(dtype=bool, na_value=False)
    invalid = ~((is_missing | is_number) & good_flags)
    cell_line = np.repeat(line_numbers[rows], n_years)
    cell_year = np.tile(np.asarray([file_years[index] for index in selected]), n_rows)
    if invalid.any():
        first = int(np.flatnonzero(invalid)[0])
        raise ParseError(
            f"{origin}, line {cell_line[first]}, year column {cell_year[first]}: expected a "
            f"number or ':' optionally followed by a space and flag letters; "
            f"got {raw.iloc[first]!r}."
        )
    values = pd.to_numeric(number.where(is_number), errors="coerce").to_numpy(
        dtype="float64", copy=True
    )
    confidential = flags.str.contains("c", regex=False).to_numpy(dtype=bool)
    values[confidential] = np.nan
    cell_column = np.repeat(series_keys["indicator"].map(INDICATORS).to_numpy(), n_years)
    is_wages = cell_column == "wages"
    values[is_wages & (values < 0)] = np.nan
    negative = values < 0
    if negative.any():
        first = int(np.flatnonzero(negative)[0])
        column = cell_column[first]
        raise ParseError(
            f"{origin}, line {cell_line[first]}, year column {cell_year[first]}: expected a "
            f"non-negative {column}; got {raw.iloc[first]!r}."
        )

    long = pd.DataFrame(
        {
            "region": np.repeat(series_keys["geo"].to_numpy(), n_years),
            "industry": np.repeat(series_keys["nace"].to_numpy(), n_years),
            "year": cell_year,
            "indicator": cell_column,
            "value": values,
            "flag": flags.to_numpy(dtype=object),
        }
    )
    wide = long.pivot(index=["region", "industry", "year"], columns="indicator")
    out = pd.DataFrame(index=wide.index)
    for column in INDICATORS.values():
        if ("value", column) in wide.columns:
            out[column] = wide[("value", column)].astype("float64")
            out[f"{column}_flag"] = wide[("flag", column)].fillna("")
        else:
            out[column] = np.nan
            out[f"{column}_flag"] = ""
    out = out.sort_index().reset_index()
    return validate_observations(out, origin=origin)


__all__ = ["INDICATORS", "NACE_LEVEL_PATTERNS", "read_eurostat_sbs"]
