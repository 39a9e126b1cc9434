"""Threshold calibration against a published count, checked by hand and by brute force."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.mapping.calibrate import CalibrationResult, calibrate_threshold


@pytest.fixture
def tiny() -> pd.DataFrame:
    """3 regions x 2 categories; total employment 10+90+50+50+5+0 = 205.

    LQ sorted high to low (NaN left out):
      3.0 (R1 a, emp 10)  -> t = 3.0: 1 cell,  1 region,  emp 10
      2.0 (R3 a, emp 5)   -> t = 2.0: 2 cells, 2 regions, emp 15
      1.2 (R2 a, emp 50)
      1.2 (R2 b, emp 50)  -> t = 1.2: 4 cells (the tie makes 3 unreachable), 3 regions, emp 115
      0.5 (R1 b, emp 90)  -> t = 0.5: 5 cells, 3 regions, emp 205
    """
    return pd.DataFrame(
        {
            "region": ["R1", "R1", "R2", "R2", "R3", "R3"],
            "category": ["a", "b", "a", "b", "a", "b"],
            "employment": [10.0, 90.0, 50.0, 50.0, 5.0, 0.0],
            "lq": [3.0, 0.5, 1.2, 1.2, 2.0, np.nan],
        }
    )


def test_exact_target(tiny: pd.DataFrame) -> None:
    result = calibrate_threshold(tiny, target_count=2, target_regions=2)
    assert isinstance(result, CalibrationResult)
    assert (result.threshold, result.count, result.regions) == (2.0, 2, 2)
    assert result.next_lower == 1.2  # any t in (1.2, 2.0] selects the same 2 cells
    assert result.employment_share == pytest.approx(15 / 205)
    assert (result.target_count, result.target_regions) == (2, 2)
    assert result.min_employment == 0.0
    assert result.grid is None
    assert result.table["count"].tolist() == [1, 2, 4, 5]
    assert result.table["threshold"].tolist() == [3.0, 2.0, 1.2, 0.5]
    assert result.table["regions"].tolist() == [1, 2, 3, 3]
    assert result.table["employment_share"].tolist() == pytest.approx(
        [10 / 205, 15 / 205, 115 / 205, 205 / 205]
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.threshold = 1.0  # type: ignore[misc]


def test_unreachable_count_breaks_tie_by_regions(tiny: pd.DataFrame) -> None:
    # 3 cells cannot be had (tie at 1.2): 2 and 4 are equally close; regions decide.
    low = calibrate_threshold(tiny, target_count=3, target_regions=2)
    assert (low.threshold, low.count, low.regions) == (2.0, 2, 2)
    high = calibrate_threshold(tiny, target_count=3, target_regions=3)
    assert (high.threshold, high.count, high.regions) == (1.2, 4, 3)
    assert high.next_lower == 0.5


def test_target_beyond_cells_takes_all(tiny: pd.DataFrame) -> None:
    result = calibrate_threshold(tiny, target_count=1501, target_regions=201)
    assert (result.threshold, result.count, result.regions) == (0.5, 5, 3)
    assert result.next_lower == -np.inf
    assert result.employment_share == pytest.approx(1.0)


def test_min_employment_and_grid(tiny: pd.DataFrame) -> None:
    # employment >= 10 drops R3 a (5) and R3 b (0): 3.0 (1 cell), 1.2 (3 cells), 0.5 (4 cells)
    result = calibrate_threshold(tiny, target_count=2, target_regions=2, min_employment=10)
    assert (result.threshold, result.count, result.regions) == (1.2, 3, 2)
    assert result.employment_share == pytest.approx(110 / 205)
    assert result.min_employment == 10
    searched = calibrate_threshold(
        tiny, target_count=2, target_regions=2, min_employment_grid=[10, 0]
    )
    assert (searched.min_employment, searched.threshold, searched.count) == (0.0, 2.0, 2)
    assert searched.grid is not None
    assert searched.grid["min_employment"].tolist() == [10, 0]
    assert searched.grid["count"].tolist() == [3, 2]
    assert searched.grid["threshold"].tolist() == [1.2, 2.0]


def test_total_employment_denominator(tiny: pd.DataFrame) -> None:
    result = calibrate_threshold(tiny, target_count=2, target_regions=2, total_employment=60.0)
    assert result.employment_share == pytest.approx(0.25)


def test_agrees_with_brute_force() -> None:
    rng = np.random.default_rng(20211216)
    n_regions, n_categories = 40, 30
    frame = pd.DataFrame(
        {
            "region": np.repeat([f"R{i}" for i in range(n_regions)], n_categories),
            "category": np.tile([f"C{j}" for j in range(n_categories)], n_regions),
            "employment": rng.integers(0, 5000, n_regions * n_categories).astype(float),
            "lq": np.round(rng.lognormal(0, 0.6, n_regions * n_categories), 2),
        }
    )
    for target in (1, 57, 300, 901):
        result = calibrate_threshold(frame, target_count=target, target_regions=25)
        selected = frame["lq"] >= result.threshold
        assert selected.sum() == result.count
        assert frame.loc[selected, "region"].nunique() == result.regions
        share = frame.loc[selected, "employment"].sum() / frame["employment"].sum()
        assert result.employment_share == pytest.approx(share)
        counts = [(frame["lq"] >= t).sum() for t in np.unique(frame["lq"])]
        assert abs(result.count - target) == min(abs(c - target) for c in counts)
        assert not (frame["lq"].between(result.next_lower, result.threshold, "neither")).any()


def test_errors(tiny: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match=r"'target_count' .* \[1, inf\)\. Got 0"):
        calibrate_threshold(tiny, target_count=0)
    with pytest.raises(SchemaError, match="'share'"):
        calibrate_threshold(tiny, measure="share")
    with pytest.raises(ParameterError, match="repeats"):
        calibrate_threshold(pd.concat([tiny, tiny]))
    with pytest.raises(ParameterError, match="No cell"):
        calibrate_threshold(tiny, min_employment=1e9)
    with pytest.raises(ParameterError, match="must not be empty"):
        calibrate_threshold(tiny, min_employment_grid=[])


def test_does_not_mutate(tiny: pd.DataFrame) -> None:
    before = tiny.copy()
    calibrate_threshold(tiny, target_count=2)
    pd.testing.assert_frame_equal(tiny, before)
