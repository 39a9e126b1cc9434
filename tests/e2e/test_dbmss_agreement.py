"""Agreement with the R package dbmss (reference values computed with dbmss 2.11.0)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.measures.pointpattern import kd, m_function

pytestmark = pytest.mark.e2e

REFERENCE = Path(os.environ.get("CLUSTERATLAS_DATA", ".")) / "reference/dbmss"
WINDOW = (0.0, 0.0, 10_000.0, 10_000.0)


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    if not (REFERENCE / "points.csv").is_file():
        pytest.skip(f"no dbmss reference values under {REFERENCE}")
    return pd.read_csv(REFERENCE / "points.csv", dtype={"industry": str})


@pytest.mark.parametrize("industry", ["A", "B"])
def test_kd_matches_dbmss(points: pd.DataFrame, industry: str) -> None:
    reference = pd.read_csv(REFERENCE / f"kd_{industry}.csv")
    result = kd(points, industry=industry, weight="weight", window=WINDOW)
    np.testing.assert_allclose(result.r, reference["r"], rtol=1e-12, atol=1e-9)
    for ours, theirs in (
        (result.kd, reference["Kd"]),
        (result.kd_weighted, reference["Kd_weighted"]),
    ):
        assert np.max(np.abs(ours - theirs)) / theirs.max() < 5e-3
    # dbmss's bandwidth is R's bw.nrd0 on the pair distances <= 2 rmax: computed here exactly.
    firms = points.loc[points["industry"] == industry, ["x", "y"]].to_numpy()
    i, j = np.triu_indices(len(firms), 1)
    d = np.hypot(*(firms[i] - firms[j]).T)
    d = d[d <= 2 * result.rmax]
    iqr = np.subtract(*np.quantile(d, [0.75, 0.25]))
    expected = 0.9 * min(d.std(ddof=1), iqr / 1.34) * len(d) ** -0.2
    assert result.bandwidth == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("industry", ["A", "B"])
def test_m_matches_dbmss(points: pd.DataFrame, industry: str) -> None:
    reference = pd.read_csv(REFERENCE / f"m_{industry}.csv")
    result = m_function(points, industry=industry, weight="weight", window=WINDOW)
    np.testing.assert_allclose(result.r, reference["r"], rtol=1e-12)
    assert np.isnan(result.m[0]) and reference["M"].isna().iloc[0]
    np.testing.assert_allclose(result.m[1:], reference["M"].iloc[1:], rtol=0, atol=1e-9)
