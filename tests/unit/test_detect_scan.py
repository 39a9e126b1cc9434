"""Every industry of a register in one run (`detect.scan`): ranking, seeding and resuming.

A 10 km × 10 km square of 400 sites: industry A has 30 plants packed in a 500 m corner
square (localised by construction), B has 60 plants spread over the whole square (as the
sites are), C has 5 plants (below ``min_plants`` and left out). Each industry's curve must
be the one :func:`kd_test` gives for it with the seed's child of the same rank, so a
resumed run gives the same numbers as an uninterrupted one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.detect.scan import SUMMARY_COLUMNS, remove_checkpoint, scan_industries
from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern import kd_test, m_test

WINDOW = (0.0, 0.0, 10_000.0, 10_000.0)
SIMULATIONS = 19


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    parts = [
        ("A", rng.uniform(100, 600, size=(30, 2))),
        ("B", rng.uniform(0, 10_000, size=(60, 2))),
        ("C", rng.uniform(0, 10_000, size=(5, 2))),
        ("Z", rng.uniform(0, 10_000, size=(305, 2))),  # every other site
    ]
    frames = [pd.DataFrame({"industry": code, "x": xy[:, 0], "y": xy[:, 1]}) for code, xy in parts]
    return pd.concat(frames, ignore_index=True)


def _scan(register: pd.DataFrame, **options) -> object:
    return scan_industries(
        register, min_plants=10, simulations=SIMULATIONS, window=WINDOW, seed=11, **options
    )


def test_ranks_the_localised_industry_first(register: pd.DataFrame) -> None:
    result = _scan(register)
    summary = result.summary
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["industry"].tolist()[0] == "A" and summary["rank"].tolist() == [1, 2, 3]
    assert set(summary["industry"]) == {"A", "B", "Z"}
    assert result.skipped.to_dict("records") == [{"industry": "C", "plants": 5}]
    a = summary.iloc[0]
    assert a["plants"] == 30 and a["localised"] and a["gamma"] > 0
    # The observed curve is the most extreme of 20: the smallest p-value of the rank test.
    assert a["pvalue"] == pytest.approx(1 / (SIMULATIONS + 1))
    # 30 plants in a 500 m square: every pair lies within 710 m, so the localised distances
    # start near 0 and stop before 1 km.
    assert a["localised_from"] < 200 and a["localised_to"] < 1_000
    assert set(result.curves.columns) == {"industry", "r", "kd", "lower", "upper"}
    assert result.curves.groupby("industry").size().to_dict() == {"A": 512, "B": 512, "Z": 512}


def test_each_industry_draws_from_its_own_child_of_the_seed(register: pd.DataFrame) -> None:
    result = _scan(register)
    children = np.random.SeedSequence(11).spawn(3)  # industries in sorted order: A, B, Z
    for code, child in zip(["A", "B", "Z"], children, strict=True):
        direct = kd_test(
            register, industry=code, window=WINDOW, simulations=SIMULATIONS,
            rng=np.random.default_rng(child),
        )  # fmt: skip
        curve = result.curves[result.curves["industry"] == code]
        np.testing.assert_array_equal(curve["kd"].to_numpy(), direct.statistic)
        np.testing.assert_array_equal(curve["upper"].to_numpy(), direct.upper)
        row = result.summary.set_index("industry").loc[code]
        assert row["gamma"] == direct.gamma and row["psi"] == direct.psi
        assert row["pvalue"] == direct.pvalue and row["n_inside"] == direct.n_inside


def test_m_is_measured_too(register: pd.DataFrame) -> None:
    result = _scan(register, measure="m")
    assert result.function == "m" and result.summary["industry"].iloc[0] == "A"
    child = np.random.SeedSequence(11).spawn(3)[0]
    direct = m_test(
        register, industry="A", window=WINDOW, simulations=SIMULATIONS,
        rng=np.random.default_rng(child),
    )  # fmt: skip
    curve = result.curves[result.curves["industry"] == "A"]
    np.testing.assert_array_equal(curve["m"].to_numpy(), direct.statistic)


def test_an_interrupted_run_resumes_with_the_same_numbers(
    register: pd.DataFrame, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.partial"

    def stop_after_first(done: int, total: int, industry: str) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _scan(register, checkpoint=checkpoint, progress=stop_after_first)
    assert sorted(p.name for p in checkpoint.iterdir()) == [
        "curve-00000.parquet", "run.json", "summary-00000.json",
    ]  # fmt: skip
    resumed = _scan(register, checkpoint=checkpoint)
    whole = _scan(register)
    assert resumed.resumed == 1 and whole.resumed == 0
    pd.testing.assert_frame_equal(resumed.summary, whole.summary)
    pd.testing.assert_frame_equal(resumed.curves, whole.curves)
    remove_checkpoint(checkpoint)
    assert not checkpoint.exists()


def test_a_checkpoint_is_not_resumed_with_other_options_or_data(
    register: pd.DataFrame, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.partial"
    _scan(register, checkpoint=checkpoint)
    with pytest.raises(ParameterError, match="other simulations"):
        scan_industries(
            register, min_plants=10, simulations=9, window=WINDOW, seed=11, checkpoint=checkpoint
        )
    with pytest.raises(ParameterError, match="seed 11, not 12"):
        scan_industries(
            register, min_plants=10, simulations=SIMULATIONS, window=WINDOW, seed=12,
            checkpoint=checkpoint,
        )  # fmt: skip
    moved = register.assign(x=register["x"] * 0.5)
    with pytest.raises(ParameterError, match="other points"):
        _scan(moved, checkpoint=checkpoint)
    # Without a seed, the checkpoint's seed is taken.
    again = scan_industries(
        register, min_plants=10, simulations=SIMULATIONS, window=WINDOW, checkpoint=checkpoint
    )
    assert again.seed == 11 and again.resumed == 3


def test_bad_options_are_refused(register: pd.DataFrame) -> None:
    # The largest industry (Z, the other sites) has 305 plants.
    with pytest.raises(
        ParameterError, match=r"No industry has 400 establishments.*largest has 305"
    ):
        scan_industries(register, min_plants=400, simulations=9, window=WINDOW)
    with pytest.raises(ParameterError, match="measure"):
        scan_industries(register, measure="ripley", simulations=9, window=WINDOW)
