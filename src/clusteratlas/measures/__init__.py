"""Measures: pure functions from tidy frames to new tidy frames.

* Specialisation (:func:`location_quotient`, :func:`shares`), growth (:func:`cagr`,
  :func:`lq_change`, :func:`absolute_change`) and regional concentration
  (:func:`krugman_index`, :func:`herfindahl`, :func:`locational_gini`).
* Agglomeration on establishment micro-data (:func:`ellison_glaeser`,
  :func:`maurel_sedillot`, :func:`coagglomeration`, :func:`micro_locational_gini`).
* Distance-based functions (:func:`kd`, :func:`m_function`, :func:`ripley_k`) with their
  Monte-Carlo tests (:func:`kd_test`, :func:`m_test`), in :mod:`.pointpattern`.
* Inequality and specialisation (:func:`hoover_index`, :func:`gini_coefficient`,
  :func:`specialisation_gini`, :func:`theil_index`, :func:`specialisation_coefficient`),
  shift-share analysis (:func:`shift_share`, :func:`dynamic_shift_share`) and the method
  of reflections (:func:`method_of_reflections`).
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
from clusteratlas.measures.inequality import gini_coefficient, hoover_index
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
from clusteratlas.measures.reflections import ReflectionsResult, method_of_reflections
from clusteratlas.measures.relatedness import (
    as_matrix,
    as_tidy,
    colocation,
    cooccurrence,
    normalise_cooccurrence,
    percentile_ranks,
    rca_incidence,
)
from clusteratlas.measures.shiftshare import dynamic_shift_share, shift_share
from clusteratlas.measures.specialisation import location_quotient, shares
from clusteratlas.measures.specialisation_indices import (
    specialisation_coefficient,
    specialisation_gini,
    theil_index,
)

__all__ = [
    "ComplexityResult",
    "EnvelopeResult",
    "KdResult",
    "MResult",
    "ReflectionsResult",
    "RipleyResult",
    "absolute_change",
    "as_matrix",
    "as_tidy",
    "cagr",
    "coagglomeration",
    "coagglomeration_group",
    "colocation",
    "cooccurrence",
    "dynamic_shift_share",
    "economic_complexity",
    "ellison_glaeser",
    "gini_coefficient",
    "growth_breaks",
    "herfindahl",
    "hoover_index",
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
    "method_of_reflections",
    "micro_locational_gini",
    "naics_io_links",
    "normalise_cooccurrence",
    "opportunities",
    "percentile_ranks",
    "rca_incidence",
    "relatedness_density",
    "ripley_k",
    "shares",
    "shift_share",
    "specialisation_coefficient",
    "specialisation_gini",
    "subnational_eci",
    "theil_index",
]
