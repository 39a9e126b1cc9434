r"""Establishment registers to region × industry × year aggregates, expressed once in Ibis.

The expressions here run unchanged on DuckDB (default: embedded, out of core) and on
Spark (:mod:`clusteratlas.engine.backends` connects them). They turn micro-data with one
row per establishment (the SIRENE stock layout) into the small tables the measures need:

1. :func:`register_rows`: one row per establishment active at 1 January of each year, with
   its region at the chosen level, its industry code at the chosen classification level
   and its employment (INSEE band midpoint);
2. :func:`industry_aggregates`: sums by (region, industry, year);
3. :func:`category_aggregates` and :func:`region_totals`: category sums through a
   definition table, as :func:`clusteratlas.engine.aggregate_to_categories` does in pandas.

Industry codes are written in the compact NACE form of the category definitions, section
letter first: ``"J"`` (section), ``"J62"`` (division), ``"J620"`` (group), ``"J6201"``
(class) and, at the NAF sub-class level, ``"J6201Z"``. A code is a prefix of every finer
code below it.

Active establishments
---------------------
An establishment is active at 1 January of year :math:`y` when its creation date
(``dateCreationEtablissement``) is on or before that day (a missing date counts as
created) and it is not closed on that day: SIRENE marks a closed establishment with
``etatAdministratifEtablissement = "F"`` and the date of that state in ``dateDebut``, so
it counts as closed from ``dateDebut`` on. Without ``dateDebut``, closed establishments
are left out for every year (an undercount of earlier years). Dates may be Parquet dates,
timestamps or ISO strings (``"2015-03-01"``). Employment is the *current* band of the
register applied to every year: growth from a single stock reflects creations and
closures, not changes of size.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clusteratlas._validation import check_in, optional_import
from clusteratlas.data.establishments import INSEE_BAND_MIDPOINTS
from clusteratlas.data.nace import NACE_DIVISION_SECTION
from clusteratlas.errors import SchemaError

REGION_LEVELS: tuple[str, ...] = ("commune", "departement")
INDUSTRY_LEVELS: tuple[str, ...] = ("section", "division", "group", "class", "naf")
#: Characters of the compact NAF code (``"6201Z"``) kept at each level (after the section).
_LEVEL_CHARS = {"section": 0, "division": 2, "group": 3, "class": 4, "naf": 5}
#: Length of a compact code (section letter included) at each level.
CODE_LENGTHS = {level: chars + 1 for level, chars in _LEVEL_CHARS.items()}

CREATED = "dateCreationEtablissement"
STATE = "etatAdministratifEtablissement"
SINCE = "dateDebut"
DATE_KINDS: tuple[str, ...] = ("string", "date", "timestamp")


def parquet_files(path: str | Path | Sequence[str | Path]) -> list[str]:
    """Resolve a Parquet file, a directory (all ``*.parquet`` below it) or a glob to files.

    Raises
    ------
    FileNotFoundError
        When nothing matches; the message names the path.
    """
    if not isinstance(path, str | Path):
        return [file for item in path for file in parquet_files(item)]
    text = str(path)
    if Path(text).is_dir():
        files = sorted(str(p) for p in Path(text).rglob("*.parquet"))
    elif any(ch in text for ch in "*?["):
        files = sorted(glob.glob(text, recursive=True))
    else:
        files = [text] if Path(text).is_file() else []
    if not files:
        raise FileNotFoundError(f"No Parquet file found at {text}.")
    return files


def _kind(arrow_type: Any) -> str:
    pa = optional_import("pyarrow", extra="scale")
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_dictionary(arrow_type):
        return _kind(arrow_type.value_type)
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    return str(arrow_type)


def check_parquet_schema(
    files: Sequence[str], required: Mapping[str, str | tuple[str, ...]]
) -> dict[str, str]:
    """Check that every file has the required columns with usable types, reading footers only.

    Parameters
    ----------
    files : sequence of str
        Parquet files.
    required : mapping of str to str or tuple of str
        Column → accepted kind(s): ``"string"``, ``"date"``, ``"timestamp"``.

    Returns
    -------
    dict of str to str
        Column → kind in the files (from the first file), for every column of the files.

    Raises
    ------
    SchemaError
        Listing every file, column, expected and found type at fault.
    """
    pq = optional_import("pyarrow.parquet", extra="scale")
    problems: list[str] = []
    kinds: dict[str, str] = {}
    for file in files:
        schema = pq.read_schema(file)
        found = {name: _kind(schema.field(name).type) for name in schema.names}
        kinds = kinds or found
        for column, accepted in required.items():
            wanted = (accepted,) if isinstance(accepted, str) else accepted
            if column not in found:
                problems.append(f"{file}: column {column!r} is missing")
            elif found[column] not in wanted:
                problems.append(
                    f"{file}: column {column!r} must be {' or '.join(wanted)}; "
                    f"found {found[column]}"
                )
            elif found[column] != kinds.get(column):
                problems.append(
                    f"{file}: column {column!r} is {found[column]} but {kinds.get(column)} "
                    f"in {files[0]}"
                )
    if problems:
        shown = "; ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
        raise SchemaError(f"The establishment register does not fit: {shown}.")
    return kinds


def _ibis() -> Any:
    return optional_import("ibis", extra="scale")


def _lookup(expr: Any, mapping: Mapping[str, Any], dtype: str) -> Any:
    """Return a CASE expression: the mapped value of each code, NULL for any other code."""
    ibis = _ibis()
    branches = [(code, ibis.literal(value, type=dtype)) for code, value in mapping.items()]
    return expr.cases(*branches, else_=ibis.null(dtype))


def _day(kind: str, year: int) -> Any:
    ibis = _ibis()
    if kind == "string":
        return ibis.literal(f"{year:04d}-01-01")
    if kind == "date":
        return ibis.date(year, 1, 1)
    return ibis.timestamp(year, 1, 1, 0, 0, 0)


def active_at(table: Any, year: int, kinds: Mapping[str, str]) -> Any:
    """Boolean expression: the establishment is active at 1 January of ``year``."""
    day = {name: _day(kinds[name], year) for name in (CREATED, SINCE) if name in kinds}
    ibis = _ibis()
    created = ibis.literal(True)
    if CREATED in kinds:
        created = table[CREATED].isnull() | (table[CREATED] <= day[CREATED])
    if STATE not in kinds:
        return created
    is_closed = table[STATE].strip() == "F"
    if SINCE in kinds:
        is_closed = is_closed & (table[SINCE] <= day[SINCE])
    return created & ~is_closed.fill_null(False)


def industry_digits(raw: Any, level: str) -> Any:
    """Digits of a NAF rév. 2 sub-class (``"62.01Z"``) at ``level``, before the section letter.

    Divisions are kept for the section level (its letter is added after aggregation, see
    :func:`industry_aggregates`: a per-row lookup of 88 divisions would dominate the scan).
    Codes that are not NAF rév. 2 sub-classes give NULL.
    """
    check_in(level, INDUSTRY_LEVELS, name="industry_level")
    compact = raw.strip().upper().replace(".", "")
    valid = compact.re_search(r"^[0-9]{4}[A-Z]$")
    digits = compact.substr(0, max(_LEVEL_CHARS[level], 2))
    return _ibis().ifelse(valid, digits, _ibis().null("string"))


def industry_code(digits: Any, level: str) -> Any:
    """Compact NACE code at ``level`` (``"J"``, ``"J62"``, ``"J6201Z"``) from NAF digits."""
    check_in(level, INDUSTRY_LEVELS, name="industry_level")
    section = _lookup(digits.substr(0, 2), NACE_DIVISION_SECTION, "string")
    chars = _LEVEL_CHARS[level]
    return section if chars == 0 else section.concat(digits.substr(0, chars))


def region_key(raw: Any, level: str) -> Any:
    """Return the part of the raw commune code a region at ``level`` depends on, as it is.

    A département is read from the first three characters (``"974"`` overseas, ``"67x"``
    otherwise), so the register is grouped by that prefix rather than by the whole commune
    code; trimming and cutting happen on the aggregate (:func:`region_code`).
    """
    check_in(level, REGION_LEVELS, name="region_level")
    return raw if level == "commune" else raw.substr(0, 3)


def region_code(raw: Any, level: str) -> Any:
    """Commune code, or its département: 2 characters (``"2A"`` in Corsica), 3 overseas (97x).

    ``raw`` is a commune code or its :func:`region_key`. A département key that cannot be
    read (blank, or an overseas code cut short by padding) gives NULL: the establishment is
    counted as unlocated.
    """
    check_in(level, REGION_LEVELS, name="region_level")
    ibis = _ibis()
    code = raw.strip().nullif("")
    if level == "commune":
        return code
    overseas = code.startswith("97")
    readable = ~overseas | (code.length() >= 3)
    department = ibis.ifelse(overseas, code.substr(0, 3), code.substr(0, 2))
    return ibis.ifelse(readable, department, ibis.null("string"))


def band_employment(raw: Any, midpoints: Mapping[str, float] | None = None) -> Any:
    """Employees from the INSEE band: its midpoint; ``NN``, blank or unknown → NULL."""
    table = {**INSEE_BAND_MIDPOINTS, **(midpoints or {})}
    known = {code: value for code, value in table.items() if value == value}  # drop NaN (NN)
    return _lookup(raw.strip().upper(), known, "float64")


def register_rows(
    table: Any,
    *,
    kinds: Mapping[str, str],
    years: Sequence[int] | None,
    region_column: str,
    industry_column: str,
    band_column: str,
    region_level: str = "commune",
    industry_level: str = "division",
    stock_year: int = 0,
    midpoints: Mapping[str, float] | None = None,
) -> Any:
    """Count the establishments active at 1 January of each year by region and raw codes.

    No string is transformed row by row: the register is grouped by the raw region key
    (:func:`region_key`), industry and band codes (a hash aggregation DuckDB and Spark run
    at scan speed), and the string work (trimming, NAF validation, the band → employees
    lookup) runs on those distinct codes rather than on every establishment. Each row holds ``region`` (code at
    ``region_level``), ``industry`` (NAF digits, see :func:`industry_digits`), ``year``,
    ``establishments``, ``employment`` (establishments × the band midpoint; NULL for an
    unknown band) and ``unknown_band`` (establishments whose band is unknown).

    With ``years=None`` the register is taken as it stands (closed establishments left
    out) and labelled ``stock_year``. Rows whose industry is not a NAF rév. 2 sub-class or
    whose region is blank keep a NULL code (counted, then dropped, by the caller).
    """
    ibis = _ibis()
    raw = {
        "region": region_key(table[region_column], region_level),
        "industry": table[industry_column],
        "band": table[band_column],
    }
    if years is None:
        keep = ~(table[STATE].strip() == "F").fill_null(False) if STATE in kinds else None
        rows = table.filter(keep) if keep is not None else table
        picked = rows.select(**raw, year=ibis.literal(int(stock_year), type="int64"))
    else:
        parts = [
            table.filter(active_at(table, int(year), kinds)).select(
                **raw, year=ibis.literal(int(year), type="int64")
            )
            for year in years
        ]
        picked = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    counted = picked.group_by(["region", "industry", "band", "year"]).aggregate(
        establishments=picked.count()
    )
    employees = band_employment(counted.band, midpoints)
    return counted.select(
        region=region_code(counted.region, region_level),
        industry=industry_digits(counted.industry, industry_level),
        year=counted.year,
        establishments=counted.establishments,
        employment=counted.establishments.cast("float64") * employees,
        unknown_band=ibis.ifelse(employees.isnull(), counted.establishments, 0),
    )


def industry_aggregates(rows: Any, *, industry_level: str = "division") -> Any:
    """Sum establishments and employment by (region, industry, year).

    ``rows`` come from :func:`register_rows` with the same ``industry_level``; their NAF
    digits are summed first and turned into compact NACE codes on the (small) aggregate.
    ``employment`` ignores unknown bands and is NULL when every band of the cell is unknown;
    ``n_unknown_band`` counts the establishments with an unknown band.
    """
    by_digits = rows.group_by(["region", "industry", "year"]).aggregate(
        employment=rows.employment.sum(),
        establishments=rows.establishments.sum(),
        n_unknown_band=rows.unknown_band.sum(),
    )
    coded = by_digits.mutate(industry=industry_code(by_digits.industry, industry_level))
    if _LEVEL_CHARS[industry_level] > 0:
        return coded  # one set of digits per code: nothing to merge
    return coded.group_by(["region", "industry", "year"]).aggregate(
        employment=coded.employment.sum(),
        establishments=coded.establishments.sum(),
        n_unknown_band=coded.n_unknown_band.sum(),
    )


def category_aggregates(aggregates: Any, members: Any) -> Any:
    """Join industry aggregates with (industry, category) members and sum by category.

    The result has the columns of :func:`clusteratlas.engine.aggregate_to_categories`:
    region, category, year, employment, establishments, n_industries, n_missing.
    """
    members = members.select("industry", "category").distinct()
    joined = aggregates.filter(aggregates.industry.notnull() & aggregates.region.notnull()).join(
        members, "industry"
    )
    return joined.group_by(["region", "category", "year"]).aggregate(
        employment=joined.employment.sum(),
        establishments=joined.establishments.sum(),
        n_industries=joined.count(),
        n_missing=joined.count() - joined.employment.count(),
    )


def region_totals(aggregates: Any) -> Any:
    """Employment of every establishment by (region, year): the LQ's region total."""
    known = aggregates.filter(aggregates.industry.notnull() & aggregates.region.notnull())
    return known.group_by(["region", "year"]).aggregate(total=known.employment.sum())


def max_year(table: Any, kinds: Mapping[str, str]) -> Any:
    """Return an expression of the latest year among the register's dates; None without dates."""
    dates = [name for name in (CREATED, SINCE) if name in kinds]
    if not dates:
        return None
    years = [
        (table[name].substr(0, 4).cast("int64") if kinds[name] == "string" else table[name].year())
        for name in dates
    ]
    return table.aggregate(latest=_ibis().greatest(*[y.max() for y in years]))


__all__ = [
    "CODE_LENGTHS",
    "DATE_KINDS",
    "INDUSTRY_LEVELS",
    "REGION_LEVELS",
    "active_at",
    "band_employment",
    "category_aggregates",
    "check_parquet_schema",
    "industry_aggregates",
    "industry_code",
    "industry_digits",
    "max_year",
    "parquet_files",
    "region_code",
    "region_key",
    "region_totals",
    "register_rows",
]
