"""The meta-cluster integer programme on hand-solvable instances."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from clusteratlas.valuechains import (
    ScoreWeights,
    build_metacluster,
    compare_with,
    stage_scores,
    validate_chain,
)
from clusteratlas.valuechains.metacluster import CoverageError

A, B, C = "AT11", "DE11", "DE12"
LQ_ONLY = ScoreWeights(lq=1.0, size=0.0, rating=0.0)


def _chain(n: int = 3):
    divisions = ["C26", "C27", "C28", "C29"]
    return validate_chain(
        {
            "name": "hand",
            "version": "1",
            "title": "Hand",
            "sources": [{"title": "me"}],
            "stages": [
                {
                    "name": f"s{i + 1}",
                    "title": f"S{i + 1}",
                    "status": "UNCONFIRMED",
                    "nace": [divisions[i]],
                }
                for i in range(n)
            ],
        }
    )


def _strength(extra_stage: bool = False) -> pd.DataFrame:
    # score = ln LQ / max ln LQ in the stage:
    #   s1: A 4 -> 1, B 2 -> .5, C .5 ineligible
    #   s2: A .5 ineligible, B 4 -> 1, C 2 -> .5
    #   s3: only C (4) -> 1
    lqs = {
        "s1": {A: 4.0, B: 2.0, C: 0.5},
        "s2": {A: 0.5, B: 4.0, C: 2.0},
        "s3": {A: 0.9, B: 0.8, C: 4.0},
    }
    if extra_stage:
        lqs["s4"] = {A: 0.9, B: 0.5, C: 0.1}
    rows = [
        {
            "region": r,
            "region_name": r,
            "stage": s,
            "stage_order": int(s[1]),
            "lq": lq,
            "employment": 100.0,
            "categories": "",
            "resolution": "exact",
        }
        for s, by_region in lqs.items()
        for r, lq in by_region.items()
    ]
    return pd.DataFrame(rows)


def test_scores_by_hand() -> None:
    scores = stage_scores(_strength(), weights=LQ_ONLY).set_index(["region", "stage"])["score"]
    assert scores[(A, "s1")] == pytest.approx(1.0)
    assert scores[(B, "s1")] == pytest.approx(0.5)
    assert (C, "s1") not in scores.index
    assert scores[(C, "s3")] == pytest.approx(1.0)


def test_hand_solvable_optimum() -> None:
    # size 2: s3 forces C; {B, C} = .5 + 1 + .5 + 1 = 3.0 beats {A, C} = 1 + .5 + 1 = 2.5.
    result = build_metacluster(_chain(), _strength(), size=2, weights=LQ_ONLY)
    assert set(result.selected) == {B, C}
    assert result.objective == pytest.approx(3.0)
    assert "Optimal" in result.status
    served = set(zip(result.frame["region"], result.frame["stage"], strict=True))
    assert served == {(B, "s1"), (B, "s2"), (C, "s2"), (C, "s3")}
    assert result.frame["score"].sum() == pytest.approx(result.objective)
    assert list(result.table().columns) == ["region", "stage", "score", "reason"]
    reason = result.frame.set_index(["region", "stage"]).loc[(C, "s3"), "reason"]
    assert reason.startswith("S3: LQ 4.00, 100 employees") and "strongest of 1" in reason
    # With three regions allowed, all of them are worth taking.
    everything = build_metacluster(_chain(), _strength(), size=3, weights=LQ_ONLY)
    assert everything.objective == pytest.approx(4.0)


def test_seed_region_is_forced() -> None:
    result = build_metacluster(_chain(), _strength(), size=2, seed_region=A, weights=LQ_ONLY)
    assert set(result.selected) == {A, C}
    assert result.objective == pytest.approx(2.5)
    with pytest.raises(ValueError, match="seed_region"):
        build_metacluster(_chain(), _strength(), seed_region="XX99")


def test_country_cap() -> None:
    # B and C are both German: at most one, so {A, C}.
    result = build_metacluster(_chain(), _strength(), size=2, max_per_country=1, weights=LQ_ONLY)
    assert set(result.selected) == {A, C}
    assert result.objective == pytest.approx(2.5)


def test_stage_without_eligible_region_is_named() -> None:
    with pytest.raises(CoverageError, match=r"stage\(s\) s4"):
        build_metacluster(_chain(4), _strength(extra_stage=True), size=3)


def test_size_too_small_names_uncovered_stage() -> None:
    # One region covers at most two of the three stages.
    with pytest.raises(CoverageError, match=r"left uncovered at best: s[13]"):
        build_metacluster(_chain(), _strength(), size=1, weights=LQ_ONLY)
    # With C seeded and one region allowed, s1 cannot be covered.
    with pytest.raises(CoverageError, match="s1"):
        build_metacluster(_chain(), _strength(), size=1, seed_region=C)


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="size"):
        build_metacluster(_chain(), _strength(), size=0)
    with pytest.raises(ValueError, match="max_per_country"):
        build_metacluster(_chain(), _strength(), max_per_country=0)
    with pytest.raises(ValueError, match="weight"):
        ScoreWeights(lq=-1)


def test_compare_with() -> None:
    overlap = compare_with(["DED2", "FR71", "NL41"], ["DED2", "NL41", "BE24", "AT21", ""])
    assert overlap.common == ("DED2", "NL41") and overlap.n_common == 2
    assert overlap.only_selected == ("FR71",)
    assert overlap.jaccard == pytest.approx(2 / 5)
    countries = compare_with(["DED2", "DE11"], ["DED4", "FR71"], key=lambda code: code[:2])
    assert countries.common == ("DE",) and math.isclose(countries.jaccard, 0.5)
    assert compare_with([], []).jaccard == 0.0
