"""The regional-statistics sources a map can be built from, and how each is loaded.

A source ties together the catalog data sets it reads, the reader, the regions it maps
(NUTS-2 for Eurostat SBS, CBSAs for County Business Patterns), the category families it
offers and how a region's total is formed for the location quotient.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
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
    """

    name: str
    title: str
    dataset: str
    boundaries: str
    region_label: str
    categories: tuple[str, ...]
    totals_by_type: bool
    absent_is_zero: bool = False
    boundary_parts: tuple[str, ...] = ()

    def attribution(self, extra: tuple[str, ...] = ()) -> list[str]:
        """Attribution texts of every data set this source's outputs are built from."""
        return attribution((self.dataset, self.boundaries, *self.boundary_parts, *extra))


SOURCES: dict[str, Source] = {
    "eu-sbs": Source(
        name="eu-sbs",
        title="Eurostat regional structural business statistics (NUTS-2 × NACE Rev. 2)",
        dataset="sbs_r_nuts06_r2",
        boundaries="nuts2013_level2",
        region_label="NUTS-2 region",
        categories=("divisions", "ecosystems"),
        totals_by_type=False,
    ),
    "us-cbp": Source(
        name="us-cbp",
        title="US County Business Patterns 2019 (CBSA × NAICS)",
        dataset="cbp2019_cbsa",
        boundaries="us_cbsa_crosswalk",
        boundary_parts=("us_counties",),
        region_label="CBSA",
        categories=("traded", "local", "all"),
        totals_by_type=True,
        absent_is_zero=True,
    ),
}


def get_source(name: str) -> Source:
    """Return the source called ``name`` (``eu-sbs`` or ``us-cbp``)."""
    check_in(name, tuple(SOURCES), name="source")
    return SOURCES[name]


def _read_eu(path: Path) -> pd.DataFrame:
    from clusteratlas.data.eurostat import read_eurostat_sbs
    from clusteratlas.data.regions import is_extra_regio

    frame = read_eurostat_sbs(path, nuts_level=2, nace_level="division")
    return frame[~frame["region"].map(is_extra_regio)].reset_index(drop=True)


def _read_us(path: Path) -> pd.DataFrame:
    from clusteratlas.data.cbp import read_cbp

    return read_cbp(path, year=2019, naics_levels=(6,))


_READERS: dict[str, Callable[[Path], pd.DataFrame]] = {"eu-sbs": _read_eu, "us-cbp": _read_us}


def load_observations(source: Source, *, store: Store | None = None) -> pd.DataFrame:
    """Return the source's canonical observations, parsed once and kept in the store.

    The store's copy is reused while the file it came from is unchanged (same path, size
    and modification time); otherwise the file is parsed again.
    """
    path = resolve(source.dataset)
    stat = path.stat()
    fingerprint = {"path": str(path), "size": stat.st_size, "mtime": stat.st_mtime}
    table = "observations_" + source.name.replace("-", "_")
    if (
        store is not None
        and store.has(table)
        and store.metadata(table).get("fingerprint") == fingerprint
    ):
        return store.read(table)
    frame = _READERS[source.name](path)
    if store is not None:
        store.write(
            table,
            frame,
            metadata={
                "fingerprint": fingerprint,
                "dataset": source.dataset,
                "attribution": source.attribution(),
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
    if source.name == "eu-sbs":
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
