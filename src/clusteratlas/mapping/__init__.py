"""Mapping services: rule-sets, the map pipeline, portfolios and calibration."""

from __future__ import annotations

from clusteratlas.mapping.calibrate import CalibrationResult, calibrate_threshold
from clusteratlas.mapping.pipeline import MAP_COLUMNS, build_map
from clusteratlas.mapping.portfolio import (
    cluster_strength,
    compare_regions,
    portfolio,
    rank_regions,
)
from clusteratlas.mapping.rules_apply import apply_ruleset
from clusteratlas.mapping.rulesets import RuleSet, list_rulesets, load_ruleset
from clusteratlas.mapping.service import MapResult, calibrate, make_map

__all__ = [
    "MAP_COLUMNS",
    "CalibrationResult",
    "MapResult",
    "RuleSet",
    "apply_ruleset",
    "build_map",
    "calibrate",
    "calibrate_threshold",
    "cluster_strength",
    "compare_regions",
    "list_rulesets",
    "load_ruleset",
    "make_map",
    "portfolio",
    "rank_regions",
]
