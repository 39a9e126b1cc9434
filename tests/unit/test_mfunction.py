"""M: a hand case, random labelling (M near 1), numba vs numpy, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusteratlas.measures.pointpattern import m_function, numba_available
from clusteratlas.measures.pointpattern.m import m_values

X0, Y0 = 500_000.0, 5_000_000.0


def test_m_by_hand() -> None:
    # A at 0 and 100 m (weights 1, 3); B at 50 m (weight 2) and far away (weight 4).
    points = pd.DataFrame(
        {"x": X0 + np.array([0.0, 100.0, 50.0, 9000.0]), "y": Y0,
         "industry": ["A", "A", "B", "B"], "weight": [1.0, 3.0, 2.0, 4.0]}
    )  # fmt: skip
    result = m_function(points, industry="A", weight="weight", r=[0, 60, 120])
    # r = 60: each A point sees only B (weight 2): local ratios 0 and 0.
    # r = 120: point 0 sees A(3) and B(2): 3/5; point 1 sees A(1) and B(2): 1/3.
    # Global ratios: (4 - 1) / (10 - 1) = 1/3 and (4 - 3) / (10 - 3) = 1/7.
    assert np.isnan(result.m[0])
    assert result.m[1] == 0.0
    assert result.m[2] == pytest.approx((3 / 5 + 1 / 3) / (1 / 3 + 1 / 7), rel=1e-12)
    assert list(result.to_frame().columns) == ["r", "m"]


def test_m_is_about_one_under_random_labelling() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    x, y = rng.uniform(0, 10_000, n), rng.uniform(0, 10_000, n)
    is_type = np.zeros(n, dtype=bool)
    is_type[rng.choice(n, 300, replace=False)] = True
    values = m_values(x, y, np.ones(n), is_type, np.array([500.0, 1000.0, 2000.0]))
    # 300 of 3000 labelled at random: M within 5 % of 1 at these distances (seed fixed).
    np.testing.assert_allclose(values, 1.0, atol=0.05)


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
def test_numba_and_numpy_agree() -> None:
    rng = np.random.default_rng(4)
    n = 500
    x, y, w = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n), rng.uniform(1, 9, n)
    is_type = rng.random(n) < 0.2
    r = np.linspace(0, 2500, 30)
    fast = m_values(x, y, w, is_type, r, backend="numba")
    slow = m_values(x, y, w, is_type, r, backend="numpy")
    np.testing.assert_allclose(fast, slow, rtol=1e-12)


def test_cli_m(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import clusteratlas.cli.detect_commands  # noqa: F401
    from clusteratlas.cli import app

    rng = np.random.default_rng(0)
    points = pd.DataFrame(
        {"x": X0 + rng.uniform(0, 5000, 80), "y": Y0 + rng.uniform(0, 5000, 80),
         "industry": np.where(np.arange(80) < 30, "A", "B")}
    )  # fmt: skip
    points.to_csv(tmp_path / "p.csv", index=False)
    pd.DataFrame({"r": [100.0, 500.0, 1000.0]}).to_csv(tmp_path / "r.csv", index=False)
    result = CliRunner().invoke(
        app,
        ["detect", "m", "--points", str(tmp_path / "p.csv"), "--industry", "A",
         "--r", str(tmp_path / "r.csv"), "--output", str(tmp_path / "m.csv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "m.csv")
    assert list(out.columns) == ["r", "m"] and out.r.tolist() == [100, 500, 1000]


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
def test_neighbour_classes_on_the_edges() -> None:
    # Integer grid points with duplicates: many distances fall exactly on a distance of r
    # (d = 0, 1, 2, 5, sqrt(2) rounded), where the kernel's guess from the square root must be
    # settled on squared distances as the numpy path (searchsorted on r**2) does.
    from clusteratlas.measures.pointpattern.m import neighbour_weights

    rng = np.random.default_rng(8)
    grid = rng.integers(0, 6, (400, 2)).astype(float)
    x, y = X0 + grid[:, 0], Y0 + grid[:, 1]
    w = rng.integers(1, 5, 400).astype(float)  # integer weights: sums exact in any order
    is_type = rng.random(400) < 0.3
    r = np.array([0.0, 1.0, np.sqrt(2.0), 2.0, 2.0, 3.0, 5.0, 6.5])  # uneven, one repeated
    fast = neighbour_weights(x, y, w, is_type, r, backend="numba")
    slow = neighbour_weights(x, y, w, is_type, r, backend="numpy")
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])
    # The point itself is never its own neighbour; a duplicate at d = 0 is (class 0).
    duplicates = (grid[is_type][:, None, :] == grid[None, :, :]).all(axis=2).sum(axis=1) - 1
    assert (fast[1][:, 0] > 0).sum() == (duplicates > 0).sum()


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
def test_distances_a_hair_apart_need_no_huge_table() -> None:
    # Two distances 1e-6 m apart made the class table r[-1] / 5e-7 = 4e9 cells long (32 GB):
    # the table is capped, cells then hold several boundaries and the kernel settles them.
    from clusteratlas.measures.pointpattern.m import neighbour_weights

    rng = np.random.default_rng(12)
    x, y = X0 + rng.uniform(0, 3000, 300), Y0 + rng.uniform(0, 3000, 300)
    # Two points of the type 1000.0000005 m apart: a pair in the hair-thin class.
    x[:2], y[:2] = [X0, X0 + 1000.0000005], Y0 + 4000.0
    w = rng.integers(1, 5, 300).astype(float)
    is_type = rng.random(300) < 0.3
    is_type[:2] = True
    r = np.array([0.0, 250.0, 1000.0, 1000.000001, 1000.5, 2000.0])
    fast = neighbour_weights(x, y, w, is_type, r, backend="numba")
    slow = neighbour_weights(x, y, w, is_type, r, backend="numpy")
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])
    assert fast[1][:, 3].sum() > 0  # the hair-thin class holds its pair
