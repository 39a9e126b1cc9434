"""Tests of the seeded synthetic point processes and establishment tables."""

from __future__ import annotations

import numpy as np
import pytest

from clusteratlas._validation import as_rng
from clusteratlas.data.synthetic import csr, matern, synthetic_establishments, thomas
from clusteratlas.errors import ParameterError

scipy_spatial = pytest.importorskip("scipy.spatial")

WINDOW = (0.0, 0.0, 10_000.0, 5_000.0)


def inside(points: np.ndarray, window: tuple[float, float, float, float]) -> bool:
    xmin, ymin, xmax, ymax = window
    return bool(
        ((points[:, 0] >= xmin) & (points[:, 0] <= xmax)).all()
        and ((points[:, 1] >= ymin) & (points[:, 1] <= ymax)).all()
    )


def mean_nn_distance(points: np.ndarray) -> float:
    distances, _ = scipy_spatial.cKDTree(points).query(points, k=2)
    return float(distances[:, 1].mean())


def test_csr_counts_window_and_seed() -> None:
    points = csr(500, window=WINDOW, rng=1)
    assert points.shape == (500, 2) and inside(points, WINDOW)
    np.testing.assert_array_equal(points, csr(500, window=WINDOW, rng=1))
    assert not np.array_equal(points, csr(500, window=WINDOW, rng=2))
    np.testing.assert_array_equal(points, csr(500, window=WINDOW, rng=np.random.default_rng(1)))
    assert csr(0, window=WINDOW, rng=0).shape == (0, 2)


def test_bad_parameters() -> None:
    with pytest.raises(TypeError, match="rng"):
        as_rng("seed")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="window"):
        csr(3, window=(0, 0, -1, 1), rng=0)
    with pytest.raises(ParameterError, match="exactly one"):
        thomas(n_parents=3, parents_intensity=1e-6, mean_children=5, sigma=10, window=WINDOW)
    with pytest.raises(ParameterError, match="sigma"):
        thomas(n_parents=3, mean_children=5, sigma=0, window=WINDOW)


def test_thomas_counts_and_reproducibility() -> None:
    points = thomas(n_parents=20, mean_children=25, sigma=100.0, window=WINDOW, rng=7)
    assert inside(points, WINDOW)
    # 20 parents × Poisson(25) children: mean 500, sd √500 ≈ 22, minus the few that leave the window.
    assert 400 < len(points) <= 600
    again = thomas(n_parents=20, mean_children=25, sigma=100.0, window=WINDOW, rng=7)
    np.testing.assert_array_equal(points, again)
    # Stationary version: κ = 4e-7 per m² on the grown window, about 20 parents in the window.
    stationary = thomas(parents_intensity=4e-7, mean_children=25, sigma=100.0, window=WINDOW, rng=3)
    assert inside(stationary, WINDOW) and 200 < len(stationary) < 900


@pytest.mark.parametrize("process", ["thomas", "matern"])
def test_cluster_processes_are_more_clustered_than_csr(process: str) -> None:
    if process == "thomas":
        points = thomas(n_parents=15, mean_children=30, sigma=150.0, window=WINDOW, rng=11)
    else:
        points = matern(n_parents=15, mean_children=30, radius=300.0, window=WINDOW, rng=11)
    random = csr(len(points), window=WINDOW, rng=12)
    # CSR: mean NN distance ≈ 0.5 / √(n / area) ≈ 0.5 · √(5e7 / 450) ≈ 167 m; clusters far less.
    assert mean_nn_distance(points) < 0.5 * mean_nn_distance(random)


def test_matern_children_stay_within_radius_of_some_parent() -> None:
    points = matern(n_parents=1, mean_children=200, radius=50.0, window=WINDOW, rng=5)
    centre = points.mean(axis=0)
    assert np.hypot(*(points - centre).T).max() <= 100.0  # within the disc's diameter


def test_synthetic_establishments() -> None:
    industries = {
        "random": {"process": "csr", "n": 300},
        "thomas": {"process": "thomas", "n_parents": 6, "mean_children": 40, "sigma": 150.0},
        "matern": {"process": "matern", "n_parents": 6, "mean_children": 40, "radius": 300.0},
        "big": {"process": "csr", "n": 50, "size_mean_log": 4.0},
    }
    frame = synthetic_establishments(window=WINDOW, industries=industries, grid=(4, 2), rng=42)
    again = synthetic_establishments(window=WINDOW, industries=industries, grid=(4, 2), rng=42)
    assert frame.equals(again)
    counts = frame["industry"].value_counts()
    assert counts["random"] == 300 and counts["big"] == 50
    assert frame["id"].is_unique
    assert (frame["weight"] >= 1).all() and (frame["weight"] % 1 == 0).all()
    assert frame.loc[frame["industry"] == "big", "weight"].median() > 20
    assert inside(frame[["x", "y"]].to_numpy(), WINDOW)
    # Cells are 2500 m × 2500 m; blocks group 2 × 2 cells.
    col = (frame["x"] // 2500).astype(int).clip(upper=3)
    row = (frame["y"] // 2500).astype(int).clip(upper=1)
    assert (frame["cell"] == "c" + col.astype(str) + "r" + row.astype(str)).all()
    assert (frame["block"] == "b" + (col // 2).astype(str) + "r0").all()
    assert frame["cell"].nunique() == 8
    with pytest.raises(ParameterError, match="process"):
        synthetic_establishments(industries={"a": {"process": "poisson", "n": 3}}, rng=0)
    with pytest.raises(ParameterError, match="Bad specification"):
        synthetic_establishments(industries={"a": {"process": "thomas", "n": 3}}, rng=0)
