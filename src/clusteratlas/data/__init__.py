"""Data layer: catalog of real data sets, readers, schemas, classifications, definitions."""

from __future__ import annotations

from clusteratlas.data.boundaries import read_cbsa_boundaries, read_nuts_boundaries
from clusteratlas.data.catalog import CATALOG, DataSet, attribution, get_dataset, locate, resolve
from clusteratlas.data.cbp import read_cbp
from clusteratlas.data.definitions import (
    ecosystem_definitions,
    nace_division_definitions,
    read_definitions,
    related_clusters,
    us_benchmark_definitions,
)
from clusteratlas.data.establishments import validate_establishments
from clusteratlas.data.establishments_io import read_points, read_sirene, read_strasbourg_extract
from clusteratlas.data.eurostat import read_eurostat_sbs
from clusteratlas.data.eurostat_sdmx import read_eurostat_sdmx
from clusteratlas.data.generic import read_table
from clusteratlas.data.io_tables import read_bea_make, read_bea_use
from clusteratlas.data.nuts_vintages import (
    match_region,
    nuts_correspondence,
    recode_regions,
    suggest_code,
)
from clusteratlas.data.schemas import validate_definitions, validate_observations

__all__ = [
    "CATALOG",
    "DataSet",
    "attribution",
    "ecosystem_definitions",
    "get_dataset",
    "locate",
    "match_region",
    "nace_division_definitions",
    "nuts_correspondence",
    "read_bea_make",
    "read_bea_use",
    "read_cbp",
    "read_cbsa_boundaries",
    "read_definitions",
    "read_eurostat_sbs",
    "read_eurostat_sdmx",
    "read_nuts_boundaries",
    "read_points",
    "read_sirene",
    "read_strasbourg_extract",
    "read_table",
    "recode_regions",
    "related_clusters",
    "resolve",
    "suggest_code",
    "us_benchmark_definitions",
    "validate_definitions",
    "validate_establishments",
    "validate_observations",
]
