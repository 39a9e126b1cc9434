"""Reader for US County Business Patterns (CBP) by metropolitan area (CBSA).

Two layouts are read, recognised from the header:

mirror layout
    ``cbsa_code,naics_code,naics_level,EMP,ESTAB`` — the catalog's ``cbp2019_cbsa``
    extract. ``naics_code`` ``"00"`` is the all-industries total. A withheld cell is written
    ``EMP`` 0 with ``ESTAB`` > 0.
Census metro-area file
    ``cbpYYmsa.txt`` from the Census Bureau (``msa,naics,emp_nf,emp,qp1_nf,qp1,ap_nf,ap,
    est,…``; upper or lower case). NAICS codes are padded: ``------`` (all industries),
    ``31----`` (a sector), ``3111//`` (an industry group). ``emp_nf`` is a noise flag
    (``G``, ``H``, ``J``) or ``D`` (withheld to avoid disclosure) or ``S`` (not published,
    quality); ``ap`` is the annual payroll in thousands of dollars. Files of 2012–2016 also
    have an ``empflag`` column whose letter marks a withheld employment.

Layout generations of the metro-area files, 2012–2022 (Census "Metro Area Data Dictionary"
record layouts): 2012–2016 ``MSA,NAICS,EMPFLAG,EMP_NF,EMP,…,EST,N1_4,…`` (NAICS 2012, an
employment-size-class letter in ``EMPFLAG`` for a withheld cell); 2017–2021
``msa,naics,emp_nf,emp,…,est,n<5,…`` (NAICS 2017, no ``EMPFLAG``: ``D`` in ``emp_nf`` for a
withheld cell); 2022 the same columns with NAICS 2022 codes and only the noise flags G, H, J.
Column names are matched case-insensitively, so every generation goes through one reader;
:data:`CBP_VINTAGES` records each year's NAICS vintage and metropolitan delineation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data._compressed import decompression_errors
from clusteratlas.data.catalog import dataset_path
from clusteratlas.data.classifications import naics_digits, normalise_naics
from clusteratlas.data.schemas import validate_observations
from clusteratlas.errors import ParameterError, ParseError, SchemaError, UnknownCodeError

MIRROR_COLUMNS: tuple[str, ...] = ("cbsa_code", "naics_code", "emp", "estab")
CENSUS_COLUMNS: tuple[str, ...] = ("msa", "naics", "emp", "est")
#: Employment and payroll flags of the Census files that mean the value is not published.
WITHHELD_FLAGS: frozenset[str] = frozenset({"D", "S"})
NAICS_LEVELS: tuple[int, ...] = (0, 2, 3, 4, 5, 6)

#: The years whose Census metro-area files the catalog offers (``cbp{year}_cbsa``).
CBP_YEARS: tuple[int, ...] = tuple(range(2012, 2023))


@dataclass(frozen=True)
class CbpVintage:
    """What a County Business Patterns year is classified and delineated by.

    Attributes
    ----------
    year : int
        Reference year.
    naics : int
        NAICS vintage of the industry codes (2012, 2017 or 2022).
    delineation : str
        The OMB metropolitan delineation the CBSA codes follow.
    delineation_status : str
        ``CONFIRMED`` where read in a Census source, else ``UNCONFIRMED`` (configurable).
    """

    year: int
    naics: int
    delineation: str
    delineation_status: str = "UNCONFIRMED"


def _vintage(year: int) -> CbpVintage:
    naics = 2012 if year <= 2016 else 2017 if year <= 2021 else 2022
    if year <= 2012:
        delineation = "OMB Bulletin 10-02 (December 2009)"
    elif year <= 2016:
        delineation = "OMB Bulletin 13-01 (February 2013)"
    elif year == 2017:
        delineation = "OMB Bulletin 17-01 (August 2017)"
    elif year <= 2019:
        delineation = "OMB Bulletin 18-04 (September 2018)"
    else:
        delineation = "OMB Bulletin 20-01 (March 2020)"
    return CbpVintage(year=year, naics=naics, delineation=delineation)


#: NAICS vintage (CONFIRMED: CBP technical documentation, 2012–2016 NAICS 2012, 2017–2021
#: NAICS 2017, 2022 NAICS 2022) and metropolitan delineation (UNCONFIRMED: the bulletin
#: each year's metro file follows is inferred from the release dates; override an entry of
#: this mapping where a user knows better) of each catalog year.
CBP_VINTAGES: dict[int, CbpVintage] = {year: _vintage(year) for year in CBP_YEARS}


def _numbers(frame: pd.DataFrame, column: str, origin: str, name: str) -> np.ndarray:
    """Parse a column of counts; raise naming the first line with a bad or negative value."""
    raw = frame[column].fillna("").str.strip()
    values = pd.to_numeric(raw.where(raw != ""), errors="coerce").to_numpy(
        dtype="float64", copy=True
    )
    bad = np.isnan(values) & (raw != "").to_numpy(dtype=bool)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ParseError(
            f"{origin}, line {frame.index[first]}, column {name!r}: expected a number; "
            f"got {raw.iloc[first]!r}."
        )
    negative = values < 0
    if negative.any():
        first = int(np.flatnonzero(negative)[0])
        raise ParseError(
            f"{origin}, line {frame.index[first]}, column {name!r}: expected a non-negative "
            f"number; got {raw.iloc[first]!r}."
        )
    return values


def _naics(codes: pd.Series, origin: str, name: str) -> tuple[pd.Series, pd.Series]:
    """Return the normalised NAICS codes and their digits; raise naming a bad line."""
    mapping: dict[str, str] = {}
    for code in codes.unique():
        try:
            mapping[code] = normalise_naics(code)
        except UnknownCodeError as err:
            first = codes.index[(codes == code).to_numpy(dtype=bool)][0]
            raise ParseError(f"{origin}, line {first}, column {name!r}: {err}") from err
    normal = codes.map(mapping)
    digits = normal.map({code: naics_digits(code) for code in set(mapping.values())})
    return normal, digits


def _regions(codes: pd.Series, origin: str, name: str) -> pd.Series:
    """Return CBSA codes as 5-character strings; raise naming a line with a bad code."""
    regions = codes.fillna("").str.strip().str.zfill(5)
    bad = ~regions.str.fullmatch(r"\d{5}").to_numpy(dtype=bool, na_value=False)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ParseError(
            f"{origin}, line {codes.index[first]}, column {name!r}: expected a 5-digit CBSA "
            f"code; got {codes.iloc[first]!r}."
        )
    return regions


def _require(
    columns: Sequence[str], required: Sequence[str], found: Sequence[str], origin: str
) -> None:
    shown = {"emp": "EMP", "estab": "ESTAB"} if "cbsa_code" in required else {}
    missing = [shown.get(column, column) for column in required if column not in columns]
    if missing:
        raise SchemaError(
            f"{origin} is missing column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, found))}."
        )


def read_cbp(
    path: str | Path | None = None,
    *,
    year: int = 2019,
    naics_levels: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Read County Business Patterns by CBSA into the canonical observations table.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CBP file in the mirror layout or the Census metro-area layout (plain or
        compressed, per its suffix; a ``cbpYYmsa.zip`` as published). By default the
        catalog data set ``f"cbp{year}_cbsa"`` is resolved (2012–2022), downloaded from the
        Census Bureau when it is neither in the mirror nor in the cache.
    year : int, default 2019
        The reference year of the file (CBP files carry none). A Census file named
        ``cbpYYmsa…`` must agree with it.
    naics_levels : sequence of int, optional
        Keep the NAICS codes with these numbers of digits (2 to 6; 0 selects the
        all-industries total ``"00"``). By default every row is kept.

    Returns
    -------
    pandas.DataFrame
        The canonical observations table: ``region`` the CBSA code (5 characters, leading
        zeros kept), ``industry`` the NAICS code (``"00"`` for all industries, sectors
        31–33, 44–45 and 48–49 written ``"31-33"``, ``"44-45"``, ``"48-49"``),
        ``employment`` (mid-March employees), ``establishments``, ``wages`` (annual
        payroll in **thousands of US dollars**, Census layout only; NaN in the mirror
        layout). Withheld cells are NaN with the flag ``"D"`` (or ``"S"``); the Census
        noise flags ``G``, ``H``, ``J`` are kept in ``employment_flag`` / ``wages_flag``.

    Raises
    ------
    SchemaError
        When the header matches neither layout or lacks a needed column; the message names
        the file and the columns it has.
    ParseError
        When a value is not a number, is negative, or a code is malformed; the message names
        the file, the 1-based line (the header is line 1) and the column.
    ParameterError
        When ``naics_levels`` holds a level other than 0, 2–6, or ``year`` disagrees with
        the year in a Census file name.

    Notes
    -----
    In the mirror layout a withheld cell is ``EMP`` 0 with ``ESTAB`` > 0; it is read as a
    missing employment flagged ``"D"``. In the Census layout, ``emp_nf`` ``D`` or ``S``
    makes the employment missing (``ap_nf`` likewise for wages), and in 2012–2016 files a
    letter in ``empflag`` (an employment-size class) makes it missing with the flag
    ``"D"``. The sector rows of the mirror file exclude 31–33, 44–45 and 48–49, which the
    extract does not hold; the reader adds no rows.

    Examples
    --------
    >>> cbp = read_cbp(naics_levels=[0, 6])  # doctest: +SKIP
    """
    if naics_levels is not None:
        for level in naics_levels:
            check_in(level, NAICS_LEVELS, name="naics_levels")
    if path is None and year not in CBP_YEARS:
        raise ParameterError(
            f"The 'year' parameter of read_cbp must be one of {CBP_YEARS[0]}–{CBP_YEARS[-1]} "
            f"(the County Business Patterns years in the catalog) when no path is given. "
            f"Got {year!r} instead."
        )
    path = dataset_path(path, f"cbp{year}_cbsa")
    origin = str(path)
    named = re.match(r"cbp(\d{2})msa", path.name, flags=re.IGNORECASE)
    if named is not None and int(named.group(1)) != year % 100:
        raise ParameterError(
            f"The 'year' parameter of read_cbp must match the file: {path.name} is for "
            f"20{named.group(1)}. Got {year!r} instead."
        )

    with decompression_errors(path):
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    found = [str(column) for column in raw.columns]
    columns = [column.strip().lower() for column in found]
    if len(set(columns)) != len(columns):
        raise SchemaError(f"{origin} has repeated column names; it has {found}.")
    frame = raw.set_axis(columns, axis=1)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame = frame[~(frame.fillna("") == "").all(axis=1).to_numpy(dtype=bool)]

    if "cbsa_code" in columns or "naics_code" in columns:
        _require(columns, MIRROR_COLUMNS, found, origin)
        region_column, naics_column = "cbsa_code", "naics_code"
        employment = _numbers(frame, "emp", origin, found[columns.index("emp")])
        establishments = _numbers(frame, "estab", origin, found[columns.index("estab")])
        wages = np.full(len(frame), np.nan)
        withheld = (employment == 0) & (establishments > 0)
        employment[withheld] = np.nan
        employment_flag = np.where(withheld, "D", "").astype(object)
        wages_flag = np.full(len(frame), "", dtype=object)
    elif "msa" in columns or "naics" in columns:
        _require(columns, CENSUS_COLUMNS, found, origin)
        region_column, naics_column = "msa", "naics"
        employment = _numbers(frame, "emp", origin, found[columns.index("emp")])
        establishments = _numbers(frame, "est", origin, found[columns.index("est")])
        blank = pd.Series("", index=frame.index)
        emp_nf = frame.get("emp_nf", blank).str.strip().str.upper()
        empflag = frame.get("empflag", blank).str.strip().str.upper()
        employment_flag = np.where(empflag != "", "D", emp_nf).astype(object)
        employment[(emp_nf.isin(WITHHELD_FLAGS) | (empflag != "")).to_numpy(dtype=bool)] = np.nan
        if "ap" in columns:
            wages = _numbers(frame, "ap", origin, found[columns.index("ap")])
            ap_nf = frame.get("ap_nf", blank).str.strip().str.upper()
            wages[ap_nf.isin(WITHHELD_FLAGS).to_numpy(dtype=bool)] = np.nan
            wages_flag = ap_nf.to_numpy(dtype=object)
        else:
            wages = np.full(len(frame), np.nan)
            wages_flag = np.full(len(frame), "", dtype=object)
    else:
        raise SchemaError(
            f"{origin} is neither a CBP mirror file (columns cbsa_code, naics_code, "
            f"naics_level, EMP, ESTAB) nor a Census metro-area file (columns msa, naics, "
            f"emp_nf, emp, ap_nf, ap, est); it has {', '.join(map(repr, found))}."
        )

    regions = _regions(frame[region_column], origin, found[columns.index(region_column)])
    industries, digits = _naics(
        frame[naics_column].fillna("").str.strip(), origin, found[columns.index(naics_column)]
    )
    out = pd.DataFrame(
        {
            "region": regions,
            "industry": industries,
            "year": year,
            "employment": employment,
            "establishments": establishments,
            "wages": wages,
            "employment_flag": employment_flag,
            "establishments_flag": "",
            "wages_flag": wages_flag,
        },
        index=frame.index,
    )
    if naics_levels is not None:
        out = out[digits.isin(list(naics_levels)).to_numpy(dtype=bool)]
    return validate_observations(out, origin=origin)


__all__ = ["CBP_VINTAGES", "CBP_YEARS", "WITHHELD_FLAGS", "CbpVintage", "read_cbp"]
