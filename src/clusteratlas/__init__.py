"""Cluster Atlas: map, measure and connect industrial clusters.

The public API in one place: readers of real data sets, the measures, the rule-sets and
the mapping pipeline. Reports (HTML atlas, PNG maps) live in :mod:`clusteratlas.report`
and need the ``geo``/``plot`` extras; importing this package stays cheap.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from clusteratlas._show_versions import show_versions
from clusteratlas.data import (
    read_cbp,
    read_eurostat_sbs,
    read_eurostat_sdmx,
    read_table,
    recode_regions,
    resolve,
)
from clusteratlas.engine import aggregate_to_categories, aggregate_to_parents
from clusteratlas.mapping import (
    apply_ruleset,
    build_map,
    calibrate_threshold,
    cluster_strength,
    compare_regions,
    list_rulesets,
    load_ruleset,
    make_map,
    portfolio,
    rank_regions,
)
from clusteratlas.measures import (
    cagr,
    colocation,
    dynamic_shift_share,
    ellison_glaeser,
    gini_coefficient,
    herfindahl,
    hoover_index,
    kd,
    kd_test,
    krugman_index,
    location_quotient,
    locational_gini,
    lq_change,
    m_function,
    m_test,
    method_of_reflections,
    shares,
    shift_share,
    specialisation_coefficient,
    specialisation_gini,
    theil_index,
)
from clusteratlas.store import Store

#: The installed version of Cluster Atlas (from the package metadata; ``0.0.0`` when running
#: from a source tree that was not installed).
__version__: str
try:
    __version__ = version("clusteratlas")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "Store",
    "__version__",
    "aggregate_to_categories",
    "aggregate_to_parents",
    "apply_ruleset",
    "build_map",
    "cagr",
    "calibrate_threshold",
    "cluster_strength",
    "colocation",
    "compare_regions",
    "dynamic_shift_share",
    "ellison_glaeser",
    "gini_coefficient",
    "herfindahl",
    "hoover_index",
    "kd",
    "kd_test",
    "krugman_index",
    "list_rulesets",
    "load_ruleset",
    "location_quotient",
    "locational_gini",
    "lq_change",
    "m_function",
    "m_test",
    "make_map",
    "method_of_reflections",
    "portfolio",
    "rank_regions",
    "read_cbp",
    "read_eurostat_sbs",
    "read_eurostat_sdmx",
    "read_table",
    "recode_regions",
    "resolve",
    "shares",
    "shift_share",
    "show_versions",
    "specialisation_coefficient",
    "specialisation_gini",
    "theil_index",
]
