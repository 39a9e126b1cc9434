"""Map clusters straight from a national establishment register (SIRENE stock layout).

:func:`map_register` validates the Parquet files, has the engine reduce tens of millions of
establishments to region × industry × year aggregates (DuckDB by default, Spark on
request: :mod:`clusteratlas.engine.backends`), and hands those small aggregates to
:func:`~clusteratlas.mapping.pipeline.build_map`, so that the categories, location
quotients, shares, growth and ratings are exactly those of the regional-statistics map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data.catalog import get_dataset, locate
from clusteratlas.data.nace import normalise_nace
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError
from clusteratlas.mapping.pipeline import build_map
from clusteratlas.mapping.rulesets import RuleSet, load_ruleset

SIRENE_ATTRIBUTION = "Source: INSEE, SIRENE (establishment register)"
_SUBCLASS = re.compile(r"^([A-Z]?)(\d{2})\.?(\d{2})([A-Z])$")


@dataclass(frozen=True)
class RegisterMap:
    """A map built from an establishment register.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per (region, category) with :data:`~clusteratlas.mapping.pipeline.MAP_COLUMNS`
        and the rule-set's outputs.
    ruleset : RuleSet or None
        The rule-set applied.
    categories : str
        ``divisions``, ``ecosystems`` or the CSV path.
    year : int
        Year mapped (establishments active at 1 January).
    engine : str
        Back end that aggregated the register.
    files : list of str
        Parquet files read.
    attribution : list of str
        Attribution texts.
    notes : list of str
        Caveats (establishments left out, unknown bands, unconfirmed definitions).
    aggregates : pandas.DataFrame
        The region × industry × year aggregates the map was built from.
    """

    frame: pd.DataFrame
    ruleset: RuleSet | None
    categories: str
    year: int
    engine: str
    files: list[str]
    attribution: list[str]
    notes: list[str] = field(default_factory=list)
    aggregates: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def table_name(self) -> str:
        """Name of a store table for this map."""
        rules = self.ruleset.name if self.ruleset else "none"
        family = Path(self.categories).stem if self.categories.endswith(".csv") else self.categories
        raw = f"map_register_{self.year}_{family}_{rules}"
        return "".join(ch if ch.isalnum() else "_" for ch in raw)


def compact_industry(code: str) -> str:
    """Return a NACE/NAF code in the engine's compact form (``"62.01Z"`` → ``"J6201Z"``).

    Sections, divisions, groups and classes go through
    :func:`~clusteratlas.data.nace.normalise_nace`; NAF sub-classes keep their letter.
    """
    text = str(code).strip().upper()
    match = _SUBCLASS.match(text)
    if match:
        return normalise_nace(f"{match[1]}{match[2]}.{match[3]}") + match[4]
    return normalise_nace(text)


def load_register_definitions(categories: str) -> tuple[pd.DataFrame, str]:
    """Category definitions in compact codes and the finest classification level they use."""
    from clusteratlas.data import definitions as defs
    from clusteratlas.engine.ibis_pipeline import CODE_LENGTHS

    if categories == "divisions":
        table = defs.nace_division_definitions()
    elif categories == "ecosystems":
        table = defs.ecosystem_definitions()
    elif categories.endswith(".csv"):
        table = defs.read_definitions(categories)
    else:
        raise ParameterError(
            "The 'categories' parameter must be 'divisions', 'ecosystems' or a CSV of "
            f"definitions (industry, category). Got {categories!r} instead."
        )
    codes: list[str] = []
    bad: list[str] = []
    for code in table["industry"]:
        try:
            codes.append(compact_industry(code))
        except UnknownCodeError:
            bad.append(str(code))
    if bad:
        raise SchemaError(
            f"{categories}: industries must be NACE Rev.2 / NAF rév. 2 codes (e.g. 'C26', "
            f"'26.11', '62.01Z'); not so: {', '.join(bad[:5])}."
        )
    table = table.assign(industry=codes)
    by_length = {length: level for level, length in CODE_LENGTHS.items()}
    return table, by_length[max(map(len, codes))]


def expand_definitions(definitions: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Put every definition on the codes observed: a coarser code stands for all codes under it.

    An ecosystem listing ``C26`` and ``D3511`` is matched against class-level data as
    ``C2611, C2612, …, D3511``, so that each establishment is counted once per category
    and region totals are never double counted.
    """
    observed = pd.Series(sorted(set(codes)), dtype="object")
    parts = []
    for record in definitions.to_dict("records"):
        members = observed[observed.str.startswith(str(record["industry"]))]
        parts.append(pd.DataFrame({**record, "industry": members.to_numpy()}))
    expanded = pd.concat(parts, ignore_index=True) if parts else definitions.iloc[:0]
    return expanded.drop_duplicates(["industry", "category"], ignore_index=True)


def map_register(
    path: str | Path | Sequence[str | Path],
    *,
    engine: str = "duckdb",
    spark_master: str | None = None,
    region_column: str = "codeCommuneEtablissement",
    industry_column: str = "activitePrincipaleEtablissement",
    band_column: str = "trancheEffectifsEtablissement",
    region_level: str = "commune",
    categories: str = "divisions",
    year: int | None = None,
    growth_start: int | None = None,
    rules: str | RuleSet | None = None,
    overrides: Mapping[str, Any] | None = None,
    midpoints: Mapping[str, float] | None = None,
    absent_is_zero: bool = True,
    session: Any = None,
    driver_memory: str = "2g",
) -> RegisterMap:
    """Build a rated cluster map from establishment micro-data in Parquet.

    Parameters
    ----------
    path : str, pathlib.Path or sequence of them
        A Parquet file, a directory of Parquet files or a glob (``"stock/*.parquet"``).
    engine : {"duckdb", "spark"}
        Back end of the aggregation: DuckDB (embedded, out of core) or Spark.
    spark_master : str, optional
        Spark master URL (default ``local[2]``); checked for reachability before any work.
    region_column, industry_column, band_column : str
        Commune code, NAF rév. 2 sub-class (``"62.01Z"``) and INSEE employee band columns.
    region_level : {"commune", "departement"}
        Regions mapped: communes, or départements (first 2 characters of the commune code,
        ``2A``/``2B`` in Corsica, 3 for the overseas 97x).
    categories : str
        ``"divisions"`` (NACE divisions), ``"ecosystems"`` (EU industrial ecosystems) or a
        CSV of definitions whose industries are NACE/NAF codes at any level.
    year : int, optional
        Map the establishments active at 1 January of ``year`` (see
        :mod:`clusteratlas.engine.ibis_pipeline` for the rule). Default: the register as it
        stands (closed establishments left out), labelled with its latest date's year.
    growth_start : int, optional
        Also count the establishments active at 1 January of this earlier year: ``growth``
        and ``lq_change`` then compare the two stocks (current bands, see the notes).
    rules : str or RuleSet, optional
        Rating rule-set (built-in name or TOML path).
    overrides : mapping, optional
        Rule threshold overrides.
    midpoints : mapping of str to float, optional
        Overrides of :data:`~clusteratlas.data.establishments.INSEE_BAND_MIDPOINTS`.
    absent_is_zero : bool, default True
        A register lists every establishment: a category absent from a region has zero
        employment there.
    session : pyspark.sql.SparkSession, optional
        An existing Spark session (``engine="spark"``), left running afterwards.
    driver_memory : str, default "2g"
        Spark driver memory when a session is started here.

    Returns
    -------
    RegisterMap

    Raises
    ------
    ParameterError
        Unknown engine (with a suggestion), region level or categories; unreachable Spark
        master; ``growth_start`` not before ``year``.
    SchemaError
        A file lacks a column or has it with another type (file, column, expected and
        found type named), or the definitions hold codes that are not NACE/NAF codes.
    FileNotFoundError
        When no Parquet file matches ``path``.

    Notes
    -----
    Employment is the midpoint of each establishment's INSEE band; an unknown band (``NN``)
    is missing, so the sums cover the known bands and ``n_missing`` counts the industries
    whose every band is unknown. The LQ's region total is the employment of all
    establishments of the region with a valid NAF code.
    """
    from clusteratlas.engine import backends
    from clusteratlas.engine import ibis_pipeline as pipe

    backends.check_engine(engine)
    check_in(region_level, pipe.REGION_LEVELS, name="region_level")
    if growth_start is not None and (year is None or growth_start >= year):
        raise ParameterError(
            f"The 'growth_start' parameter must be a year before 'year'. Got {growth_start!r} "
            f"with year={year!r}."
        )
    ruleset = load_ruleset(rules) if isinstance(rules, str) else rules
    definitions, level = load_register_definitions(categories)
    files = register_files(path)
    required: dict[str, str | tuple[str, ...]] = {
        region_column: "string",
        industry_column: "string",
        band_column: "string",
    }
    if year is not None:
        required[pipe.CREATED] = pipe.DATE_KINDS
    kinds = pipe.check_parquet_schema(files, required)
    optional: dict[str, str | tuple[str, ...]] = {
        name: accepted
        for name, accepted in ((pipe.SINCE, pipe.DATE_KINDS), (pipe.STATE, "string"))
        if name in kinds
    }
    if pipe.CREATED in kinds:
        optional[pipe.CREATED] = pipe.DATE_KINDS
    pipe.check_parquet_schema(files, optional)
    dated = {k: v for k, v in kinds.items() if k in (pipe.CREATED, pipe.SINCE, pipe.STATE)}
    with backends.connect(
        engine, spark_master=spark_master, session=session, driver_memory=driver_memory
    ) as backend:
        table = backend.read_parquet(files)
        stock_year = year if year is not None else _latest(backend, pipe.max_year(table, dated))
        rows = pipe.register_rows(
            table, kinds=dated, years=None if year is None else [*([growth_start] if growth_start else []), year],
            region_column=region_column, industry_column=industry_column,
            band_column=band_column, region_level=region_level, industry_level=level,
            stock_year=stock_year, midpoints=midpoints,
        )  # fmt: skip
        aggregates = backend.to_pandas(pipe.industry_aggregates(rows, industry_level=level))
    aggregates = _tidy(aggregates)
    notes = _register_notes(aggregates, stock_year)
    observations = aggregates.dropna(subset=["region", "industry"]).assign(wages=np.nan)
    names = departement_names() if region_level == "departement" else {}
    usable = expand_definitions(definitions, observations["industry"].unique())
    frame = build_map(
        observations,
        usable if not usable.empty else definitions,
        year=stock_year,
        ruleset=ruleset,
        growth_start=growth_start,
        absent_is_zero=absent_is_zero,
        overrides=overrides,
        region_names=names,
    )
    extra = ["Categories: EU industrial ecosystems"] if categories == "ecosystems" else []
    if names:
        extra.append(get_dataset("fr_departements").attribution)
    return RegisterMap(
        frame=frame, ruleset=ruleset, categories=categories, year=stock_year, engine=engine,
        files=files, attribution=[register_attribution(files), *extra], notes=notes,
        aggregates=aggregates,
    )  # fmt: skip


def register_files(path: str | Path | Sequence[str | Path]) -> list[str]:
    """Resolve a register path to its Parquet files, refusing what is not Parquet.

    Raises
    ------
    DataNotFoundError
        When nothing is found at ``path`` (the message names the ``'path'`` parameter).
    SchemaError
        When a file is not Parquet (e.g. the CSV stock of SIRENE, which must be converted).
    """
    from clusteratlas.engine import ibis_pipeline as pipe
    from clusteratlas.errors import DataNotFoundError

    try:
        files = pipe.parquet_files(path)
    except FileNotFoundError as err:
        raise DataNotFoundError(
            f"The 'path' parameter names no Parquet file: nothing at {str(path)!r}; expected a "
            "Parquet file, a directory of Parquet files or a glob (SIRENE stock layout)."
        ) from err
    for file in files:
        with open(file, "rb") as handle:
            magic = handle.read(4)
        if magic != b"PAR1":
            raise SchemaError(
                f"{file} is not a Parquet file (the 'path' parameter takes a register in the "
                "SIRENE stock layout as Parquet); convert a CSV first, e.g. with DuckDB: "
                f"COPY (SELECT * FROM '{file}') TO 'stock.parquet'."
            )
    return files


def register_attribution(files: Sequence[str]) -> str:
    """Return a register's attribution: from its Parquet metadata, else INSEE SIRENE.

    A synthetic register (``clusteratlas register generate``) says so in its files'
    metadata (key ``attribution``), and that text is used instead of the SIRENE credit.
    """
    import pyarrow.parquet as pq

    metadata = pq.read_schema(files[0]).metadata or {}
    text = metadata.get(b"attribution", b"").decode("utf-8", "replace").strip()
    return text or SIRENE_ATTRIBUTION


def departement_names() -> dict[str, str]:
    """Département code → name from the catalog's boundaries, or {} when they are absent."""
    path, _ = locate("fr_departements")
    if path is None:
        return {}
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {str(f["properties"]["code"]): str(f["properties"]["nom"]) for f in features}


def _latest(backend: Any, expr: Any) -> int:
    """Year of the register's latest date (its snapshot), or 0 when it has no dates."""
    if expr is None:
        return 0
    latest = backend.to_pandas(expr)["latest"].iloc[0]
    return int(latest) if pd.notna(latest) else 0


def _tidy(aggregates: pd.DataFrame) -> pd.DataFrame:
    """Give the aggregates fixed dtypes and order, whatever the back end returned."""
    out = aggregates[["region", "industry", "year", "employment", "establishments"]].copy()
    out["n_unknown_band"] = aggregates["n_unknown_band"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out["employment"] = out["employment"].astype("float64")
    out["establishments"] = out["establishments"].astype("int64")
    for column in ("region", "industry"):
        out[column] = out[column].astype("object").where(out[column].notna(), None)
    return out.sort_values(["year", "region", "industry"], ignore_index=True, na_position="last")


def _register_notes(aggregates: pd.DataFrame, year: int) -> list[str]:
    current = aggregates[aggregates["year"] == year]
    notes = [
        f"{int(current['establishments'].sum()):,} establishments active at 1 January {year}; "
        "employment is the midpoint of each INSEE band (an estimate, not a head count)."
    ]
    no_code = current["industry"].isna()
    if no_code.any():
        notes.append(
            f"{int(current.loc[no_code, 'establishments'].sum()):,} establishments without a "
            "NAF rév. 2 sub-class (other nomenclature or malformed code) were left out."
        )
    no_region = current["region"].isna() & ~no_code
    if no_region.any():
        notes.append(
            f"{int(current.loc[no_region, 'establishments'].sum()):,} establishments without "
            "a commune code (abroad or not located) were left out."
        )
    unknown = int(current["n_unknown_band"].sum())
    if unknown:
        notes.append(
            f"{unknown:,} establishments have an unknown employee band (NN): no employment."
        )
    return notes


__all__ = ["RegisterMap", "compact_industry", "expand_definitions", "map_register"]
