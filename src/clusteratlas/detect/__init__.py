"""Detect: firm-level measures of the geographic concentration of industries.

Services that run the measures of :mod:`clusteratlas.measures.agglomeration` on a canonical
establishments table (:mod:`clusteratlas.data.establishments`) for every industry at each
areal level; the command ``clusteratlas detect eg`` calls them.
"""

from __future__ import annotations

from clusteratlas.detect.indices import agglomeration_table, coagglomeration_table

__all__ = ["agglomeration_table", "coagglomeration_table"]
