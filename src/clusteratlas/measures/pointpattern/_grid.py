r"""Approximate pair-distance histogram from gridded counts (opt-in, for very large industries).

The points are counted in square cells of side ``c``; the number of pairs whose cells are
``(du, dv)`` cells apart is the autocorrelation of the count grid at that offset,

.. math::

    A(du, dv) = \sum_{p} C(p)\, C(p + (du, dv)),

computed for every offset at once by FFT (:func:`scipy.signal.fftconvolve` of the grid with
its flipped self): time O(G log G) for G cells, whatever the number of points. Each pair is
given the distance between its cells' centres, :math:`c \sqrt{du^2 + dv^2}`; pairs sharing a
cell (:math:`(\sum_p C(p)^2 - n) / 2` of them) get distance 0. With weights, the grid of
summed weights gives the sums of :math:`w_i w_j` the same way (minus :math:`\sum w_i^2`).

Snapping moves each point by at most :math:`c/\sqrt 2`, so every pair distance by at most
:math:`\delta = c\sqrt 2`; a Gaussian kernel sum with bandwidth :math:`h` (Kd, with its
reflection at 0) then moves by at most :math:`\delta` times its slope, bounded pointwise by
:func:`kd_error_bound` (stated in every approximate result).
"""

from __future__ import annotations

import numpy as np

from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern._pairs import FloatArray, PairHistogram

#: Cells along the longer side of the points' extent when no cell size is given.
DEFAULT_CELLS = 2048
#: Most cells along a side (the FFT grid is twice as wide: 16,384² float64 is 2 GiB).
MAX_CELLS = 8192


def resolve_cell(xs: FloatArray, ys: FloatArray, cell: float | None) -> float:
    """Return the cell side (metres): ``cell``, or the extent over :data:`DEFAULT_CELLS`."""
    extent = max(float(np.ptp(xs)), float(np.ptp(ys))) if len(xs) else 0.0
    if cell is None:
        return extent / DEFAULT_CELLS if extent > 0 else 1.0
    size = float(cell)
    if not np.isfinite(size) or size <= 0:
        raise ParameterError(
            f"The 'cell' parameter (grid cell side, metres) must be positive. Got {cell!r}."
        )
    if extent / size > MAX_CELLS:
        raise ParameterError(
            f"The 'cell' parameter of {size:g} m makes {extent / size:,.0f} cells across the "
            f"points' {extent:,.0f} m extent; at most {MAX_CELLS:,} are allowed (memory): "
            f"give a cell of at least {extent / MAX_CELLS:,.1f} m."
        )
    return size


def kd_error_bound(
    centres: FloatArray, share: FloatArray, r: FloatArray, h: float, delta: float
) -> float:
    r"""Bound on :math:`|K_d^{grid}(r) - K_d(r)|` (per metre) over ``r``, from the coarse bins.

    Each pair term of Kd is :math:`[\phi((r-d)/h) + \phi((r+d)/h)]/(N h)`, whose slope in
    :math:`d` is at most :math:`(|\phi'(z_1)| + |\phi'(z_2)|)/(N h^2)`. A pair used at a
    coarse centre :math:`c_k` (``share`` of the pairs in bin k) lies within ``delta`` of it
    (snapping :math:`c\sqrt 2` plus the bin widths), so its true distance is within
    ``delta`` of :math:`c_k`; with :math:`M(z)` the largest :math:`|\phi'|` within
    :math:`\delta/h` of :math:`z` (exact: :math:`|\phi'(t)| = |t|\phi(t)` peaks at
    :math:`|t| = 1`),

    .. math::

        |\Delta K_d(r)| \le \frac{\delta}{h^2} \sum_k s_k \left[M(z_{1k}) + M(z_{2k})\right]
        + \frac{\phi(4)}{h} \sum_{|c_k - 4h| \le \delta} s_k,

    the last term for pairs whose reflection (kept up to :math:`4h`) may switch.
    """
    phi0 = 1.0 / np.sqrt(2.0 * np.pi)
    span = delta / h  # the span of z over which a pair's true distance may lie

    def steepest(z: FloatArray) -> FloatArray:
        # max of |phi'(t)| = |t| phi(t) over [z - span, z + span]; it peaks at |t| = 1.
        low, high = z - span, z + span
        ends = np.maximum(np.abs(low) * np.exp(-0.5 * low * low),
                          np.abs(high) * np.exp(-0.5 * high * high))  # fmt: skip
        peak = ((low <= 1.0) & (high >= 1.0)) | ((low <= -1.0) & (high >= -1.0))
        return phi0 * np.where(peak, np.exp(-0.5), ends)

    worst = 0.0
    reflected = centres <= 4.0 * h
    for start in range(0, len(r), 64):
        rr = r[start : start + 64, None]
        slope = steepest((rr - centres[None, :]) / h)
        slope += reflected * steepest((rr + centres[None, :]) / h)
        worst = max(worst, float((slope * share[None, :]).sum(axis=1).max()))
    switch = float(share[np.abs(centres - 4.0 * h) <= delta].sum())
    phi4 = phi0 * np.exp(-8.0)
    return delta / (h * h) * worst + phi4 / h * switch


def _grid(xs: FloatArray, ys: FloatArray, mass: FloatArray, cell: float) -> FloatArray:
    ix = np.floor((xs - xs.min()) / cell).astype(np.int64)
    iy = np.floor((ys - ys.min()) / cell).astype(np.int64)
    shape = (int(ix.max()) + 1, int(iy.max()) + 1)
    grid = np.zeros(shape)
    np.add.at(grid, (ix, iy), mass)
    return grid


def _autocorrelation(grid: FloatArray) -> FloatArray:
    from scipy.signal import fftconvolve

    return np.asarray(fftconvolve(grid, grid[::-1, ::-1], mode="full"), dtype=np.float64)


def grid_pair_histogram(
    xs: FloatArray,
    ys: FloatArray,
    ws: FloatArray | None,
    *,
    cutoff: float,
    nbins: int,
    cell: float,
) -> PairHistogram:
    """Approximate :func:`pair_histogram`: pairs of grid cells weighted by their counts.

    Returns the same :class:`PairHistogram` (counts, weight sums, sums of ``d`` and ``d**2``
    over the pairs within ``cutoff``) with every pair at the distance between its cells'
    centres. Counts are rounded to integers (the FFT's rounding is far below 0.5).
    """
    n = len(xs)
    counts_grid = _grid(xs, ys, np.ones(n), cell)
    auto = _autocorrelation(counts_grid)
    gx, gy = counts_grid.shape
    du = np.arange(-(gx - 1), gx)[:, None]
    dv = np.arange(-(gy - 1), gy)[None, :]
    length = cell * np.sqrt(du * du + dv * dv)
    near = length <= cutoff
    d = length[near]
    # Ordered pairs, each pair twice; the zero offset also holds the n self-pairs.
    pairs = np.rint(auto[near])
    zero = d == 0.0
    pairs[zero] -= n
    pairs = np.maximum(pairs, 0.0) / 2.0
    bins = np.minimum((d * (nbins / cutoff)).astype(np.int64), nbins - 1)
    counts = np.bincount(bins, weights=pairs, minlength=nbins).astype(np.float64)
    weights = None
    if ws is not None:
        wauto = _autocorrelation(_grid(xs, ys, ws, cell))[near]
        wauto[zero] -= float((ws * ws).sum())
        wpairs = np.maximum(wauto, 0.0) / 2.0
        weights = np.bincount(bins, weights=wpairs, minlength=nbins).astype(np.float64)
    return PairHistogram(
        counts, weights, float((pairs * d).sum()), float((pairs * d * d).sum()), cutoff / nbins
    )
