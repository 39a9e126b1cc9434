"""What the suite reads from the real data mirror, and whether it is all there.

``make test`` runs on the real data (``CLUSTERATLAS_DATA``): when the folder is missing or
incomplete the run stops at once and names the missing files, rather than skipping the
tests that need them and passing. ``pytest --without-data`` is the explicit way to run
without the mirror (those tests then skip and say why).
"""

from __future__ import annotations

import os
from pathlib import Path

# The catalog data sets the mirror holds (the others are downloaded-only: CBP years other
# than 2019, the NUTS 2021 boundaries, sbs_r_nuts2021).
MIRRORED_DATA_SETS = (
    "bea_crosswalk_2017",
    "bea_make_detail_2017",
    "bea_make_summary_2022",
    "bea_use_detail_2017",
    "bea_use_summary_2022",
    "cbp2019_cbsa",
    "eu_clusters_named",
    "eu_ecosystems",
    "fr_departements",
    "nace_divisions",
    "nace_sections",
    "naf_rev2_hierarchy",
    "naics2017",
    "naics_isic_concordance",
    "nuts2013_level0",
    "nuts2013_level1",
    "nuts2013_level2",
    "nuts2013_level3",
    "poles_competitivite_phase5",
    "sbs_r_nuts06_r2",
    "silicon_europe",
    "sirene_basrhin_2010",
    "us_benchmark_clusters",
    "us_cbsa_boundaries",
    "us_cbsa_crosswalk",
    "us_cluster_organisations",
    "us_counties",
    "us_related_clusters",
    "us_states",
)
# Files outside the catalog that tests read: the dbmss reference values.
OTHER_FILES = ("reference/dbmss/points.csv", "reference/dbmss/kd_A.csv", "reference/dbmss/m_A.csv")


def required_files() -> list[str]:
    """Relative paths of every mirror file the suite reads."""
    from clusteratlas.data.catalog import get_dataset

    return [get_dataset(name).filename for name in MIRRORED_DATA_SETS] + list(OTHER_FILES)


def mirror_problem() -> str | None:
    """Say what is wrong with ``CLUSTERATLAS_DATA`` for the suite, or ``None`` when it is complete."""
    value = os.environ.get("CLUSTERATLAS_DATA", "")
    if not value:
        return "CLUSTERATLAS_DATA is not set"
    root = Path(value)
    if not root.is_dir():
        return f"CLUSTERATLAS_DATA={value} is not a folder"
    missing = [name for name in required_files() if not (root / name).is_file()]
    if missing:
        files = "file" if len(missing) == 1 else "files"
        return f"CLUSTERATLAS_DATA={value} lacks {len(missing)} {files}: " + ", ".join(missing)
    return None


def has_data() -> bool:
    """Whether the real data mirror is complete (checked once per run by the conftest)."""
    return mirror_problem() is None
