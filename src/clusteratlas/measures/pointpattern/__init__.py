"""Point-pattern measures of geographic concentration: Kd, M, Ripley's K and L, envelopes.

Distance-based measures on firm-level data (projected coordinates in metres): Duranton and
Overman's :func:`kd`, Marcon and Puech's :func:`m_function`, Ripley's :func:`ripley_k` and
Besag's :func:`l_function`, in a rectangle or a polygon (:class:`Window`), and Monte-Carlo
tests against random location among all sites (:func:`kd_test`, :func:`m_test`). Pair loops
run in numba when it is installed (switch it off with ``CLUSTERATLAS_NO_NUMBA=1``), with a
pure-numpy fallback.
"""

from __future__ import annotations

from clusteratlas.measures.pointpattern._pairs import numba_available
from clusteratlas.measures.pointpattern.envelopes import (
    EnvelopeResult,
    dbmss_envelope,
    global_envelope,
    kd_test,
    m_test,
    pointwise_envelope,
    rank_envelope,
)
from clusteratlas.measures.pointpattern.kd import KdResult, kd
from clusteratlas.measures.pointpattern.m import MResult, m_function
from clusteratlas.measures.pointpattern.ripley import RipleyResult, l_function, ripley_k
from clusteratlas.measures.pointpattern.windows import Window, as_window

__all__ = [
    "EnvelopeResult",
    "KdResult",
    "MResult",
    "RipleyResult",
    "Window",
    "as_window",
    "dbmss_envelope",
    "global_envelope",
    "kd",
    "kd_test",
    "l_function",
    "m_function",
    "m_test",
    "numba_available",
    "pointwise_envelope",
    "rank_envelope",
    "ripley_k",
]
