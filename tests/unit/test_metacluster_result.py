"""What a meta-cluster result carries besides the selection, and the programme's edge cases.

Hand-solved instances; written for the survivors of a mutation run (issue 16).
"""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from clusteratlas.errors import MissingDependencyError, SchemaError
from clusteratlas.valuechains import ScoreWeights, build_metacluster, stage_scores, validate_chain
from clusteratlas.valuechains.metacluster import CoverageError, _ordinal

LQ_ONLY = ScoreWeights(lq=1.0, size=0.0, rating=0.0)


def _chain(n: int, *, status: str = "UNCONFIRMED"):
    divisions = ["C26", "C27", "C28", "C29"]
    return validate_chain(
        {
            "name": "hand",
            "version": "1",
            "title": "Hand",
            "sources": [{"title": "me"}],
            "stages": [
                {"name": f"s{i + 1}", "title": f"S{i + 1}", "status": status,
                 "nace": [divisions[i]]}
                for i in range(n)
            ],
        }
    )  # fmt: skip


def _strength(rows: list[tuple[str, str, float, float]], **extra: list[object]) -> pd.DataFrame:
    """(region, stage, lq, employment) rows as a stage-strength frame."""
    frame = pd.DataFrame(
        [
            {"region": r, "region_name": r, "stage": s, "stage_order": int(s[1]), "lq": lq,
             "employment": emp, "categories": "", "resolution": "exact"}
            for r, s, lq, emp in rows
        ]
    )  # fmt: skip
    return frame.assign(**extra)


# Three regions, three stages; LQ_ONLY scores (ln LQ / max ln LQ in the stage):
#   s1: B (LQ 4) 1;  s2: B (LQ 4) 1;  s3: C (LQ 4) 1.  A is eligible nowhere (LQ 0.5).
THREE = [
    ("AT11", "s1", 0.5, 10.0), ("AT11", "s2", 0.5, 10.0), ("AT11", "s3", 0.5, 10.0),
    ("DE11", "s1", 4.0, 10.0), ("DE11", "s2", 4.0, 10.0), ("DE11", "s3", 0.5, 10.0),
    ("DE12", "s1", 0.5, 10.0), ("DE12", "s2", 0.5, 10.0), ("DE12", "s3", 4.0, 10.0),
]  # fmt: skip


def test_result_carries_chain_scores_strength_and_unconfirmed_note() -> None:
    strength = _strength(THREE)
    result = build_metacluster(_chain(3), strength, size=2, weights=LQ_ONLY)
    assert result.selected == ("DE11", "DE12")  # B: 1 + 1, C: 1
    assert result.chain == "hand"
    assert result.strength is strength
    assert result.notes == ["Stages with UNCONFIRMED industry codes: s1, s2, s3"]
    # The scores are those of stage_scores, renumbered 0..n-1 with no stray index column.
    assert list(result.scores.columns) == [*strength.columns, "score", "rank", "n_eligible"]
    assert list(result.scores.index) == [0, 1, 2]
    assert result.scores["region"].tolist() == ["DE11", "DE11", "DE12"]
    assert str(result.scores["n_eligible"].dtype) == "int64"
    # The frame: one row per (region, stage) served, renumbered, no index column.
    assert list(result.frame.index) == [0, 1, 2]
    assert "index" not in result.frame.columns


def test_confirmed_chain_has_no_notes() -> None:
    result = build_metacluster(
        _chain(3, status="CONFIRMED"), _strength(THREE), size=2, weights=LQ_ONLY
    )
    assert result.notes == []


def test_a_forced_seed_serving_no_stage_is_noted_and_listed_last() -> None:
    # A is forced in but eligible nowhere: it has no score total, so it comes after B (total
    # 0.5 + 0.5 with lq weight 0.5) and C (0.5), whatever the alphabet says.
    weights = ScoreWeights(lq=0.5, size=0.0, rating=0.0)
    for seed in ("AT11", ["AT11"], ("AT11",)):
        result = build_metacluster(
            _chain(3, status="CONFIRMED"), _strength(THREE), size=3, seed_region=seed,
            weights=weights,
        )  # fmt: skip
        assert result.selected == ("DE11", "DE12", "AT11")
        assert result.notes == ["Chosen but serving no stage (forced seed): AT11"]
        assert set(result.frame["region"]) == {"DE11", "DE12"}


def test_several_idle_seeds_are_listed_in_one_note() -> None:
    # AT11 and AT12 are forced in and eligible nowhere: one note names both, comma-separated.
    rows = [*THREE, ("AT12", "s1", 0.5, 10.0), ("AT12", "s2", 0.5, 10.0), ("AT12", "s3", 0.5, 10.0)]
    result = build_metacluster(
        _chain(3, status="CONFIRMED"), _strength(rows), size=4, seed_region=["AT12", "AT11"],
        weights=LQ_ONLY,
    )  # fmt: skip
    assert result.selected == ("DE11", "DE12", "AT11", "AT12")
    assert result.notes == ["Chosen but serving no stage (forced seed): AT11, AT12"]


def test_frame_lists_each_regions_stages_in_chain_order() -> None:
    # The strength table lists s2 before s1; the frame must follow the chain (s1, s2).
    rows = [r for r in THREE if r[1] == "s2"] + [r for r in THREE if r[1] != "s2"]
    result = build_metacluster(_chain(3), _strength(rows), size=2, weights=LQ_ONLY)
    assert result.frame["stage"].tolist() == ["s1", "s2", "s3"]
    assert result.frame["region"].tolist() == ["DE11", "DE11", "DE12"]


def test_frame_keeps_the_stars_or_strong_column() -> None:
    stars = build_metacluster(
        _chain(3), _strength(THREE, stars=[0, 0, 0, 2, 1, 0, 0, 0, 3]), size=2
    )
    assert stars.frame["stars"].tolist() == [2, 1, 3]
    strong = build_metacluster(
        _chain(3), _strength(THREE, strong=[False] * 3 + [True, False, False] + [False] * 3),
        size=2,
    )  # fmt: skip
    assert strong.frame["strong"].tolist() == [True, False, False]


def test_min_employment_excludes_small_regions_and_zero_is_the_default() -> None:
    # s1: B (LQ 4, 100 employees) and D (LQ 2, 0.5 employees). By default any employment
    # above 0 is eligible: D scores ln 2 / ln 4 = 0.5 in s1.
    rows = [("DE11", "s1", 4.0, 100.0), ("DE21", "s1", 2.0, 0.5)]
    scores = stage_scores(_strength(rows), weights=LQ_ONLY)
    assert scores["region"].tolist() == ["DE11", "DE21"]
    assert scores["score"].tolist() == pytest.approx([1.0, 0.5])
    both = build_metacluster(_chain(1), _strength(rows), size=2, weights=LQ_ONLY)
    assert both.selected == ("DE11", "DE21")
    big = build_metacluster(_chain(1), _strength(rows), size=2, weights=LQ_ONLY, min_employment=1.0)
    assert big.selected == ("DE11",)


def test_lq_term_is_zero_when_the_best_lq_is_one_even_below_one() -> None:
    # min_lq 0.5 admits LQ 0.5; the best LQ of the stage is 1 (ln 1 = 0), so the LQ term
    # is 0 for everyone (not -inf); employment 100 and 25 give size terms 1 and 0.5.
    rows = [("DE11", "s1", 1.0, 100.0), ("DE21", "s1", 0.5, 25.0)]
    scores = stage_scores(_strength(rows), min_lq=0.5)
    assert scores["score"].tolist() == pytest.approx([1.0, 0.5])


def test_an_object_lq_column_scores_like_a_float_one() -> None:
    # LQs read as Python objects (e.g. from JSON): ln 4 / ln 4 = 1 and ln 2 / ln 4 = 0.5.
    rows = [("DE11", "s1", 4.0, 100.0), ("DE21", "s1", 2.0, 100.0)]
    strength = _strength(rows).astype({"lq": object})
    scores = stage_scores(strength, weights=LQ_ONLY)
    assert scores["score"].tolist() == pytest.approx([1.0, 0.5])


def test_three_way_tie_shares_the_best_rank() -> None:
    rows = [("R1", "s1", 2.0, 10.0), ("R2", "s1", 2.0, 10.0), ("R3", "s1", 2.0, 10.0)]
    scores = stage_scores(_strength(rows))
    assert scores["rank"].tolist() == [1, 1, 1]  # "min": not the average rank 2


def test_missing_column_message_names_the_strength_table() -> None:
    strength = _strength(THREE).drop(columns="lq")
    expected = (
        "strength is missing column(s) 'lq'; it has 'region', 'region_name', 'stage', "
        "'stage_order', 'employment', 'categories', 'resolution'."
    )
    for call in (lambda: stage_scores(strength), lambda: build_metacluster(_chain(3), strength)):
        with pytest.raises(SchemaError) as info:
            call()
        assert str(info.value) == expected


def test_optimum_is_integral_not_the_lp_relaxation() -> None:
    # Stages s1..s3; R1, R2, R3 each serve one stage with score 1; R4 serves all three with
    # score 0 (LQ 1). Size 2 forces R4 plus one other: objective 1. The LP relaxation would
    # take every x = 1/2 for an objective of 1.5.
    rows = [("R1", "s1", 8.0, 10.0), ("R2", "s2", 8.0, 10.0), ("R3", "s3", 8.0, 10.0)]
    rows += [("R4", s, 1.0, 10.0) for s in ("s1", "s2", "s3")]
    result = build_metacluster(_chain(3), _strength(rows), size=2, weights=LQ_ONLY)
    assert result.objective == pytest.approx(1.0)
    assert len(result.selected) == 2 and result.selected[1] == "R4"


def test_more_seeds_than_size_names_every_stage_in_the_error() -> None:
    with pytest.raises(CoverageError) as info:
        build_metacluster(
            _chain(3), _strength(THREE), size=1, seed_region=["DE11", "DE12"], weights=LQ_ONLY
        )
    assert str(info.value).startswith(
        "Value chain 'hand': no selection of at most 1 region(s) including DE11, DE12 covers "
        "every stage; left uncovered at best: s1, s2, s3. Raise 'size' or 'max_per_country'. "
        "(Solver: "
    )


def test_coverage_error_without_cap_or_seed_names_only_the_size() -> None:
    # B and C are both needed: size 1 leaves s3 (or s1 and s2) uncovered; the best
    # relaxation covers s1 and s2 with B.
    with pytest.raises(CoverageError) as info:
        build_metacluster(_chain(3), _strength(THREE), size=1, weights=LQ_ONLY)
    assert str(info.value).startswith(
        "Value chain 'hand': no selection of at most 1 region(s) covers every stage; "
        "left uncovered at best: s3. Raise 'size' or 'max_per_country'. (Solver: "
    )


@pytest.mark.parametrize("module", ["scipy.optimize", "scipy.sparse"])
def test_missing_scipy_names_the_points_extra(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(MissingDependencyError) as info:
        build_metacluster(_chain(3), _strength(THREE), size=2, weights=LQ_ONLY)
    assert str(info.value) == (
        f"{module!r} is required for this feature; install it with "
        'pip install "clusteratlas[points]"'
    )


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")],
)  # fmt: skip
def test_ordinal_suffixes(n: int, expected: str) -> None:
    assert _ordinal(n) == expected
