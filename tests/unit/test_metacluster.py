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


def _one_region_per_row(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    """(region, stage, lq, employment, stars) rows as a stage-strength frame."""
    return pd.DataFrame(
        [
            {
                "region": r,
                "region_name": r,
                "stage": s,
                "stage_order": int(s[1]),
                "lq": lq,
                "employment": emp,
                "stars": stars,
                "categories": "",
                "resolution": "exact",
            }
            for r, s, lq, emp, stars in rows
        ]
    )


def test_size_term_is_a_square_root_and_decides_the_pick() -> None:
    # Every LQ is exactly 1 (the LQ term is 0) and no stars: scores are size terms only.
    #   s1: A 100 -> 1, B 25 -> sqrt(.25) = .5, C 9 -> sqrt(.09) = .3
    #   s2: A 100 -> 1, C 9 -> .3
    # size 2: A (2.0) plus the better of B (.5) and C (.3 + .3 = .6): {A, C}, 2.6.
    # A linear size term would give B .25 against C .18: {A, B}.
    rows = [
        ("A", "s1", 1.0, 100.0, 0.0),
        ("B", "s1", 1.0, 25.0, 0.0),
        ("C", "s1", 1.0, 9.0, 0.0),
        ("A", "s2", 1.0, 100.0, 0.0),
        ("C", "s2", 1.0, 9.0, 0.0),
    ]
    strength = _one_region_per_row(rows)
    scores = stage_scores(strength).set_index(["region", "stage"])["score"]
    assert scores[("B", "s1")] == pytest.approx(0.5)
    assert scores[("C", "s2")] == pytest.approx(0.3)
    result = build_metacluster(_chain(2), strength, size=2)
    assert set(result.selected) == {"A", "C"}
    assert result.objective == pytest.approx(2.6)


@pytest.mark.parametrize(
    ("rows", "expected", "objective"),
    [
        # B: sqrt(.64) = .8, no stars; C: sqrt(.36) + .5 * 1/3 = .7667 -> B wins.
        # With stars / 2 C would score .85 and win.
        ([("B", 1.0, 64.0, 0.0), ("C", 1.0, 36.0, 1.0)], "B", 1.0 + 0.8),
        # D: sqrt(.49) = .7, no stars; E: sqrt(.16) + .5 * 2/3 = .7333 -> E wins.
        # With stars / 4 E would score .65 and lose.
        ([("D", 1.0, 49.0, 0.0), ("E", 1.0, 16.0, 2.0)], "E", 1.0 + 0.4 + 1 / 3),
    ],
    ids=["smaller-divisor-would-swap", "larger-divisor-would-swap"],
)
def test_rating_term_divides_stars_by_three(
    rows: list[tuple[str, float, float, float]], expected: str, objective: float
) -> None:
    # A holds the largest employment (score 1) and is always taken; one more slot is left.
    strength = _one_region_per_row(
        [("A", "s1", 1.0, 100.0, 0.0)] + [(r, "s1", lq, emp, st) for r, lq, emp, st in rows]
    )
    result = build_metacluster(_chain(1), strength, size=2)
    assert set(result.selected) == {"A", expected}
    assert result.objective == pytest.approx(objective)


def test_lq_size_and_rating_terms_add_up_by_hand() -> None:
    # s1: A LQ 4, emp 100, 3 stars; B LQ 2, emp 25, 1 star.
    # A: ln4/ln4 + sqrt(1) + .5 * 3/3 = 2.5; B: ln2/ln4 + sqrt(.25) + .5 * 1/3 = 1 + 1/6.
    strength = _one_region_per_row([("A", "s1", 4.0, 100.0, 3.0), ("B", "s1", 2.0, 25.0, 1.0)])
    scores = stage_scores(strength).set_index("region")["score"]
    assert scores["A"] == pytest.approx(2.5)
    assert scores["B"] == pytest.approx(0.5 + 0.5 + 1 / 6)


def test_selected_regions_come_strongest_first() -> None:
    # Seeded with A at size 2 the pick is {A, C}: A serves s1 (score 1), C serves s2 (0.5)
    # and s3 (1), so C's total 1.5 puts it before A (1.0), not the alphabetical order.
    result = build_metacluster(_chain(), _strength(), size=2, seed_region=A, weights=LQ_ONLY)
    assert result.selected == (C, A)
    assert list(dict.fromkeys(result.frame["region"])) == [C, A]
    table = result.table()  # one row per region, in the order of `selected`
    assert table["region"].tolist() == [C, A]
    assert table["stage"].tolist() == ["s2; s3", "s1"]
    assert table["score"].tolist() == pytest.approx([1.5, 1.0])
    c_reasons = table["reason"].iloc[0].split(" | ")
    assert [r.split(":")[0] for r in c_reasons] == ["S2", "S3"]


def test_country_cap_uses_the_first_two_characters_of_a_code() -> None:
    # B' = DEA1 and C' = DEB2 are both German (DE); B' gets LQ 3 in s1 (score ln 3 / ln 4).
    b, c = "DEA1", "DEB2"
    strength = _strength().replace({"region": {B: b, C: c}, "region_name": {B: b, C: c}})
    strength.loc[(strength["stage"] == "s1") & (strength["region"] == b), "lq"] = 3.0
    free = build_metacluster(_chain(), strength, size=2, weights=LQ_ONLY)
    # Every stage a chosen region is eligible in counts: {B', C'} scores ln3/ln4 (B' s1)
    # + 1 (B' s2) + 0.5 (C' s2) + 1 (C' s3) = 3.29, more than {A, C'}: 1 + 0.5 + 1 = 2.5.
    assert set(free.selected) == {b, c}
    assert free.objective == pytest.approx(math.log(3) / math.log(4) + 2.5)
    capped = build_metacluster(_chain(), strength, size=2, max_per_country=1, weights=LQ_ONLY)
    assert set(capped.selected) == {A, c}


def test_min_lq_decides_eligibility_and_the_error_names_it() -> None:
    strict = build_metacluster(_chain(), _strength(), size=3, min_lq=3.0, weights=LQ_ONLY)
    assert set(strict.frame["region"] + ":" + strict.frame["stage"]) == {
        f"{A}:s1", f"{B}:s2", f"{C}:s3",
    }  # fmt: skip
    with pytest.raises(CoverageError) as info:
        build_metacluster(_chain(), _strength(), size=3, min_lq=4.5)
    assert str(info.value) == (
        "Value chain 'hand': no region has LQ ≥ 4.5 and employment in stage(s) s1, s2, s3; "
        "they cannot be covered."
    )


def test_an_impossible_selection_says_which_limits_made_it_so() -> None:
    with pytest.raises(CoverageError) as info:
        build_metacluster(
            _chain(), _strength(), size=1, seed_region=C, max_per_country=1, weights=LQ_ONLY
        )
    assert str(info.value).startswith(
        "Value chain 'hand': no selection of at most 1 region(s) with at most 1 per country "
        f"including {C} covers every stage; left uncovered at best: s1. "
        "Raise 'size' or 'max_per_country'. (Solver: "
    )


def test_parameter_messages_and_the_default_size() -> None:
    for bad in (0, True, 2.5):
        with pytest.raises(ValueError) as info:
            build_metacluster(_chain(), _strength(), size=bad)  # type: ignore[arg-type]
        assert str(info.value) == f"The 'size' parameter must be an int ≥ 1. Got {bad!r} instead."
    with pytest.raises(ValueError) as info:
        build_metacluster(_chain(), _strength(), max_per_country=0)
    assert str(info.value) == ("The 'max_per_country' parameter must be an int ≥ 1. Got 0 instead.")
    assert build_metacluster(_chain(), _strength(), weights=LQ_ONLY).size == 12


def test_stage_scores_rank_ties_and_ratings_by_hand() -> None:
    # One stage, rating only (lq and size weights 0): stars / 3, missing stars count 0.
    strength = pd.DataFrame(
        {"region": ["R1", "R2", "R3", "R4"], "stage": "s1", "lq": [2.0, 3.0, 4.0, 1.5],
         "employment": [10.0, 10.0, 10.0, 10.0], "stars": [3, 3, float("nan"), 1]}
    )  # fmt: skip
    scores = stage_scores(strength, weights=ScoreWeights(lq=0, size=0, rating=1))
    assert scores["score"].tolist() == pytest.approx([1.0, 1.0, 0.0, 1 / 3])
    assert scores["rank"].tolist() == [1, 1, 4, 3]  # ties share the best rank ("min")
    assert scores["n_eligible"].tolist() == [4] * 4
    assert str(scores["rank"].dtype) == "int64" and list(scores.index) == [0, 1, 2, 3]
    # Without stars the US flag 'strong' rates 0 or 1 (missing: not strong).
    us = strength.drop(columns="stars").assign(strong=[True, None, False, True])
    rated = stage_scores(us, weights=ScoreWeights(lq=0, size=0, rating=1))
    assert rated["score"].tolist() == [1.0, 0.0, 0.0, 1.0]
    bare = stage_scores(strength.drop(columns="stars"), weights=ScoreWeights(lq=0, size=0))
    assert bare["score"].tolist() == [0.0] * 4
    # Every LQ equal to 1: ln 1 / ln 1 is no specialisation, scored 0 (not NaN).
    flat = stage_scores(strength.assign(lq=1.0).drop(columns="stars"), weights=LQ_ONLY)
    assert flat["score"].tolist() == [0.0] * 4
    # The most specialised region sets the scale even when its LQ is below e (ln LQ < 1).
    two = stage_scores(strength.assign(lq=[2.0, 1.5, 1.0, 2.0]).drop(columns="stars"),
                       weights=LQ_ONLY)  # fmt: skip
    assert two["score"].tolist() == pytest.approx([1.0, math.log(1.5) / math.log(2), 0.0, 1.0])
    # employment must exceed min_employment (0 by default): a region with none is not eligible
    empty = strength.assign(employment=[10.0, 0.0, 10.0, 10.0])
    assert stage_scores(empty)["region"].tolist() == ["R1", "R3", "R4"]
    assert ScoreWeights(lq=0, size=0, rating=0).lq == 0  # zero weights are allowed
