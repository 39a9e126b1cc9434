"""Measures: pure functions from tidy frames to new tidy frames.

* Specialisation (:func:`location_quotient`, :func:`shares`), growth (:func:`cagr`,
  :func:`lq_change`, :func:`absolute_change`) and regional concentration
  (:func:`krugman_index`, :func:`herfindahl`, :func:`locational_gini`).
* Agglomeration on establishment micro-data (:func:`ellison_glaeser`,
  :func:`maurel_sedillot`, :func:`coagglomeration`, :func:`micro_locational_gini`).
* Distance-based functions (:func:`kd`, :func:`m_function`, :func:`ripley_k`) with their
  Monte-Carlo tests (:func:`kd_test`, :func:`m_test`), in :mod:`.pointpattern`.
* Relatedness between industries (:func:`colocation`, :func:`cooccurrence`,
  :func:`io_links`), economic complexity (:func:`economic_complexity`,
  :func:`relatedness_density`, :func:`opportunities`).

None of them mutates its input, and a missing value (NaN: suppressed or confidential) is
never counted as zero.
"""

from __future__ import annotations

from clusteratlas.measures.agglomeration import (
    coagglomeration,
    coagglomeration_group,
    ellison_glaeser,
    maurel_sedillot,
    micro_locational_gini,
)
from clusteratlas.measures.breaks import growth_breaks
from clusteratlas.measures.complexity import (
    ComplexityResult,
    economic_complexity,
    opportunities,
    relatedness_density,
    subnational_eci,
)
from clusteratlas.measures.concentration import herfindahl, krugman_index, locational_gini
from clusteratlas.measures.growth import absolute_change, cagr, lq_change
from clusteratlas.measures.io_links import industry_flows, io_links, naics_io_links
from clusteratlas.measures.pointpattern import (
    EnvelopeResult,
    KdResult,
    MResult,
    RipleyResult,
    kd,
    kd_test,
    l_function,
    m_function,
    m_test,
    ripley_k,
)
from clusteratlas.measures.relatedness import (
    as_matrix,
    as_tidy,
    colocation,
    cooccurrence,
    normalise_cooccurrence,
    percentile_ranks,
    rca_incidence,
)
from clusteratlas.measures.specialisation import location_quotient, shares

__all__ = [
    "ComplexityResult",
    "EnvelopeResult",
    "KdResult",
    "MResult",
    "RipleyResult",
    "absolute_change",
    "as_matrix",
    "as_tidy",
    "cagr",
    "coagglomeration",
    "coagglomeration_group",
    "colocation",
    "cooccurrence",
    "economic_complexity",
    "ellison_glaeser",
    "growth_breaks",
    "herfindahl",
    "industry_flows",
    "io_links",
    "kd",
    "kd_test",
    "krugman_index",
    "l_function",
    "location_quotient",
    "locational_gini",
    "lq_change",
    "m_function",
    "m_test",
    "maurel_sedillot",
    "micro_locational_gini",
    "naics_io_links",
    "normalise_cooccurrence",
    "opportunities",
    "percentile_ranks",
    "rca_incidence",
    "relatedness_density",
    "ripley_k",
    "shares",
    "subnational_eci",
]
