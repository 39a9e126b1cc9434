"""Envelopes and null models: reproducibility, n_jobs, CSR vs Thomas clusters, envelope maths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern import global_envelope, kd_test, m_test, rank_envelope

X0, Y0 = 500_000.0, 5_000_000.0
SIDE = 10_000.0
WINDOW = (X0, Y0, X0 + SIDE, Y0 + SIDE)


def sites(focal: str, seed: int = 0, n_focal: int = 60, n_other: int = 400) -> pd.DataFrame:
    """CSR sites plus a focal industry, either CSR or a Thomas process (sd 250 m)."""
    rng = np.random.default_rng(seed)
    if focal == "thomas":
        parents = rng.uniform(1500, SIDE - 1500, (4, 2))
        xy = parents[rng.integers(0, 4, n_focal)] + rng.normal(0, 250, (n_focal, 2))
    else:
        xy = rng.uniform(0, SIDE, (n_focal, 2))
    other = rng.uniform(0, SIDE, (n_other, 2))
    allxy = np.vstack([xy, other])
    return pd.DataFrame(
        {"x": X0 + allxy[:, 0], "y": Y0 + allxy[:, 1],
         "industry": ["F"] * n_focal + ["O"] * n_other,
         "weight": rng.integers(1, 20, n_focal + n_other)}
    )  # fmt: skip


def test_seeded_reproducibility_and_n_jobs() -> None:
    points = sites("thomas")
    first = kd_test(points, industry="F", window=WINDOW, simulations=8, rng=42, n_r=128)
    again = kd_test(points, industry="F", window=WINDOW, simulations=8, rng=42, n_r=128)
    threaded = kd_test(points, industry="F", window=WINDOW, simulations=8, rng=42, n_r=128,
                       n_jobs=2)  # fmt: skip
    np.testing.assert_array_equal(first.simulations, again.simulations)
    np.testing.assert_array_equal(first.simulations, threaded.simulations)
    calls: list[tuple[int, int]] = []
    m1 = m_test(points, industry="F", weight="weight", window=WINDOW, simulations=6, rng=5,
                progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    m2 = m_test(points, industry="F", weight="weight", window=WINDOW, simulations=6,
                rng=np.random.default_rng(5), n_jobs=2)  # fmt: skip
    np.testing.assert_array_equal(m1.simulations, m2.simulations)
    assert calls[-1] == (6, 6)


@pytest.mark.parametrize("envelope", ["global", "rank"])
def test_csr_not_localised_but_thomas_is(envelope: str) -> None:
    csr = kd_test(sites("csr", 1), industry="F", window=WINDOW, simulations=39, rng=2,
                  envelope=envelope, n_r=128)  # fmt: skip
    clustered = kd_test(sites("thomas", 1), industry="F", window=WINDOW, simulations=39,
                        rng=2, envelope=envelope, n_r=128)  # fmt: skip
    assert csr.pvalue > 0.05 and clustered.pvalue <= 0.05
    assert clustered.gamma > 0 and clustered.localised.min() < 1000
    if envelope == "global":  # the DO band: CSR stays inside, the clusters leave it
        assert len(csr.localised) == 0 and csr.gamma == 0
    m = m_test(sites("thomas", 1), industry="F", window=WINDOW, simulations=19, rng=2,
               envelope=envelope, r=np.linspace(200, 3000, 15))  # fmt: skip
    assert m.pvalue <= 0.05 and m.statistic[0] > m.upper[0]


def test_global_envelope_holds_the_share_of_curves() -> None:
    rng = np.random.default_rng(0)
    sims = rng.normal(size=(199, 30))
    low, high = global_envelope(sims, 0.05)
    inside = np.all((sims >= low) & (sims <= high), axis=1).mean()
    assert inside >= 0.95
    # The next order statistic gives a band that holds fewer than 95 % of the curves.
    ordered = np.sort(sims, axis=0)
    k = int(np.flatnonzero(np.all(ordered == low, axis=1))[0])
    narrower = np.all((sims >= ordered[k + 1]) & (sims <= ordered[-k - 2]), axis=1).mean()
    assert narrower < 0.95


def test_rank_envelope_pvalue() -> None:
    rng = np.random.default_rng(1)
    sims = rng.normal(size=(99, 20))
    low, high, p = rank_envelope(sims[0] + 10, sims, 0.05)
    assert p == pytest.approx(0.01)
    assert np.all(low <= high)
    _, _, p_null = rank_envelope(np.zeros(20), sims, 0.05)
    assert p_null > 0.5


def test_result_frame_and_plot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = kd_test(sites("thomas"), industry="F", weight="weight", window=WINDOW,
                     simulations=4, rng=1, envelope="pointwise", n_r=64)  # fmt: skip
    frame = result.to_frame()
    assert list(frame.columns) == ["r", "kd_weighted", "lower", "upper"]
    assert np.all(frame.lower <= frame.upper)
    path = result.plot(tmp_path / "env.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_bad_options() -> None:
    points = sites("csr")
    with pytest.raises(ParameterError, match="'null'"):
        kd_test(points, industry="F", null="random", simulations=2)
    with pytest.raises(ParameterError, match="'envelope'"):
        m_test(points, industry="F", envelope="gobal", simulations=2)
    with pytest.raises(ParameterError, match="n_jobs"):
        m_test(points, industry="F", simulations=2, n_jobs=0)
