"""The numba kernels' own source, run as plain Python, against the numpy reference paths.

Compiled, the kernels are invisible to coverage and to a debugger; run uncompiled on small
inputs they must compute what the numpy fallbacks compute (the same arithmetic, so the
counts are equal and the sums agree to rounding). This checks the source numba compiles,
line by line, including the float32 re-check and the chunk bookkeeping.
"""

from __future__ import annotations

import numpy as np
import pytest

from clusteratlas.measures.pointpattern import _pairs, m


@pytest.fixture
def python_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    kernels = {"hist": _pairs._hist_impl, "hist32": _pairs._hist32_impl}
    monkeypatch.setattr(_pairs, "_compiled", lambda parallel: kernels)
    monkeypatch.setattr(m, "_compiled", lambda parallel: {"nbd": m._nbd_impl})
    monkeypatch.setattr(_pairs, "_use_numba", lambda backend: backend != "numpy")
    monkeypatch.setattr(m, "_use_numba", lambda backend: backend != "numpy")


@pytest.mark.parametrize(("precision", "sums"), [("float64", True), ("float64", False),
                                                 ("float32", True)])  # fmt: skip
@pytest.mark.parametrize("weighted", [False, True])
def test_pair_histogram_source_equals_numpy(python_kernels, precision, sums, weighted) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    n = 520  # 134,940 pairs: two histogram rows (chunks), rows not a multiple of four
    x = 650_000.0 + rng.uniform(0, 3000, n)  # Lambert-93-like: float32 needs its re-check
    y = 6_860_000.0 + rng.uniform(0, 3000, n)
    w = rng.integers(1, 9, n).astype(float) if weighted else None
    cutoff = 2500.0  # some pairs beyond it
    source = _pairs.pair_histogram(x, y, w, cutoff=cutoff, nbins=256, backend="numba",
                                   precision=precision, sums=sums)  # fmt: skip
    reference = _pairs.pair_histogram(x, y, w, cutoff=cutoff, nbins=256, backend="numpy")
    assert _pairs.histogram_rows(n) == 2
    np.testing.assert_array_equal(source.counts, reference.counts)
    if weighted:
        np.testing.assert_array_equal(source.weights, reference.weights)  # integer products
    assert source.counts.sum() < n * (n - 1) / 2  # the cut-off bin really dropped pairs
    if not sums:  # the histogram alone: no sums claimed
        assert np.isnan(source.sum_d) and np.isnan(source.sum_d2)
        return
    rel = 1e-12 if precision == "float64" else 1e-7
    assert source.sum_d == pytest.approx(reference.sum_d, rel=rel)
    assert source.sum_d2 == pytest.approx(reference.sum_d2, rel=rel)


def test_neighbour_weights_source_equals_numpy(python_kernels) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(9)
    grid = rng.integers(0, 8, (150, 2)).astype(float)  # duplicates and distances on r
    x, y = 500_000.0 + grid[:, 0] * 10, 5_000_000.0 + grid[:, 1] * 10
    w = rng.integers(1, 5, 150).astype(float)
    is_type = rng.random(150) < 0.3
    r = np.array([0.0, 10.0, 10.0 * np.sqrt(2.0), 20.0, 30.0, 45.0])
    source = m.neighbour_weights(x, y, w, is_type, r, backend="numba")
    reference = m.neighbour_weights(x, y, w, is_type, r, backend="numpy")
    np.testing.assert_array_equal(source[0], reference[0])
    np.testing.assert_array_equal(source[1], reference[1])
    assert source[1].sum() > 0
