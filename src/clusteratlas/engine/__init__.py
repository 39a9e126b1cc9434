"""The tabular engine: every aggregation of the package goes through here.

Measures and rule-sets work on small tidy frames; the heavy lifting of turning
industry-level observations into categories, and regions into their parents, is done by
this module so that the back end (DuckDB today, Spark via Ibis for national registers) can
change without touching the measures.
"""

from __future__ import annotations

from clusteratlas.engine.duckdb_engine import aggregate_to_categories, aggregate_to_parents

__all__ = ["aggregate_to_categories", "aggregate_to_parents"]
