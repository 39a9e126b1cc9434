"""Value chains: stages of industries, their regional strength and cross-border meta-clusters.

:mod:`~clusteratlas.valuechains.chains` holds value chains as data (built-in TOML files and
chains derived from input-output tables), :mod:`~clusteratlas.valuechains.coverage` measures
each region's strength in each stage and its gaps, and
:mod:`~clusteratlas.valuechains.metacluster` chooses a set of regions that together cover the
chain with the strongest clusters (an integer programme).
"""

from __future__ import annotations

from clusteratlas.valuechains.chains import (
    Reference,
    Stage,
    UnknownChainCodeError,
    ValueChain,
    ValueChainError,
    list_chains,
    load_chain,
    validate_chain,
)
from clusteratlas.valuechains.compare import Overlap, compare_with
from clusteratlas.valuechains.coverage import region_gaps, stage_industries, stage_strength
from clusteratlas.valuechains.derive import derive_chain
from clusteratlas.valuechains.metacluster import (
    CoverageError,
    MetaclusterResult,
    ScoreWeights,
    build_metacluster,
    stage_scores,
)

__all__ = [
    "CoverageError",
    "MetaclusterResult",
    "Overlap",
    "Reference",
    "ScoreWeights",
    "Stage",
    "UnknownChainCodeError",
    "ValueChain",
    "ValueChainError",
    "build_metacluster",
    "compare_with",
    "derive_chain",
    "list_chains",
    "load_chain",
    "region_gaps",
    "stage_industries",
    "stage_scores",
    "stage_strength",
    "validate_chain",
]
