"""Reader for Eurostat data sets in the dissemination API's SDMX-CSV format.

The current regional structural business statistics, ``sbs_r_nuts2021`` (NUTS 2021 regions,
NACE Rev. 2, reference years 2021 onwards), are fetched from Eurostat's dissemination API as
SDMX-CSV::

    DATAFLOW,LAST UPDATE,freq,nace_r2,indic_sbs,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS
    ESTAT:SBS_R_NUTS2021(1.0),27/03/25 23:00:00,A,C26,EMP_LOC_NR,DED2,2022,21384,,

SDMX-CSV was chosen over JSON-stat because it has one row per observation with its flags
beside it (``OBS_FLAG``, and ``CONF_STATUS`` for confidentiality), so it is read in one
vectorised :func:`pandas.read_csv` pass, compressed on the wire (``compressed=true``), with no
need to rebuild a dense multi-dimensional index from JSON-stat's flat value and status
arrays held whole in memory. This module turns such a file into the canonical observations
table of :mod:`clusteratlas.data.schemas`, the same table :func:`read_eurostat_sbs` gives
for the discontinued bulk TSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data.catalog import dataset_path
from clusteratlas.data.eurostat import NACE_LEVEL_PATTERNS
from clusteratlas.data.schemas import validate_observations
from clusteratlas.errors import ParameterError, ParseError

#: ``sbs_r_nuts2021`` indicator codes and the canonical column each fills: persons employed
#: in local units, number of local units, and wages and salaries of local units (EUR million).
INDICATORS_2021: dict[str, str] = {
    "EMP_LOC_NR": "employment",
    "LOC_NR": "establishments",
    "WAGE_LOC_MEUR": "wages",
}

#: ``CONF_STATUS`` codes (SDMX code list CL_CONF_STATUS) that mean the value is not public:
#: C confidential, D secondary confidentiality, N not for publication.
CONFIDENTIAL_STATUS: frozenset[str] = frozenset({"C", "D", "N"})

#: Codes of a dimension's total, kept when a file has a dimension beyond the known ones.
TOTAL_CODES: tuple[str, ...] = ("TOTAL", "_T")

_KNOWN = ("DATAFLOW", "LAST UPDATE", "freq", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG", "CONF_STATUS")
_REQUIRED = ("nace_r2", "indic_sbs", "geo", "TIME_PERIOD", "OBS_VALUE")
_NUTS_LENGTHS: dict[int, int] = {0: 2, 1: 3, 2: 4, 3: 5}
_CHUNK_ROWS = 500_000


def _read_rows(path: Path, origin: str) -> pd.DataFrame:
    """Read the rows of the indicators used, in chunks, indexed by 1-based file line."""
    with path.open("rb") as handle:
        magic = handle.read(2)
    options: dict[str, Any] = {
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "encoding": "utf-8-sig",
        "compression": "gzip" if magic == b"\x1f\x8b" else None,
    }
    header = [str(column) for column in pd.read_csv(path, nrows=0, **options).columns]
    missing = [column for column in _REQUIRED if column not in header]
    if missing:
        raise ParseError(
            f"{origin}, line 1: expected the SDMX-CSV column(s) {', '.join(map(repr, missing))}; "
            f"the header has {', '.join(map(repr, header))}."
        )
    usecols = [column for column in header if column not in ("DATAFLOW", "LAST UPDATE")]
    parts = []
    # The whole data set holds many indicators: keep only ours, chunk by chunk, so memory
    # follows what is kept rather than the size of the file.
    # (No usecols: with it pandas would let a row with extra fields pass unnoticed.)
    for chunk in pd.read_csv(path, chunksize=_CHUNK_ROWS, **options):
        keep = chunk["indic_sbs"].str.strip().isin(list(INDICATORS_2021)).to_numpy(dtype=bool)
        parts.append(chunk.loc[keep, usecols])
    frame = pd.concat(parts) if parts else pd.DataFrame(columns=usecols, dtype=str)
    frame.index = frame.index + 2  # the header is line 1
    return frame


def _select_totals(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Keep the total of every dimension the reader does not know (a size class, a unit)."""
    for column in frame.columns:
        if column in _KNOWN or column in _REQUIRED:
            continue
        codes = set(frame[column].unique())
        if len(codes) <= 1:
            continue
        totals = [code for code in TOTAL_CODES if code in codes]
        if not totals:
            raise ParseError(
                f"{origin}, column {column!r}: expected one code or a total "
                f"({' or '.join(TOTAL_CODES)}) for a dimension the reader does not use; "
                f"got {sorted(codes)[:6]}."
            )
        frame = frame[frame[column] == totals[0]]
    return frame


def read_eurostat_sdmx(
    path: str | Path | None = None,
    *,
    nuts_level: int | None = 2,
    nace_level: str = "division",
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Read Eurostat's regional SBS in SDMX-CSV into the canonical observations table.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The SDMX-CSV file, plain or gzip-compressed (detected from its content). By default
        the catalog data set ``"sbs_r_nuts2021"`` is resolved (downloaded from the
        dissemination API when it is not in the mirror or the cache).
    nuts_level : {0, 1, 2, 3} or None, default 2
        Keep the regions of this NUTS level; ``None`` keeps every level.
    nace_level : {"section", "division", "group", "class", "all"}, default "division"
        Keep the NACE Rev. 2 codes of this level (compact form ``"C26"``).
    years : sequence of int, optional
        Keep these years only (each must be in the file).

    Returns
    -------
    pandas.DataFrame
        The canonical observations table: ``employment`` from EMP_LOC_NR (persons employed
        in local units), ``establishments`` from LOC_NR (local units) and ``wages`` from
        WAGE_LOC_MEUR (wages and salaries, **EUR million**). The ``*_flag`` columns keep
        Eurostat's ``OBS_FLAG`` letters, with ``c`` added where ``CONF_STATUS`` marks the
        value confidential.

    Raises
    ------
    ParseError
        When a needed column is missing, a value is not a number, a period is not a year,
        an observation repeats, or a count is negative; the message names the file, the
        1-based line (the header is line 1) and the column.
    ParameterError
        When ``nuts_level``, ``nace_level`` or ``years`` is not valid for the file.

    Notes
    -----
    An empty ``OBS_VALUE`` or ``:`` is missing. A value flagged ``c`` or with
    ``CONF_STATUS`` C, D or N is confidential and missing even where a number is printed:
    missing and confidential values are NaN, never 0. A negative wage sum (a statistical
    correction) is read as missing and keeps its flags; a negative count is an error.
    Only annual observations (``freq`` ``A``) are read.

    References
    ----------
    Eurostat, "API - Getting started with SDMX2.1 API", dissemination API user guide
    (SDMX-CSV: ``?format=SDMX-CSV``).

    Examples
    --------
    >>> sbs = read_eurostat_sdmx(nuts_level=2)  # doctest: +SKIP
    >>> sbs.query("region == 'DED2' and industry == 'C26'")  # doctest: +SKIP
    """
    check_in(nuts_level, (None, 0, 1, 2, 3), name="nuts_level")
    check_in(nace_level, ("section", "division", "group", "class", "all"), name="nace_level")
    path = dataset_path(path, "sbs_r_nuts2021")
    origin = str(path)
    try:
        frame = _read_rows(path, origin)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, EOFError) as err:
        raise ParseError(f"{origin}: expected an SDMX-CSV file; {err}") from err
    if "freq" in frame.columns:
        frame = frame[frame["freq"].str.strip().isin(["A", ""])]
    frame = _select_totals(frame, origin)

    years_text = frame["TIME_PERIOD"].str.strip()
    bad_year = ~years_text.str.fullmatch(r"\d{4}").to_numpy(dtype=bool, na_value=False)
    if bad_year.any():
        line = frame.index[int(np.flatnonzero(bad_year)[0])]
        raise ParseError(
            f"{origin}, line {line}, column 'TIME_PERIOD': expected a year (four digits); "
            f"got {years_text.loc[line]!r}."
        )
    frame = frame.assign(year=years_text.astype("int64"))
    if years is not None:
        present = set(frame["year"])
        unknown = [year for year in years if year not in present]
        if unknown:
            raise ParameterError(
                f"The 'years' parameter names year(s) {unknown} not in {origin}; "
                f"it has {sorted(present)}."
            )
        frame = frame[frame["year"].isin(list(years))]

    nace = frame["nace_r2"].str.strip()
    geo = frame["geo"].str.strip()
    keep = (
        frame["indic_sbs"].str.strip().isin(list(INDICATORS_2021)).to_numpy(dtype=bool, copy=True)
    )
    if nace_level != "all":
        keep = keep & nace.str.fullmatch(NACE_LEVEL_PATTERNS[nace_level]).to_numpy(dtype=bool)
    if nuts_level is not None:
        keep = keep & (geo.str.len() == _NUTS_LENGTHS[nuts_level]).to_numpy(dtype=bool)
    frame = frame[keep]
    nace, geo = nace[keep], geo[keep]
    if frame.empty:
        return validate_observations(
            pd.DataFrame(columns=["region", "industry", "year", "employment"]), origin=origin
        )

    raw = frame["OBS_VALUE"].str.strip()
    missing_value = (raw == "") | (raw == ":")
    values = pd.to_numeric(raw.where(~missing_value), errors="coerce")
    bad = values.isna() & ~missing_value
    if bad.any():
        line = bad[bad].index[0]
        raise ParseError(
            f"{origin}, line {line}, column 'OBS_VALUE': expected a number or an empty value; "
            f"got {raw.loc[line]!r}."
        )
    flags = frame["OBS_FLAG"].str.strip() if "OBS_FLAG" in frame else pd.Series("", frame.index)
    bad_flag = ~flags.str.fullmatch(r"[a-z]*").to_numpy(dtype=bool, na_value=False)
    if bad_flag.any():
        line = frame.index[int(np.flatnonzero(bad_flag)[0])]
        raise ParseError(
            f"{origin}, line {line}, column 'OBS_FLAG': expected lower-case flag letters; "
            f"got {flags.loc[line]!r}."
        )
    status = (
        frame["CONF_STATUS"].str.strip().str.upper()
        if "CONF_STATUS" in frame
        else pd.Series("", frame.index)
    )
    confidential = flags.str.contains("c", regex=False) | status.isin(CONFIDENTIAL_STATUS)
    flags = flags.where(~confidential | flags.str.contains("c", regex=False), flags + "c")
    column = frame["indic_sbs"].str.strip().map(INDICATORS_2021)
    numbers = values.to_numpy(dtype="float64", copy=True)
    numbers[confidential.to_numpy(dtype=bool)] = np.nan
    numbers[(column == "wages").to_numpy(dtype=bool) & (numbers < 0)] = np.nan
    negative = numbers < 0
    if negative.any():
        line = frame.index[int(np.flatnonzero(negative)[0])]
        raise ParseError(
            f"{origin}, line {line}, column 'OBS_VALUE': expected a non-negative "
            f"{column.loc[line]}; got {raw.loc[line]!r}."
        )

    long = pd.DataFrame(
        {
            "region": geo.to_numpy(),
            "industry": nace.to_numpy(),
            "year": frame["year"].to_numpy(),
            "indicator": column.to_numpy(),
            "value": numbers,
            "flag": flags.to_numpy(dtype=object),
        },
        index=frame.index,
    )
    repeated = long.duplicated(["region", "industry", "year", "indicator"], keep=False)
    if repeated.any():
        lines = list(long.index[repeated.to_numpy()][:2])
        raise ParseError(
            f"{origin}, line {lines[-1]}: expected each observation once; "
            f"{long.loc[lines[-1], 'region']}, {long.loc[lines[-1], 'industry']}, "
            f"{long.loc[lines[-1], 'indicator']}, {long.loc[lines[-1], 'year']} also appears "
            f"on line {lines[0]}."
        )
    wide = long.pivot(index=["region", "industry", "year"], columns="indicator")
    out = pd.DataFrame(index=wide.index)
    for name in INDICATORS_2021.values():
        if ("value", name) in wide.columns:
            out[name] = wide[("value", name)].astype("float64")
            out[f"{name}_flag"] = wide[("flag", name)].fillna("")
        else:
            out[name] = np.nan
            out[f"{name}_flag"] = ""
    return validate_observations(out.sort_index().reset_index(), origin=origin)


__all__ = ["CONFIDENTIAL_STATUS", "INDICATORS_2021", "read_eurostat_sdmx"]
