"""Ripley's K and L: hand-derived edge weights, CSR, monotonicity, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusteratlas.measures.pointpattern import l_function, ripley_k
from clusteratlas.measures.pointpattern.ripley import ripley_counts

X0, Y0 = 500_000.0, 5_000_000.0


def arc_outside(cx: float, cy: float, d: float, side: float) -> float:
    """Fraction of the circle outside [0, side]^2, by fine sampling of its angle."""
    theta = np.linspace(0, 2 * np.pi, 2_000_001)[:-1]
    px, py = cx + d * np.cos(theta), cy + d * np.sin(theta)
    return float(np.mean((px < 0) | (px > side) | (py < 0) | (py > side)))


def test_edge_weights_by_hand() -> None:
    # Corner point (1, 1) in [0, 10]^2, neighbour at 2: 7/12 of the circle lies outside
    # (arcs of 2 pi/3 beyond each edge overlapping by pi/6), so the weight is 12/5.
    window = np.array([0.0, 0.0, 10.0, 10.0])
    r = np.array([1.0, 3.0])
    x, y = np.array([1.0, 3.0]), np.array([1.0, 1.0])
    counts = ripley_counts(x, y, r, window, corrected=True)
    # Point (3, 1), neighbour at 2: the circle crosses the bottom edge only.
    expected_second = 1 / (1 - arc_outside(3, 1, 2, 10))
    assert arc_outside(1, 1, 2, 10) == pytest.approx(7 / 12, abs=1e-5)
    assert counts[1] == pytest.approx(12 / 5 + expected_second, rel=1e-5)
    assert counts[0] == 0.0


def test_k_on_a_tiny_configuration() -> None:
    # Three points of a 1000 m square, far from the edges (weights 1): pairs 300, 400, 500.
    points = pd.DataFrame(
        {"x": X0 + np.array([400.0, 700.0, 400.0]), "y": Y0 + np.array([300.0, 300.0, 700.0]),
         "industry": "A"}
    )  # fmt: skip
    window = (X0, Y0, X0 + 1000, Y0 + 1000)
    result = ripley_k(points, industry="A", window=window, r=[250, 350, 450, 550])
    area, n = 1e6, 3
    # Only the 500 m pair from (700, 300) to (400, 700) reaches beyond 300 m of an edge.
    w_500_a = 1 / (1 - arc_outside(0.7, 0.3, 0.5, 1.0))  # circle from (700, 300)
    w_500_b = 1 / (1 - arc_outside(0.4, 0.7, 0.5, 1.0))  # circle from (400, 700)
    w_400 = 1 / (1 - arc_outside(0.4, 0.3, 0.4, 1.0)) + 1 / (1 - arc_outside(0.4, 0.7, 0.4, 1.0))
    w_300 = 1 / (1 - arc_outside(0.4, 0.3, 0.3, 1.0)) + 1 / (1 - arc_outside(0.7, 0.3, 0.3, 1.0))
    expected = np.cumsum([0.0, w_300, w_400, w_500_a + w_500_b]) * area / (n * (n - 1))
    np.testing.assert_allclose(result.k, expected, rtol=1e-4)
    np.testing.assert_allclose(result.l, np.sqrt(result.k / np.pi))
    none = l_function(points, industry="A", window=window, r=[550], correction="none")
    assert none.k[0] == pytest.approx(6 * area / 6)


def test_k_under_csr_and_monotone() -> None:
    rng = np.random.default_rng(7)
    n = 1500
    points = pd.DataFrame(
        {"x": X0 + rng.uniform(0, 10_000, n), "y": Y0 + rng.uniform(0, 10_000, n), "industry": "A"}
    )
    window = (X0, Y0, X0 + 10_000, Y0 + 10_000)
    result = ripley_k(points, industry="A", window=window)
    assert np.all(np.diff(result.k) >= 0)
    r = result.r[result.r >= 500]
    ratio = result.k[result.r >= 500] / (np.pi * r**2)
    # CSR: K(r) = pi r^2; with 1500 points the estimate is within 6 % beyond 500 m (seed 7).
    np.testing.assert_allclose(ratio, 1.0, atol=0.06)
    frame = result.to_frame()
    assert list(frame.columns) == ["r", "k", "l"]


def test_numpy_fallback_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(8)
    x, y = rng.uniform(0, 1000, 200), rng.uniform(0, 1000, 200)
    r, window = np.linspace(0, 250, 20), np.array([0.0, 0.0, 1000.0, 1000.0])
    fast = ripley_counts(x, y, r, window, corrected=True)
    monkeypatch.setenv("CLUSTERATLAS_NO_NUMBA", "1")
    slow = ripley_counts(x, y, r, window, corrected=True)
    np.testing.assert_allclose(fast, slow, rtol=1e-10)


def test_cli_k(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import clusteratlas.cli.detect_commands  # noqa: F401
    from clusteratlas.cli import app

    rng = np.random.default_rng(0)
    points = pd.DataFrame(
        {"x": X0 + rng.uniform(0, 5000, 50), "y": Y0 + rng.uniform(0, 5000, 50), "industry": "A"}
    )
    points.to_csv(tmp_path / "p.csv", index=False)
    result = CliRunner().invoke(
        app,
        ["detect", "k", "--points", str(tmp_path / "p.csv"), "--industry", "A",
         "--window", f"{X0},{Y0},{X0 + 5000},{Y0 + 5000}", "--plot", str(tmp_path / "k.png"),
         "--output", str(tmp_path / "k.csv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert list(pd.read_csv(tmp_path / "k.csv").columns) == ["r", "k", "l"]


def test_default_distances_of_a_dense_pattern_stop_at_spatstats_cap() -> None:
    # spatstat 3 (Kest, correction="isotropic") on 20,000 uniform points in square(1000):
    # max(r) = 126.156626101 = sqrt(1000 / (pi * 0.02)), below a quarter side (250).
    rng = np.random.default_rng(3)
    pts = pd.DataFrame({"x": rng.uniform(0, 1000, 20_000), "y": rng.uniform(0, 1000, 20_000),
                        "industry": "A"})  # fmt: skip
    result = ripley_k(pts.iloc[:3000], industry="A", window=(0, 0, 1000, 1000))
    # 3,000 points: the cap sqrt(1000 / (pi * 0.003)) = 325.7 is above 250, so 250 stays.
    assert result.r[-1] == pytest.approx(250.0)
    assert len(result.r) == 513
    from clusteratlas.measures.pointpattern.ripley import k_rmax
    from clusteratlas.measures.pointpattern.windows import Window

    assert k_rmax(Window((0, 0, 1000, 1000)), 20_000) == pytest.approx(126.156626101, abs=1e-9)
    # spatstat on 100 points in a 1000 x 400 rectangle: max(r) = 100 (a quarter of 400).
    assert k_rmax(Window((0, 0, 1000, 400)), 100) == pytest.approx(100.0)
