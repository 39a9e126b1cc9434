"""Measures: pure functions from tidy frames of regional statistics to new tidy frames.

Specialisation (:func:`location_quotient`, :func:`shares`), growth (:func:`cagr`,
:func:`lq_change`, :func:`absolute_change`) and concentration (:func:`krugman_index`,
:func:`herfindahl`, :func:`locational_gini`). None of them mutates its input, and a missing
value (NaN: suppressed or confidential) is never counted as zero.
"""

from __future__ import annotations

from clusteratlas.measures.concentration import herfindahl, krugman_index, locational_gini
from clusteratlas.measures.growth import absolute_change, cagr, lq_change
from clusteratlas.measures.specialisation import location_quotient, shares

__all__ = [
    "absolute_change",
    "cagr",
    "herfindahl",
    "krugman_index",
    "location_quotient",
    "locational_gini",
    "lq_change",
    "shares",
]
