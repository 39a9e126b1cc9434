"""Readers of the US BEA make and use tables and of the industry crosswalks around them.

The BEA tables (before redefinitions, producers' prices, 2017 schema; via the USEPA
``useeior`` package) have a first column ``rownames`` and codes as headers, in US$ million.
The readers split each table explicitly into the inter-industry block and the rest (value
added, final demand, totals), kept separately. Measures are in :mod:`.measures.io_links`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data._codes import read_code_table
from clusteratlas.data.catalog import dataset_path
from clusteratlas.data.nace import NACE_DIVISION_SECTION
from clusteratlas.data.naics import normalise_naics
from clusteratlas.errors import ParseError, UnknownCodeError

Level = Literal["summary", "detail"]
LEVELS: tuple[str, ...] = ("summary", "detail")
#: Labels of the total rows (T005 intermediate inputs, T006 value added, T008 industry
#: output) and columns (T001 intermediate use, T004 final uses, T007 commodity output) of
#: the use tables. The detail file has its T004 and T007 columns unnamed, read as "NA" and
#: "NA.1"; the reader checks that they add up as T004 and T007 do.
_USE_ROW_TOTALS: dict[str, tuple[str, ...]] = {
    "summary": ("Total Intermediate", "Total Value Added", "Total Industry Output"),
    "detail": ("T005", "T006", "T008"),
}
_USE_COLUMN_TOTALS: dict[str, tuple[str, ...]] = {
    "summary": ("Total Intermediate", "Total Final Uses (GDP)", "Total Commodity Output"),
    "detail": ("T001", "NA", "NA.1"),
}
_MAKE_TOTALS: dict[str, tuple[str, str]] = {  # commodity output row, industry output col
    "summary": ("Total Commodity Output", "Total Industry Output"),
    "detail": ("T007", "T008"),
}
_VALUE_ADDED = re.compile(r"^V00\d(00)?$")
_FINAL_DEMAND = re.compile(r"^F\d{2}[A-Z0-9]{1,3}$")


@dataclass(frozen=True)
class UseTable:
    """A BEA use table split into its blocks (US$ million).

    Attributes
    ----------
    flows : pandas.DataFrame
        Commodity × industry intermediate use :math:`U` (rows: commodities, columns:
        industries), totals excluded.
    final_demand : pandas.DataFrame
        Commodity × final-demand category (F010 personal consumption … F10S).
    value_added : pandas.DataFrame
        Value-added component (V001…V003) × industry.
    industry_totals : pandas.DataFrame
        Industries as index; columns ``intermediate_inputs`` (T005), ``value_added``
        (T006) and ``output`` (T008).
    commodity_totals : pandas.DataFrame
        Commodities as index; columns ``intermediate_use`` (T001), ``final_uses``
        (T004) and ``output`` (T007).
    commodities, industries : pandas.DataFrame
        Code–name tables (columns ``code``, ``name``) in table order.
    level : str
        ``"summary"`` or ``"detail"``.
    """

    flows: pd.DataFrame
    final_demand: pd.DataFrame
    value_added: pd.DataFrame
    industry_totals: pd.DataFrame
    commodity_totals: pd.DataFrame
    commodities: pd.DataFrame
    industries: pd.DataFrame
    level: str


@dataclass(frozen=True)
class MakeTable:
    """A BEA make table (US$ million).

    Attributes
    ----------
    flows : pandas.DataFrame
        Industry × commodity production :math:`V` (rows: industries), totals excluded.
    industry_output : pandas.Series
        Total industry output :math:`g` (the table's T008 column).
    commodity_output : pandas.Series
        Total commodity output :math:`q` (the table's T007 row).
    industries, commodities : pandas.DataFrame
        Code–name tables (columns ``code``, ``name``).
    level : str
        ``"summary"`` or ``"detail"``.
    """

    flows: pd.DataFrame
    industry_output: pd.Series
    commodity_output: pd.Series
    industries: pd.DataFrame
    commodities: pd.DataFrame
    level: str


def _catalog_name(kind: str, level: str) -> str:
    """Catalog name of a table: summary tables are of 2022, detail tables of 2017."""
    return f"bea_{kind}_{level}_{2022 if level == 'summary' else 2017}"


def _read_matrix(path: Path) -> pd.DataFrame:
    """Read a BEA table as a float frame indexed by its (string) row codes."""
    try:
        frame = pd.read_csv(path, dtype={"rownames": str}, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as err:
        raise ParseError(f"{path}: cannot read the BEA table: {err}") from err
    if frame.columns[0] != "rownames":
        raise ParseError(f"{path}: the first column must be 'rownames'; got {frame.columns[0]!r}.")
    frame = frame.set_index("rownames")
    frame.index = frame.index.str.strip()
    frame.index.name = None
    try:
        return frame.astype("float64")
    except ValueError as err:
        raise ParseError(f"{path}: a value is not a number: {err}") from err


def _names(path: Path, level: str, kind: str, codes: pd.Index) -> pd.DataFrame:
    """Return the code–name table of ``codes`` from the file beside the table (or NA)."""
    beside = path.parent / f"{level.capitalize()}_{kind}CodeName_2017.csv"
    names: dict[str, str] = {}
    if beside.is_file():
        table = pd.read_csv(beside, dtype=str, keep_default_na=False)
        names.update(zip(table.iloc[:, 0].str.strip(), table.iloc[:, 1].str.strip(), strict=True))
    return pd.DataFrame(
        {"code": codes.to_numpy(), "name": pd.array([names.get(c) for c in codes], dtype="str")}
    )


def read_bea_use(path: str | Path | None = None, *, level: Level = "summary") -> UseTable:
    """Read a BEA use table (commodity × industry), before redefinitions.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The CSV; by default the catalog data set ``"bea_use_summary_2022"`` or
        ``"bea_use_detail_2017"``. The code–name tables are read from the same folder
        (``Summary_CommodityCodeName_2017.csv`` …); names are missing without them.
    level : {"summary", "detail"}, default "summary"
        Which table: 71 summary industries (2022) or 402 detail industries (2017).

    Returns
    -------
    UseTable
        The intermediate block and, separately, final demand, value added and totals.

    Raises
    ------
    ParseError
        When the file cannot be read, or its totals columns are not where expected.
    """
    check_in(level, LEVELS, name="level")
    source = dataset_path(path, _catalog_name("use", level))
    frame = _read_matrix(source)
    row_totals, column_totals = _USE_ROW_TOTALS[level], _USE_COLUMN_TOTALS[level]
    missing = [r for r in row_totals if r not in frame.index]
    missing += [c for c in column_totals if c not in frame.columns]
    if missing:
        raise ParseError(f"{source}: total row(s)/column(s) {missing} not found.")
    va_rows = [r for r in frame.index if _VALUE_ADDED.match(r)]
    fd_cols = [c for c in frame.columns if _FINAL_DEMAND.match(c)]
    industries = [c for c in frame.columns if c not in column_totals and c not in fd_cols]
    commodities = [r for r in frame.index if r not in row_totals and r not in va_rows]
    ind_totals = frame.loc[list(row_totals), industries].T
    ind_totals.columns = pd.Index(["intermediate_inputs", "value_added", "output"])
    com_totals = frame.loc[commodities, list(column_totals)]
    com_totals.columns = pd.Index(["intermediate_use", "final_uses", "output"])
    gap = com_totals["intermediate_use"] + com_totals["final_uses"] - com_totals["output"]
    final_gap = frame.loc[commodities, fd_cols].sum(axis=1) - com_totals["final_uses"]
    if max(gap.abs().max(), final_gap.abs().max()) > 10.0:  # US$ million; BEA rounds to 1
        raise ParseError(
            f"{source}: the total columns do not add up (intermediate + final uses = output)."
        )
    return UseTable(
        flows=frame.loc[commodities, industries].copy(),
        final_demand=frame.loc[commodities, fd_cols].copy(),
        value_added=frame.loc[va_rows, industries].copy(),
        industry_totals=ind_totals.copy(),
        commodity_totals=com_totals.copy(),
        commodities=_names(source, level, "Commodity", pd.Index(commodities)),
        industries=_names(source, level, "Industry", pd.Index(industries)),
        level=level,
    )


def read_bea_make(path: str | Path | None = None, *, level: Level = "summary") -> MakeTable:
    """Read a BEA make table (industry × commodity), before redefinitions.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The CSV; by default the catalog data set ``"bea_make_summary_2022"`` or
        ``"bea_make_detail_2017"``.
    level : {"summary", "detail"}, default "summary"
        Which table.

    Returns
    -------
    MakeTable
        The industry × commodity block, industry output and commodity output.

    Raises
    ------
    ParseError
        When the file cannot be read or lacks its total row or column.
    """
    check_in(level, LEVELS, name="level")
    source = dataset_path(path, _catalog_name("make", level))
    frame = _read_matrix(source)
    total_row, total_col = _MAKE_TOTALS[level]
    if total_row not in frame.index or total_col not in frame.columns:
        raise ParseError(f"{source}: expected a {total_row!r} row and a {total_col!r} column.")
    industries = [r for r in frame.index if r != total_row]
    commodities = [c for c in frame.columns if c != total_col]
    return MakeTable(
        flows=frame.loc[industries, commodities].copy(),
        industry_output=frame[total_col].loc[industries].rename("output"),
        commodity_output=pd.Series(frame.loc[total_row, commodities], name="output"),
        industries=_names(source, level, "Industry", pd.Index(industries)),
        commodities=_names(source, level, "Commodity", pd.Index(commodities)),
        level=level,
    )


@functools.lru_cache(maxsize=4)
def _crosswalk(path: Path) -> pd.DataFrame:
    raw = read_code_table(
        path, ("BEA_2017_Sector_Code", "BEA_2017_Summary_Code", "BEA_2017_Detail_Code")
    )
    naics = raw["NAICS_2017_Code"].str.strip() if "NAICS_2017_Code" in raw else ""
    out = pd.DataFrame(
        {
            "sector": raw["BEA_2017_Sector_Code"].str.strip(),
            "summary": raw["BEA_2017_Summary_Code"].str.strip(),
            "detail": raw["BEA_2017_Detail_Code"].str.strip(),
            "naics": naics,
        }
    )
    out = out[out["naics"].ne("")].drop_duplicates(ignore_index=True)
    out["naics_digits"] = out["naics"].str.len().astype("int64")
    return out


def bea_naics_crosswalk(path: str | Path | None = None) -> pd.DataFrame:
    """Return the BEA 2017 sector/summary/detail codes ↔ NAICS 2017 crosswalk.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        ``MasterCrosswalk2017.csv``; by default the catalog data set
        ``"bea_crosswalk_2017"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``sector``, ``summary``, ``detail`` (BEA codes), ``naics`` (NAICS 2017, 2
        to 6 digits as listed) and ``naics_digits``; BEA codes without a NAICS code
        (government, final demand, value added, scrap…) are left out. A BEA industry is
        listed with the NAICS codes of every level it covers, wholly or partly.
    """
    return _crosswalk(dataset_path(path, "bea_crosswalk_2017")).copy()


def io_industry_naics(
    crosswalk: pd.DataFrame | None = None, *, level: Level = "detail"
) -> pd.DataFrame:
    """Return each BEA industry's most detailed NAICS codes.

    Parameters
    ----------
    crosswalk : pandas.DataFrame, optional
        :func:`bea_naics_crosswalk` (read from the catalog by default).
    level : {"summary", "detail"}, default "detail"
        Which BEA codes.

    Returns
    -------
    pandas.DataFrame
        Columns ``io_industry`` and ``naics``: for each BEA code, the NAICS codes it lists
        that have no more detailed code listed for the same BEA code (e.g. ``3361MV`` →
        ``336111``, ``336112``, …, ``336390``).
    """
    check_in(level, LEVELS, name="level")
    table = bea_naics_crosswalk() if crosswalk is None else crosswalk
    pairs = table[[level, "naics"]].drop_duplicates().rename(columns={level: "io_industry"})
    rows: list[tuple[str, str]] = []
    for code, group in pairs.groupby("io_industry", sort=True):
        listed = [str(n) for n in group["naics"]]
        leaves = [n for n in listed if not any(o != n and o.startswith(n) for o in listed)]
        rows.extend((str(code), n) for n in sorted(leaves))
    return pd.DataFrame(rows, columns=["io_industry", "naics"])


def _isic_class(code: str) -> str:
    """Restore the leading zero the concordance drops (``"111"`` → ``"0111"``)."""
    text = code.strip()
    return text.zfill(4) if len(text) >= 3 else text.zfill(3)


@functools.lru_cache(maxsize=4)
def _concordance(path: Path) -> pd.DataFrame:
    raw = read_code_table(path, ("naics_part", "naics2017", "isic_part", "isic4"))
    isic = raw["isic4"].map(_isic_class)
    return pd.DataFrame(
        {
            "naics": raw["naics2017"].str.strip(),
            "naics_partial": raw["naics_part"].str.strip().eq("*"),
            "isic4": isic,
            "isic4_partial": raw["isic_part"].str.strip().eq("*"),
            "isic_division": isic.str[:2],
        }
    )


def naics_isic_concordance(path: str | Path | None = None) -> pd.DataFrame:
    """Return the US Census concordance of NAICS 2017 and ISIC Rev.4.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        ``naics2017_to_isic4.csv``; by default the catalog data set
        ``"naics_isic_concordance"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``naics`` (6 digits), ``naics_partial`` (bool: only part of the NAICS
        industry is in the ISIC code, ``*`` in the file), ``isic4`` (4-digit class, or a
        3-digit group for the few group-level links; leading zeros restored),
        ``isic4_partial`` (bool: the ISIC code is only partly in the NAICS industry) and
        ``isic_division`` (2 digits).
    """
    return _concordance(dataset_path(path, "naics_isic_concordance")).copy()


def naics_to_nace_division(code: str, *, path: str | Path | None = None) -> tuple[str, ...]:
    """Return the NACE Rev.2 divisions a NAICS 2017 industry falls in.

    Parameters
    ----------
    code : str
        A NAICS code of 2 to 6 digits (or a range sector such as ``"31-33"``); a code
        shorter than 6 digits stands for all its 6-digit industries.
    path : str or pathlib.Path, optional
        The concordance, as for :func:`naics_isic_concordance`.

    Returns
    -------
    tuple of str
        Compact NACE division codes (``"C29"``), sorted, each once.

    Raises
    ------
    UnknownCodeError
        When no 6-digit industry of the concordance starts with ``code``.

    Notes
    -----
    ISIC Rev.4 and NACE Rev.2 are identical down to the division (NACE classes nest in
    ISIC classes), so the NACE division is the ISIC division with its section letter
    (:data:`clusteratlas.data.nace.NACE_DIVISION_SECTION`). A partial link counts.
    """
    normal = normalise_naics(code)
    table = _concordance(dataset_path(path, "naics_isic_concordance"))
    prefixes: tuple[str, ...] = (normal,)
    if "-" in normal:  # a range sector: "31-33" stands for 31, 32 and 33
        low, high = (int(part) for part in normal.split("-"))
        prefixes = tuple(str(p) for p in range(low, high + 1))
    hits = table[table["naics"].str.startswith(prefixes)]
    if hits.empty:
        raise UnknownCodeError(f"{code!r} has no 6-digit NAICS industry in the concordance.")
    divisions = sorted(set(hits["isic_division"]))
    return tuple(NACE_DIVISION_SECTION[d] + d for d in divisions if d in NACE_DIVISION_SECTION)


__all__ = [
    "LEVELS",
    "MakeTable",
    "UseTable",
    "bea_naics_crosswalk",
    "io_industry_naics",
    "naics_isic_concordance",
    "naics_to_nace_division",
    "read_bea_make",
    "read_bea_use",
]
