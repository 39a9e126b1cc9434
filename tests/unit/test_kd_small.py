"""Kd of small industries: exact pair distances, and the grid recurrence of the smoothing."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from clusteratlas.measures.pointpattern._smooth import gaussian_smooth, grid_step
from clusteratlas.measures.pointpattern.kd import kd_values, silverman_exact

# The package re-exports the function kd, which hides the module of the same name.
kd_module = importlib.import_module("clusteratlas.measures.pointpattern.kd")


def test_silverman_exact_is_r_bw_nrd0_worked_by_hand() -> None:
    # d = 1..5: sd = sqrt(2.5) = 1.58114, IQR (type 7) = 4 - 2 = 2, 2 / 1.34 = 1.492537 < sd,
    # so h = 0.9 * 1.492537 * 5 ** -0.2 = 1.343284 * 0.7247797 = 0.9735846.
    assert silverman_exact(np.array([3.0, 1.0, 5.0, 2.0, 4.0])) == pytest.approx(
        0.9735846, rel=1e-6
    )


def test_silverman_exact_falls_back_to_sd_when_the_iqr_is_zero() -> None:
    # d = 2, 2, 2, 2, 8: both quartiles 2 (type 7), so IQR 0 and R's bw.nrd0 takes the sd:
    # mean 3.2, squares 4 * 1.44 + 4.8**2 = 28.8, sd = sqrt(28.8 / 4) = 2.683282;
    # h = 0.9 * 2.683282 * 5 ** -0.2 = 2.414954 * 0.7247797 = 1.750328.
    d = np.array([2.0, 2.0, 8.0, 2.0, 2.0])
    assert silverman_exact(d) == pytest.approx(1.750309, rel=1e-6)


def _exact_kd(x: np.ndarray, y: np.ndarray, r: np.ndarray, h: float) -> np.ndarray:
    """The Kd formula summed over every pair, reflection at 0 below 4h."""
    i, j = np.triu_indices(len(x), 1)
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    z = (r[:, None] - d) / h
    zr = (r[:, None] + d) / h
    terms = np.exp(-z * z / 2) + (d <= 4 * h) * np.exp(-zr * zr / 2)
    return terms.sum(axis=1) / (len(d) * h * np.sqrt(2 * np.pi))


@pytest.mark.parametrize("n", [3, 40, 300])
def test_small_industries_equal_the_exact_kernel_sum(n: int) -> None:
    rng = np.random.default_rng(n)
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    r = np.linspace(0, 450, 200)
    values, _, h = kd_values(x, y, None, r, rmax=2000.0, bandwidth=25.0)
    exact = _exact_kd(x, y, r, h)
    # Bins of h/50 placed at their pairs' mean distance: second-order error ~ (1/50)^2 / 24.
    assert np.max(np.abs(values - exact)) / exact.max() < 5e-5


def test_exact_and_histogram_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 5000, 250), rng.uniform(0, 5000, 250)
    w = rng.exponential(10.0, 250)
    r = np.linspace(0, 1500, 300)
    exact_path = kd_values(x, y, w, r, rmax=1500.0)
    monkeypatch.setattr(kd_module, "EXACT_PAIRS", 0)
    histogram_path = kd_values(x, y, w, r, rmax=1500.0)
    # The bandwidth differs only by the histogram's quantile interpolation (bins of 0.046 m).
    assert exact_path[2] == pytest.approx(histogram_path[2], rel=1e-4)
    for a, b in ((exact_path[0], histogram_path[0]), (exact_path[1], histogram_path[1])):
        assert a is not None and b is not None
        assert np.max(np.abs(a - b)) / b.max() < 1e-3


@pytest.mark.parametrize("seed", range(6))
def test_grid_recurrence_equals_direct_exponentials(seed: int) -> None:
    pytest.importorskip("numba")
    rng = np.random.default_rng(seed)
    h = rng.uniform(0.5, 30)
    centres = np.sort(rng.uniform(0, 300, int(rng.integers(1, 2000))))
    mass = rng.exponential(size=len(centres))
    mass[rng.random(len(centres)) < 0.3] = 0.0
    r = np.linspace(rng.uniform(0, 20), rng.uniform(50, 400), int(rng.integers(3, 600)))
    assert grid_step(r) is not None
    fast = gaussian_smooth(centres, mass, r, h, reflect=4 * h, backend="numba")
    direct = gaussian_smooth(centres, mass, r, h, reflect=4 * h, backend="numpy")
    assert np.max(np.abs(fast - direct)) / direct.max() < 1e-12


def test_uneven_distances_take_the_direct_kernel() -> None:
    r = np.array([0.0, 1.0, 3.0, 7.0])
    assert grid_step(r) is None
    assert grid_step(np.array([0.0, 5.0])) is None
    assert grid_step(np.linspace(0.0, 10.0, 11)) == pytest.approx(1.0)
    pytest.importorskip("numba")
    centres, mass = np.array([0.5, 2.0, 6.0]), np.array([1.0, 2.0, 1.0])
    fast = gaussian_smooth(centres, mass, r, 1.5, reflect=6.0, backend="numba")
    direct = gaussian_smooth(centres, mass, r, 1.5, reflect=6.0, backend="numpy")
    np.testing.assert_allclose(fast, direct, rtol=1e-13)
