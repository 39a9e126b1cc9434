"""Kd of small industries from their exact pair distances (no fine histogram to allocate)."""

from __future__ import annotations

import numpy as np

from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern._pairs import FloatArray

#: Fine bins of the pair-distance histogram over [0, 2 rmax] (bin width ~ rmax / 32768).
FINE_BINS = 1 << 16


def exact_pairs(
    xs: FloatArray, ys: FloatArray, ws: FloatArray | None, *, cutoff: float
) -> tuple[FloatArray, FloatArray | None]:
    """Distances (and weight products) of the pairs ``i < j`` not farther apart than ``cutoff``."""
    first, second = np.triu_indices(len(xs), 1)
    dx = xs[second] - xs[first]
    dy = ys[second] - ys[first]
    d2 = dx * dx + dy * dy
    near = d2 <= cutoff * cutoff  # the histogram kernel's test, so both keep the same pairs
    d = np.sqrt(d2[near])
    products = None if ws is None else (ws[first] * ws[second])[near]
    return d, products


def silverman_exact(d: FloatArray) -> float:
    """R's ``bw.nrd0`` on exact distances: 0.9 min(sd, IQR/1.34) n^(-1/5), type-7 quantiles."""
    n = len(d)
    if n < 2:
        raise ParameterError(
            "Kd needs at least 2 pairs of firms within 2 rmax to choose a bandwidth; "
            "give a larger rmax or a bandwidth in metres."
        )
    sd = float(np.std(d, ddof=1))
    q1, q3 = np.quantile(d, [0.25, 0.75])
    low = min(sd, float(q3 - q1) / 1.34)
    if not low:
        low = sd or float(d.mean()) or 1.0
    return 0.9 * low * n**-0.2


def _coarsen_exact(
    d: FloatArray, mass: FloatArray, cutoff: float, factor: int
) -> tuple[FloatArray, FloatArray]:
    """Coarse bins of :func:`_coarsen` filled from exact distances; empty bins left out.

    A pair goes to the fine bin the histogram kernel would give it, fine bins are merged
    ``factor`` at a time as in :func:`_coarsen`, and each coarse bin sits at the
    ``mass``-weighted mean of its pairs' exact distances.
    """
    fine = np.minimum((d * (FINE_BINS / cutoff)).astype(np.int64), FINE_BINS - 1)
    coarse = fine // factor
    size = FINE_BINS // factor + 1
    total = np.asarray(np.bincount(coarse, weights=mass, minlength=size), dtype=np.float64)
    moment = np.asarray(np.bincount(coarse, weights=mass * d, minlength=size), dtype=np.float64)
    keep = total > 0
    return moment[keep] / total[keep], total[keep]
