"""Kd's envelope test from gridded counts (``kd_test(..., approx=True)``) and in ``detect all``.

The approximate test draws the same simulations as the exact one for the same seed (the
null does not depend on how a curve is computed), so each approximate curve can be compared
with its exact twin: every one must lie within the error bound the result states, and the
bound must be the largest over all curves, not only the observed one's.

A 20,480 m square of 600 sites: industry A has 80 plants in two 400 m squares, B 120
spread over the square, the rest (400) are other sites.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.detect.scan import remove_checkpoint, scan_industries
from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern import kd, kd_test
from clusteratlas.measures.pointpattern._grid import kd_error_bound
from clusteratlas.measures.pointpattern.kd import approximation_bound

SIDE = 20_480.0
WINDOW = (0.0, 0.0, SIDE, SIDE)
CELL = 80.0


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    clusters = np.vstack(
        [rng.uniform(1_000, 1_400, size=(40, 2)), rng.uniform(12_000, 12_400, size=(40, 2))]
    )
    spread = rng.uniform(0, SIDE, size=(120, 2))
    other = rng.uniform(0, SIDE, size=(398, 2))
    # Two sites at opposite corners fix the extent of all sites at exactly SIDE.
    corners = np.array([[0.0, 0.0], [SIDE, SIDE]])
    xy = np.vstack([clusters, spread, other, corners])
    codes = ["A"] * 80 + ["B"] * 120 + ["Z"] * 400
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "industry": codes})


def test_every_curve_lies_within_the_stated_bound_of_its_exact_twin(sites: pd.DataFrame) -> None:
    options = {"industry": "A", "window": WINDOW, "simulations": 9, "bandwidth": 150.0}
    exact = kd_test(sites, rng=3, **options)
    approx = kd_test(sites, rng=3, approx=True, cell=CELL, **options)
    assert not exact.approximate and exact.cell is None and exact.error_bound is None
    assert approx.approximate and approx.cell == CELL
    assert approx.error_bound is not None and approx.error_bound > 0
    # The gridded curves are not the exact ones (the option is really used) ...
    assert not np.array_equal(approx.statistic, exact.statistic)
    # ... but none is further from its exact twin than the bound, simulations included.
    assert np.abs(approx.statistic - exact.statistic).max() <= approx.error_bound
    assert np.abs(approx.simulations - exact.simulations).max() <= approx.error_bound
    # A (two clusters of 400 m) stays localised at short range either way.
    assert approx.gamma > 0 and approx.localised.min() < 500
    assert approx.method.startswith("approximate (80.0 m cells") and exact.method == "exact"
    # A has 80 firms, fewer than the sample: its measured error is the observed curve's own.
    observed_error = np.abs(approx.statistic - exact.statistic).max()
    assert approx.error_measured == pytest.approx(observed_error, rel=1e-9, abs=0)
    assert exact.error_measured is None


def test_the_error_measured_on_a_sample_estimates_the_real_one() -> None:
    """8,000 firms in 30 clusters of 800 m: the error of the gridded curve measured on a
    sample of 3,000 is an unbiased mean over the sample's pairs, plus the sample's own noise,
    which the largest absolute value only inflates; it lands within a small factor of the
    error measured against the exact curve of all 8,000, and far below the worst case."""
    rng = np.random.default_rng(1)
    centres = rng.uniform(5_000, 45_000, (30, 2))
    xy = centres[rng.integers(0, 30, 8_000)] + rng.normal(0, 800, (8_000, 2))
    firms = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "industry": "A"})
    window = (-5_000.0, -5_000.0, 55_000.0, 55_000.0)
    exact = kd(firms, industry="A", window=window, bandwidth=400.0)
    approx = kd(firms, industry="A", window=window, bandwidth=400.0, approx=True, cell=100.0)
    real = np.abs(approx.kd - exact.kd).max()
    assert approx.error_measured is not None and approx.error_bound is not None
    assert 0.5 * real <= approx.error_measured <= 5 * real
    assert approx.error_measured < approx.error_bound / 50


def test_the_bound_is_the_largest_over_all_curves(sites: pd.DataFrame) -> None:
    """With a fixed bandwidth, the observed curve's own bound is ``kd``'s; a simulated curve
    of firms spread over the square has coarse bins elsewhere, so the test's bound is the
    maximum of the observed one and the simulated ones, never less than the observed one."""
    observed = kd(sites, industry="A", window=WINDOW, bandwidth=150.0, approx=True, cell=CELL)
    tested = kd_test(
        sites, industry="A", window=WINDOW, simulations=5, bandwidth=150.0, rng=4,
        approx=True, cell=CELL,
    )  # fmt: skip
    np.testing.assert_array_equal(tested.statistic, observed.kd)
    assert observed.error_bound is not None and tested.error_bound is not None
    assert tested.error_bound >= observed.error_bound


def test_approximation_bound_adds_snapping_and_bin_widths() -> None:
    """The bound is ``kd_error_bound`` at delta = c√2 + coarse width + fine width, worked out
    here from the parts: one pair at 1,000 m, cells of 10 m, coarse bins of 5 m, rmax 1,024
    m (fine bins 2 rmax / 65,536 = 0.03125 m)."""
    r = np.linspace(0.0, 2_000.0, 201)
    bins = [np.array([1_000.0]), np.array([1.0]), 5.0]
    delta = 10.0 * np.sqrt(2.0) + 5.0 + 0.03125
    expected = kd_error_bound(bins[0], bins[1], r, 100.0, delta)
    assert approximation_bound(bins, r, 100.0, cell=10.0, rmax=1_024.0) == expected
    assert expected > kd_error_bound(bins[0], bins[1], r, 100.0, 10.0 * np.sqrt(2.0))


def test_default_cell_spans_all_sites_not_the_industry(sites: pd.DataFrame) -> None:
    """The null puts simulated firms anywhere among the sites, so the default cell is the
    sites' extent (20,480 m) over 2,048 = 10 m, not A's (about 11.4 km)."""
    tested = kd_test(
        sites, industry="A", window=WINDOW, simulations=1, bandwidth=150.0, rng=1, approx=True
    )
    assert tested.cell == pytest.approx(10.0)


def test_a_cell_too_fine_for_the_sites_is_refused_before_any_simulation(
    sites: pd.DataFrame,
) -> None:
    calls: list[int] = []
    with pytest.raises(ParameterError, match=r"'cell'.*at least 2\.5 m"):
        kd_test(
            sites, industry="A", window=WINDOW, simulations=3, approx=True, cell=1.0,
            progress=lambda done, total: calls.append(done),
        )  # fmt: skip
    assert calls == []


def test_scan_approximates_only_industries_from_the_threshold(
    sites: pd.DataFrame, tmp_path: Path
) -> None:
    options = {"min_plants": 50, "simulations": 5, "window": WINDOW, "seed": 2}
    exact = scan_industries(sites, **options)
    mixed = scan_industries(sites, approx_from=100, cell=CELL, **options)
    bounds = mixed.summary.set_index("industry")["error_bound"]
    measured = mixed.summary.set_index("industry")["error_measured"]
    # A has 80 plants (exact), B 120 and Z 400 (gridded).
    assert np.isnan(bounds["A"]) and bounds["B"] > 0 and bounds["Z"] > 0
    assert np.isnan(measured["A"]) and 0 < measured["B"] <= bounds["B"]
    assert exact.summary[["error_bound", "error_measured"]].isna().all().all()
    a_exact = exact.curves[exact.curves["industry"] == "A"]["kd"].to_numpy()
    a_mixed = mixed.curves[mixed.curves["industry"] == "A"]["kd"].to_numpy()
    np.testing.assert_array_equal(a_mixed, a_exact)
    for code in ("B", "Z"):
        gridded = mixed.curves[mixed.curves["industry"] == code]["kd"].to_numpy()
        reference = exact.curves[exact.curves["industry"] == code]["kd"].to_numpy()
        assert not np.array_equal(gridded, reference)
        assert np.abs(gridded - reference).max() <= bounds[code]
    # A checkpoint of the exact run is not resumed with the approximation, nor the reverse.
    checkpoint = tmp_path / "run.partial"
    scan_industries(sites, checkpoint=checkpoint, **options)
    with pytest.raises(ParameterError, match="other"):
        scan_industries(sites, approx_from=100, checkpoint=checkpoint, **options)
    remove_checkpoint(checkpoint)


def test_scan_refuses_to_approximate_m_or_a_tiny_threshold(sites: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="approximates Kd only"):
        scan_industries(sites, measure="m", approx_from=100, simulations=3, window=WINDOW)
    with pytest.raises(ParameterError, match="approx_from"):
        scan_industries(sites, approx_from=1, simulations=3, window=WINDOW)
