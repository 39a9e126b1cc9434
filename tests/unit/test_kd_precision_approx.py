"""Kd's float32 pair distances (bins identical to float64) and its approximate gridded mode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist
from scipy.stats import norm

from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern import kd, numba_available
from clusteratlas.measures.pointpattern._grid import grid_pair_histogram
from clusteratlas.measures.pointpattern._pairs import pair_histogram

needs_numba = pytest.mark.skipif(not numba_available(), reason="float32 is a numba kernel")
X0, Y0 = 1_000_000.0, 6_800_000.0  # Lambert-93-like coordinates: float32 steps of 0.06-0.5 m
SIDE = 200_000.0


def lambert_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return X0 + rng.uniform(0, SIDE, n), Y0 + rng.uniform(0, SIDE, n)


def float32_bins(x: np.ndarray, y: np.ndarray, cutoff: float, nbins: int) -> np.ndarray:
    """Bins of the pairs from plain float32 distances (no float64 re-check), in numpy."""
    xf = (x - x.min()).astype(np.float32)
    yf = (y - y.min()).astype(np.float32)
    i, j = np.triu_indices(len(x), 1)
    dx, dy = xf[j] - xf[i], yf[j] - yf[i]
    d = np.sqrt((dx * dx + dy * dy).astype(np.float64))
    return np.floor(d * (nbins / cutoff)).astype(np.int64)


@needs_numba
def test_float32_histogram_equals_float64_where_rounding_crosses_bin_edges() -> None:
    x, y = lambert_points(600, seed=3)
    cutoff, nbins = 250_000.0, 1 << 16
    # Independently: float32 rounding alone puts some pairs in another bin than float64.
    i, j = np.triu_indices(len(x), 1)
    exact = np.floor(np.hypot(x[j] - x[i], y[j] - y[i]) * (nbins / cutoff)).astype(np.int64)
    moved = int((float32_bins(x, y, cutoff, nbins) != exact).sum())
    assert moved > 0
    w = np.random.default_rng(4).integers(1, 30, len(x)).astype(float)
    a = pair_histogram(x, y, w, cutoff=cutoff, nbins=nbins, precision="float64")
    b = pair_histogram(x, y, w, cutoff=cutoff, nbins=nbins, precision="float32")
    np.testing.assert_array_equal(a.counts, b.counts)  # the re-check puts them back
    np.testing.assert_array_equal(a.weights, b.weights)
    assert b.sum_d == pytest.approx(a.sum_d, rel=1e-7)
    assert b.sum_d2 == pytest.approx(a.sum_d2, rel=1e-7)


@needs_numba
def test_float32_kd_curve_within_stated_bound_of_float64() -> None:
    x, y = lambert_points(800, seed=5)
    frame = pd.DataFrame({"x": x, "y": y, "industry": "A"})
    window = (X0, Y0, X0 + SIDE, Y0 + SIDE)
    a = kd(frame, industry="A", window=window)
    b = kd(frame, industry="A", window=window, precision="float32")
    # Only Silverman's standard deviation sees float32 rounding: the stated bound, 1e-6.
    assert np.abs(a.kd - b.kd).max() <= 1e-6 * a.kd.max()
    fixed_a = kd(frame, industry="A", window=window, bandwidth=3000.0)
    fixed_b = kd(frame, industry="A", window=window, bandwidth=3000.0, precision="float32")
    np.testing.assert_array_equal(fixed_a.kd, fixed_b.kd)


def test_precision_is_checked() -> None:
    frame = pd.DataFrame({"x": [0.0, 50.0, 90.0], "y": [0.0, 40.0, 10.0], "industry": "A"})
    with pytest.raises(ParameterError, match=r"'precision'.*'float64', 'float32'"):
        kd(frame, industry="A", window=(0, 0, 100, 100), precision="half")


def test_grid_histogram_by_hand() -> None:
    # Cells of 10 m: A (1, 1), B (31, 2), C (2, 41), D (8, 9) fall in cells (0,0), (3,0),
    # (0,4), (0,0). Centre distances: AB 30, AC 40, AD 0 (same cell), BC 50, BD 30, CD 40.
    xs = np.array([1.0, 31.0, 2.0, 8.0])
    ys = np.array([1.0, 2.0, 41.0, 9.0])
    ws = np.array([1.0, 2.0, 3.0, 4.0])
    hist = grid_pair_histogram(xs, ys, ws, cutoff=100.0, nbins=100, cell=10.0)
    expected = np.zeros(100)
    expected[[0, 30, 40, 50]] = [1, 2, 2, 1]
    np.testing.assert_array_equal(hist.counts, expected)
    # Weight products: AD 1*4 at 0; AB 1*2 + BD 2*4 at 30; AC 1*3 + CD 3*4 at 40; BC 2*3 at 50.
    expected_w = np.zeros(100)
    expected_w[[0, 30, 40, 50]] = [4.0, 10.0, 15.0, 6.0]
    np.testing.assert_allclose(hist.weights, expected_w, atol=1e-9)
    assert hist.sum_d == pytest.approx(2 * 30 + 2 * 40 + 50)
    assert hist.sum_d2 == pytest.approx(2 * 900 + 2 * 1600 + 2500)


def test_approximate_kd_within_its_bound_of_the_exact_kernel_sum() -> None:
    rng = np.random.default_rng(1)
    n, h = 700, 800.0
    parents = rng.uniform(20_000, 80_000, (6, 2))
    xy = np.clip(parents[rng.integers(0, 6, n)] + rng.normal(0, 3000, (n, 2)), 0, 1e5)
    frame = pd.DataFrame({"x": xy[:, 0] + X0, "y": xy[:, 1] + Y0, "industry": "A"})
    window = (X0, Y0, X0 + 1e5, Y0 + 1e5)
    result = kd(frame, industry="A", window=window, approx=True, cell=200.0, bandwidth=h)
    assert result.approximate and result.cell == 200.0 and result.error_bound > 0
    # Independent reference: Duranton-Overman's kernel sum over all pair distances (scipy).
    d = pdist(xy)
    near = d[d <= 2 * result.rmax]
    direct = np.array(
        [(norm.pdf(r, near, h) + norm.pdf(r, -near, h) * (near <= 4 * h)).sum() for r in result.r]
    ) / len(d)
    error = np.abs(result.kd - direct).max()
    assert error <= result.error_bound
    assert error < 0.01 * direct.max()  # and the approximation is useful at this cell size
    exact = kd(frame, industry="A", window=window, bandwidth=h)
    assert not exact.approximate and exact.cell is None and exact.error_bound is None


def test_cell_is_checked() -> None:
    frame = pd.DataFrame({"x": [0.0, 5e4, 9e4], "y": [0.0, 4e4, 1e4], "industry": "A"})
    with pytest.raises(ParameterError, match=r"'cell'.*positive"):
        kd(frame, industry="A", window=(0, 0, 1e5, 1e5), approx=True, cell=-1.0)
    with pytest.raises(ParameterError, match="at most 8,192"):
        kd(frame, industry="A", window=(0, 0, 1e5, 1e5), approx=True, cell=1.0)
