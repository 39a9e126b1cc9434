"""Kd: hand-worked values, kernels (numba vs numpy), weights, errors, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.measures.pointpattern import kd, numba_available
from clusteratlas.measures.pointpattern._pairs import pair_histogram
from clusteratlas.measures.pointpattern.kd import (
    histogram_moments,
    histogram_quantile,
    silverman_bandwidth,
)

X0, Y0 = 500_000.0, 5_000_000.0  # UTM-like offsets: metres, not degrees


def three_points() -> pd.DataFrame:
    return pd.DataFrame(
        {"x": X0 + np.array([0.0, 300.0, 0.0]), "y": Y0 + np.array([0.0, 0.0, 400.0]),
         "industry": ["A", "A", "A"], "weight": [1.0, 2.0, 3.0]}
    )  # fmt: skip


def gauss(z: float, h: float) -> float:
    return float(np.exp(-0.5 * (z / h) ** 2) / (h * np.sqrt(2 * np.pi)))


def test_kd_by_hand_on_three_points() -> None:
    h = 150.0
    r = [0.0, 100.0, 300.0, 450.0]
    result = kd(three_points(), industry="A", bandwidth=h, r=r, weight="weight")
    distances, products = [300.0, 400.0, 500.0], [2.0, 3.0, 6.0]
    for k, rk in enumerate(r):
        # Kernel at each distance, plus the reflection at 0 of the distances <= 4 h = 600.
        terms = [gauss(rk - d, h) + gauss(rk + d, h) for d in distances]
        assert result.kd[k] == pytest.approx(sum(terms) / 3, rel=1e-4)
        weighted = sum(p * t for p, t in zip(products, terms, strict=True)) / sum(products)
        assert result.kd_weighted[k] == pytest.approx(weighted, rel=1e-4)
    assert result.n_pairs == 3 and result.bandwidth == h


def test_kd_default_grid_and_frame() -> None:
    window = (X0 - 1000, Y0 - 1000, X0 + 2000, Y0 + 3000)
    result = kd(three_points(), industry="A", bandwidth=100.0, window=window)
    assert len(result.r) == 512 and result.r[-1] == pytest.approx(5000 / 3)
    frame = result.to_frame()
    assert list(frame.columns) == ["r", "kd"]


def test_silverman_bandwidth_matches_bw_nrd0() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 1000, 150), rng.uniform(0, 1000, 150)
    hist = pair_histogram(x, y, None, cutoff=2000.0, nbins=1 << 16)
    i, j = np.triu_indices(150, 1)
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    for p in (0.25, 0.5, 0.75):
        assert histogram_quantile(hist, p) == pytest.approx(np.quantile(d, p), abs=0.02)
    iqr = np.subtract(*np.quantile(d, [0.75, 0.25]))
    expected = 0.9 * min(d.std(ddof=1), iqr / 1.34) * len(d) ** -0.2
    assert silverman_bandwidth(hist) == pytest.approx(expected, rel=1e-6)
    # Kd's own histogram has no sums of d and d**2: its bins give the sd.
    binned = pair_histogram(x, y, None, cutoff=2000.0, nbins=1 << 16, sums=False)
    assert np.isnan(binned.sum_d)
    assert silverman_bandwidth(binned) == pytest.approx(expected, rel=1e-6)


def test_binned_moments_match_the_exact_ones() -> None:
    # Clustered distances (two blobs 3 km apart): a skewed, bimodal histogram. The bin
    # centres' moments with Sheppard's correction against numpy's on the exact distances.
    rng = np.random.default_rng(21)
    centres = rng.integers(0, 2, 400)[:, None] * 3000.0
    xy = centres + rng.normal(0, 300, (400, 2))
    hist = pair_histogram(xy[:, 0], xy[:, 1], None, cutoff=9000.0, nbins=1 << 16, sums=False)
    i, j = np.triu_indices(400, 1)
    d = np.hypot(*(xy[i] - xy[j]).T)
    mean, sd = histogram_moments(hist)
    assert mean == pytest.approx(d.mean(), rel=1e-7)
    assert sd == pytest.approx(d.std(ddof=1), rel=1e-7)
    # Half a bin off (edges taken as centres) would be 0.07 m on ~2,000 m: caught.
    assert abs(mean - d.mean()) < hist.width / 100


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
def test_numba_and_numpy_histograms_agree() -> None:
    rng = np.random.default_rng(5)
    x, y, w = rng.uniform(0, 5000, 600), rng.uniform(0, 5000, 600), rng.integers(1, 9, 600)
    w = w.astype(float)
    fast = pair_histogram(x, y, w, cutoff=3000.0, nbins=4096, backend="numba")
    slow = pair_histogram(x, y, w, cutoff=3000.0, nbins=4096, backend="numpy")
    np.testing.assert_array_equal(fast.counts, slow.counts)
    np.testing.assert_array_equal(fast.weights, slow.weights)  # integer weights: exact sums
    assert fast.sum_d == pytest.approx(slow.sum_d, rel=1e-12)
    serial = pair_histogram(x, y, w, cutoff=3000.0, nbins=4096, parallel=False)
    np.testing.assert_array_equal(fast.counts, serial.counts)
    assert fast.sum_d2 == serial.sum_d2  # fixed chunks: bit-identical whatever the threads


def test_numpy_fallback_kd(monkeypatch: pytest.MonkeyPatch) -> None:
    reference = kd(three_points(), industry="A", bandwidth=120.0, r=[0, 200, 400])
    monkeypatch.setenv("CLUSTERATLAS_NO_NUMBA", "1")
    assert not numba_available()
    fallback = kd(three_points(), industry="A", bandwidth=120.0, r=[0, 200, 400])
    np.testing.assert_allclose(fallback.kd, reference.kd, rtol=1e-12)


def test_unit_weights_give_the_same_kd() -> None:
    rng = np.random.default_rng(1)
    points = pd.DataFrame(
        {"x": X0 + rng.uniform(0, 4000, 80), "y": Y0 + rng.uniform(0, 4000, 80),
         "industry": "A", "weight": 1}
    )  # fmt: skip
    result = kd(points, industry="A", weight="weight")
    np.testing.assert_allclose(result.kd_weighted, result.kd, rtol=1e-12)


def test_kd_integrates_to_the_share_of_pairs_in_range() -> None:
    rng = np.random.default_rng(2)
    points = pd.DataFrame(
        {"x": X0 + rng.uniform(0, 3000, 120), "y": Y0 + rng.uniform(0, 3000, 120), "industry": "A"}
    )
    result = kd(points, industry="A", rmax=3000 * np.sqrt(2) * 1.01, n_r=2048)
    assert np.trapezoid(result.kd, result.r) == pytest.approx(1.0, abs=0.01)


def test_median_rmax_and_does_not_mutate() -> None:
    points = three_points()
    before = points.copy()
    result = kd(points, industry="A", rmax="median", bandwidth=50.0)
    assert result.rmax == pytest.approx(400.0, abs=0.05)
    pd.testing.assert_frame_equal(points, before)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda p: p.assign(x=[7.7, 7.8, 7.75], y=[48.5, 48.6, 48.55]), ParameterError, "utm"),
        (lambda p: p.assign(industry=["A", "B", "B"]), ParameterError, "at least 2"),
        (lambda p: p.assign(weight=[1.0, -2.0, np.nan]), SchemaError, "row(s) 1, 2"),
        (lambda p: p.assign(industry="AA"), ParameterError, "Did you mean 'AA'"),
        (lambda p: p.drop(columns="y"), SchemaError, "'y'"),
    ],
)
def test_bad_input(change, error, message) -> None:  # type: ignore[no-untyped-def]
    points = change(three_points())
    with pytest.raises(error) as info:
        kd(points, industry="A", weight="weight")
    assert message in str(info.value)


def test_points_outside_the_window() -> None:
    with pytest.raises(SchemaError, match="1 point"):
        kd(three_points(), industry="A", window=(X0, Y0, X0 + 250, Y0 + 500))


def test_cli_kd(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import clusteratlas.cli.detect_commands  # noqa: F401  (registers `detect`)
    from clusteratlas.cli import app

    rng = np.random.default_rng(0)
    n = 60
    points = pd.DataFrame(
        {"x": X0 + rng.uniform(0, 5000, n), "y": Y0 + rng.uniform(0, 5000, n),
         "industry": np.where(np.arange(n) < 25, "01", "02"), "weight": rng.integers(1, 5, n)}
    )  # fmt: skip
    points.to_csv(tmp_path / "p.csv", index=False)
    window = f"{X0},{Y0},{X0 + 5000},{Y0 + 5000}"
    args = ["detect", "kd", "--points", str(tmp_path / "p.csv"), "--industry", "01",
            "--window", window, "--weight-column", "weight", "--simulations", "9",
            "--seed", "3", "--r", "0,100,200", "--plot", str(tmp_path / "kd.png"),
            "--output", str(tmp_path / "kd.csv")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "kd.csv")
    assert list(out.columns) == ["r", "kd", "kd_weighted", "lower", "upper"]
    assert out.r.tolist() == [0, 100, 200]
    assert (tmp_path / "kd.png").read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(app, [*args[:4], "--industry", "03", *args[6:]])
    assert bad.exit_code != 0 and "Unknown industry" in str(bad.exception)


@pytest.mark.parametrize("dtype", ["str", "string", object, "int64"])
def test_industry_codes_compare_as_strings_in_any_column_type(dtype) -> None:  # type: ignore[no-untyped-def]
    # String columns are compared as they are (no conversion of every code); a missing code
    # is nobody's industry; a numeric column's 1 is industry "1", as before.
    from clusteratlas.measures.pointpattern._pairs import _is_industry

    codes = [1, 2, 1, 3] if dtype == "int64" else ["1", None, "1", "3"]
    column = pd.Series(codes, dtype=dtype)
    assert _is_industry(column, "1").tolist() == [True, False, True, False]
    assert _is_industry(column, "2").tolist() == ([False, True, False, False]
                                                   if dtype == "int64" else [False] * 4)  # fmt: skip
    assert _is_industry(column, "nan").tolist() == [False] * 4
