"""The regional-statistics sources a map can be built from, and how each is loaded.

A source ties together the catalog data sets it reads, the reader, the regions it maps
(NUTS-2 for Eurostat SBS, CBSAs for County Business Patterns), the category families it
offers and how a region's total is formed for the location quotient.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_in
from clusteratlas.data.catalog import attribution, resolve
from clusteratlas.data.definitions import (
    ecosystem_definitions,
    nace_division_definitions,
    read_definitions,
    us_benchmark_definitions,
)
from clusteratlas.errors import ParameterError
from clusteratlas.store import Store


@dataclass(frozen=True)
class Source:
    """A regional-statistics source for cluster mapping.

    Attributes
    ----------
    name : str
        Command-line name (``eu-sbs``, ``us-cbp``).
    title : str
        Human-readable name.
    dataset : str
        Catalog name of the statistics.
    boundaries : str
        Catalog name of the region boundaries (US: the county → CBSA crosswalk, whose
        counties are dissolved into CBSAs).
    region_label : str
        What a region is (``NUTS-2 region``, ``CBSA``).
    categories : tuple of str
        Category families offered; the first is the default. A path to a CSV also works.
    boundary_parts : tuple of str
        Further catalog data sets the boundaries are built from (US: the county polygons).
    absent_is_zero : bool
        Whether a (region, industry) pair absent from the file means no establishment (CBP
        lists only industries present in an area) rather than no information.
    totals_by_type : bool
        Whether a region's total is taken over the industries of the category's own type
        (US: traded employment for traded clusters, local for local clusters, as the US
        Cluster Mapping Project does) rather than over every industry observed.
    datasets_by_year : mapping of int to str
        Catalog data sets holding one reference year each (County Business Patterns
        publishes one file per year); ``dataset`` serves every other year.
    nuts_version : int or None
        The NUTS version of the region codes (EU sources), for recoding typed codes.
    """

    name: str
    title: str
    dataset: str
    boundaries: str
    region_label: str
    categories: tuple[str, ...]
    totals_by_type: bool
    absent_is_zero: bool = False
    datasets_by_year: Mapping[int, str] = field(default_factory=dict)
    nuts_version: int | None = None
    boundary_parts: tuple[str, ...] = ()

    @property
    def is_eu(self) -> bool:
        """Whether the regions are NUTS regions (they nest in countries)."""
        return self.nuts_version is not None

    def dataset_for(self, year: int | None = None) -> str:
        """Return the catalog data set holding ``year`` (``dataset`` when no file is per year).

        Raises
        ------
        ParameterError
            When the source publishes one file per year and none is for ``year``.
        """
        if year is None or not self.datasets_by_year:
            return self.dataset
        if year not in self.datasets_by_year:
            years = sorted(self.datasets_by_year)
            raise ParameterError(
                f"The 'year' option of {self.name} must be one of the years with a file in the "
                f"catalog ({years[0]}–{years[-1]}). Got {year} instead."
            )
        return self.datasets_by_year[year]

    def attribution(self, extra: tuple[str, ...] = (), *, year: int | None = None) -> list[str]:
        """Attribution texts of every data set this source's outputs are built from."""
        return attribution((self.dataset_for(year), self.boundaries, *self.boundary_parts, *extra))


SOURCES: dict[str, Source] = {
    "eu-sbs": Source(
        name="eu-sbs",
        title="Eurostat regional structural business statistics (NUTS-2 × NACE Rev. 2)",
        dataset="sbs_r_nuts06_r2",
        boundaries="nuts2013_level2",
        region_label="NUTS-2 region",
        categories=("divisions", "ecosystems"),
        totals_by_type=False,
        nuts_version=2013,
    ),
    "us-cbp": Source(
        name="us-cbp",
        title="US County Business Patterns 2012–2022 (CBSA × NAICS)",
        dataset="cbp2019_cbsa",
        boundaries="us_cbsa_crosswalk",
        boundary_parts=("us_counties",),
        region_label="CBSA",
        categories=("traded", "local", "all"),
        totals_by_type=True,
        absent_is_zero=True,
        datasets_by_year={year: f"cbp{year}_cbsa" for year in range(2012, 2023)},
    ),
    "eu-sbs-nuts2021": Source(
        name="eu-sbs-nuts2021",
        title="Eurostat regional structural business statistics, 2021 onwards (NUTS 2021)",
        dataset="sbs_r_nuts2021",
        boundaries="nuts2021_level2",
        region_label="NUTS-2 region",
        categories=("divisions", "ecosystems"),
        totals_by_type=False,
        nuts_version=2021,
    ),
}


def get_source(name: str) -> Source:
    """Return the source called ``name`` (``eu-sbs``, ``us-cbp`` or ``eu-sbs-nuts2021``)."""
    check_in(name, tuple(SOURCES), name="source")
    return SOURCES[name]


def _read_eu(path: Path, year: int | None) -> pd.DataFrame:
    from clusteratlas.data.eurostat import read_eurostat_sbs
    from clusteratlas.data.regions import is_extra_regio

    frame = read_eurostat_sbs(path, nuts_level=2, nace_level="division")
    return frame[~frame["region"].map(is_extra_regio)].reset_index(drop=True)


def _read_eu_2021(path: Path, year: int | None) -> pd.DataFrame:
    from clusteratlas.data.eurostat_sdmx import read_eurostat_sdmx
    from clusteratlas.data.regions import is_extra_regio

    frame = read_eurostat_sdmx(path, nuts_level=2, nace_level="division")
    return frame[~frame["region"].map(is_extra_regio)].reset_index(drop=True)


def _read_us(path: Path, year: int | None) -> pd.DataFrame:
    from clusteratlas.data.cbp import read_cbp

    return read_cbp(path, year=2019 if year is None else year, naics_levels=(6,))


_READERS: dict[str, Callable[[Path, int | None], pd.DataFrame]] = {
    "eu-sbs": _read_eu,
    "us-cbp": _read_us,
    "eu-sbs-nuts2021": _read_eu_2021,
}


def load_observations(
    source: Source, *, store: Store | None = None, year: int | None = None
) -> pd.DataFrame:
    """Return the source's canonical observations, parsed once and kept in the store.

    The store's copy is reused while the file it came from is unchanged (same path, size
    and modification time); otherwise the file is parsed again. ``year`` picks the file of
    that year where the source publishes one per year (County Business Patterns); by
    default the source's main data set is read.
    """
    dataset = source.dataset_for(year)
    path = resolve(dataset)
    stat = path.stat()
    fingerprint = {"path": str(path), "size": stat.st_size, "mtime": stat.st_mtime}
    table = "observations_" + source.name.replace("-", "_")
    if dataset != source.dataset:
        table += "_" + dataset
    if (
        store is not None
        and store.has(table)
        and store.metadata(table).get("fingerprint") == fingerprint
    ):
        return store.read(table)
    frame = _READERS[source.name](path, year if dataset != source.dataset else None)
    if store is not None:
        store.write(
            table,
            frame,
            metadata={
                "fingerprint": fingerprint,
                "dataset": dataset,
                "attribution": source.attribution(year=year),
            },
        )
    return frame


def load_definitions(source: Source, categories: str | None = None) -> pd.DataFrame:
    """Return the category definitions for a source.

    Parameters
    ----------
    source : Source
        The source.
    categories : str, optional
        One of ``source.categories`` (default: the first), or a path to a CSV of definitions.
    """
    choice = categories or source.categories[0]
    if choice not in source.categories:
        if Path(choice).suffix.lower() == ".csv":
            return read_definitions(choice)
        check_in(choice, source.categories, name="categories")
    if source.is_eu:
        if choice == "ecosystems":
            return ecosystem_definitions()
        return nace_division_definitions()
    return us_benchmark_definitions(kind=choice)


def region_names(source: Source) -> dict[str, str]:
    """Return region code → name from the source's boundary file (no geometry parsing)."""
    if source.boundaries == "us_cbsa_crosswalk":
        from clusteratlas.data.boundaries_us import cbsa_titles

        return cbsa_titles()
    path = resolve(source.boundaries)
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("type") == "Topology":
        geometries = document["objects"]["msas"]["geometries"]
        records = [(g.get("id"), g.get("properties", {})) for g in geometries]
    else:
        records = [(f.get("id"), f.get("properties", {})) for f in document["features"]]
    names: dict[str, str] = {}
    for identifier, properties in records:
        code = properties.get("NUTS_ID") or properties.get("id") or identifier
        name = properties.get("Name") or properties.get("NUTS_NAME") or properties.get("name")
        if code is not None:
            names[str(code)] = str(name) if name else str(code)
    return names


def source_notes(source: Source, *, year: int, observations: pd.DataFrame) -> list[str]:
    """Return caveats about the vintage of a source's year, to show with its map.

    For County Business Patterns: the NAICS vintage of the year where it differs from the
    NAICS 2017 codes of the benchmark cluster definitions, the metropolitan delineation the
    CBSA codes follow, and the 6-digit industries of the data that no benchmark cluster
    holds, counted with their employment (they are left out of every cluster, so this says
    what is not mapped rather than dropping it silently).
    """
    if source.name != "us-cbp":
        return []
    from clusteratlas.data.cbp import CBP_VINTAGES
    from clusteratlas.data.definitions import us_benchmark_definitions

    notes: list[str] = []
    vintage = CBP_VINTAGES.get(year)
    if vintage is not None:
        if vintage.naics != 2017:
            notes.append(
                f"CBP {year} codes industries in NAICS {vintage.naics}; the benchmark cluster "
                "definitions use NAICS 2017 codes, so industries recoded between the two "
                "vintages are not matched."
            )
        notes.append(
            f"CBP {year} CBSA codes follow {vintage.delineation} "
            f"({vintage.delineation_status}); CBSAs redrawn since differ from the boundary file."
        )
    frame = observations[observations["year"] == year]
    defined = set(us_benchmark_definitions(kind="all")["industry"])
    outside = frame[~frame["industry"].isin(defined) & (frame["industry"].str.len() == 6)]
    if len(outside):
        by_code = (
            outside.groupby("industry")["employment"].sum(min_count=1).sort_values(ascending=False)
        )
        total = float(frame["employment"].sum())
        share = float(by_code.sum()) / total if total > 0 else float("nan")
        shown = ", ".join(
            f"{code} ({value:,.0f})" if value == value else f"{code} (withheld)"
            for code, value in by_code.head(10).items()
        )
        notes.append(
            f"{len(by_code)} NAICS code(s) of CBP {year} are in no benchmark cluster and are "
            f"not mapped ({share:.1%} of the employment in the file): {shown}"
            + (" …" if len(by_code) > 10 else "")
        )
    return notes
