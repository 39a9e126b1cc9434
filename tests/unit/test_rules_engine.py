"""The rule-set engine on hand-made frames: populations, quantile groups, labels, overrides.

Written for the survivors of a mutation run (issue 16). Every expected value is worked out
in the comments from the frame written next to it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, RuleSetError
from clusteratlas.mapping.rules_apply import apply_ruleset, describe_ruleset, override_ruleset
from clusteratlas.mapping.rulesets import RuleSet, load_ruleset, validate_ruleset


def _ruleset(**fields: Any) -> RuleSet:
    data = {"name": "t", "version": "1", "title": "T", "description": "d",
            "status": "UNCONFIRMED", "provenance": [{"title": "me"}], **fields}  # fmt: skip
    return validate_ruleset(data, "t.toml")


def _c(measure: str, op: str, status: str = "CONFIRMED", **threshold: float) -> dict[str, Any]:
    return {"measure": measure, "op": op, "status": status, **threshold}


# One category, one year, four regions.
FRAME = pd.DataFrame(
    {"region": ["R1", "R2", "R3", "R4"], "category": "a", "year": 2020,
     "employment": [10.0, 20.0, 30.0, 40.0], "lq": [0.5, 2.0, 3.0, 4.0]}
)  # fmt: skip


def test_every_population_condition_narrows_the_quantile_population() -> None:
    # Population: employment > 10 (R2-R4) and lq < 4 (R1-R3) -> R2, R3 (lq 2 and 3).
    # Median lq over them: 2.5. Only R3 (lq 3) and R4 (lq 4) reach it.
    rs = _ruleset(
        population=[_c("employment", ">", value=10.0), _c("lq", "<", value=4.0)],
        flags=[{"name": "high", "conditions": [_c("lq", ">=", quantile=0.5)]}],
    )
    assert apply_ruleset(FRAME, rs)["high"].tolist() == [False, False, True, True]


def test_quantiles_follow_the_rows_whatever_the_index() -> None:
    # Category a (R1, R2): median lq 1.25 -> R2; category b (R3, R4): 3.5 -> R4. Pooled
    # together (as a misaligned group key would do) the median 2.5 would give R3 and R4.
    rs = _ruleset(flags=[{"name": "high", "conditions": [_c("lq", ">=", quantile=0.5)]}])
    frame = FRAME.assign(category=["a", "a", "b", "b"])
    for index in ([0, 1, 2, 3], [13, 12, 11, 10], [10, 11, 12, 13]):
        rated = apply_ruleset(frame.set_axis(index), rs)
        assert rated["high"].tolist() == [False, True, False, True]


def test_rows_with_a_missing_group_key_form_their_own_group() -> None:
    # Category missing for R3 and R4: their median lq is 3.5 (only R4 reaches it); category
    # a (R1, R2): median 1.25 (only R2). Dropping the missing key would rate R3, R4 False.
    frame = FRAME.assign(category=["a", "a", None, None])
    rs = _ruleset(flags=[{"name": "high", "conditions": [_c("lq", ">=", quantile=0.5)]}])
    assert apply_ruleset(frame, rs)["high"].tolist() == [False, True, False, True]


def test_an_empty_population_gives_no_threshold_without_groups() -> None:
    rs = _ruleset(
        group_by=[],
        population=[_c("employment", ">", value=1000.0)],
        flags=[{"name": "high", "conditions": [_c("lq", ">=", quantile=0.5)]}],
    )
    assert apply_ruleset(FRAME, rs)["high"].tolist() == [False] * 4


def test_absolute_rules_need_no_group_columns_and_no_population_label() -> None:
    # Absolute thresholds only: neither 'category' nor 'year' is needed, and an UNCONFIRMED
    # population decides nothing (it only matters to quantiles).
    rs = _ruleset(
        population=[_c("employment", ">", "UNCONFIRMED", value=0.0)],
        flags=[{"name": "special", "conditions": [_c("lq", ">", value=1.0)]}],
    )
    rated = apply_ruleset(FRAME.drop(columns=["category", "year"]), rs)
    assert rated["special"].tolist() == [False, True, True, True]
    assert rated["unconfirmed"].tolist() == ["", "", "", ""]


def test_unconfirmed_labels_when_the_population_is_unsure() -> None:
    # Population employment > 15 (UNCONFIRMED): R2-R4; a quantile exists, so every row gets
    # the population label. Flag 'big': lq > 1 (CONFIRMED, absolute) and employment >= p50
    # (UNCONFIRMED; over R2-R4 the median is 30). R1 fails the sure lq > 1, so the flag is
    # decided there and the unsure employment threshold is not listed; elsewhere it is.
    pop = "population.employment: employment > 15"
    unsure = "big.employment: employment >= p50"
    rs = _ruleset(
        population=[_c("employment", ">", "UNCONFIRMED", value=15.0)],
        flags=[{"name": "big", "conditions": [
            _c("lq", ">", value=1.0), _c("employment", ">=", "UNCONFIRMED", quantile=0.5)
        ]}],
    )  # fmt: skip
    rated = apply_ruleset(FRAME, rs)
    assert rated["big"].tolist() == [False, False, True, True]
    assert rated["unconfirmed"].tolist() == [pop] + [f"{pop}; {unsure}"] * 3


def test_flags_and_stars_are_both_computed() -> None:
    rs = _ruleset(
        flags=[{"name": "special", "conditions": [_c("lq", ">", value=1.0)]}],
        stars=[{"criteria": [
            {"name": "big", "conditions": [_c("employment", ">=", value=30.0)]},
            {"name": "focus", "conditions": [_c("lq", ">=", value=3.0)]},
        ]}],
    )  # fmt: skip
    rated = apply_ruleset(FRAME, rs)
    assert rated["special"].tolist() == [False, True, True, True]
    assert rated["stars"].tolist() == [0, 0, 2, 2]


def test_messages_name_the_type_and_list_columns_and_thresholds() -> None:
    with pytest.raises(TypeError) as info:
        apply_ruleset([1, 2], "uscmp")  # type: ignore[arg-type]
    assert str(info.value) == "frame must be a pandas DataFrame. Got list instead."
    rs = _ruleset(flags=[{"name": "x", "conditions": [_c("wages", ">", value=1.0)]}])
    with pytest.raises(RuleSetError) as info:
        apply_ruleset(FRAME[["region", "employment", "lq"]], rs)
    assert str(info.value) == (
        "t.toml: rule-set t@1 uses column 'wages' (x.wages measure), which the frame does "
        "not have; available columns: 'region', 'employment', 'lq'."
    )
    two = _ruleset(flags=[{"name": "x", "conditions": [_c("lq", ">", value=1.0),
                                                       _c("wages", ">", value=1.0)]}])  # fmt: skip
    with pytest.raises(ParameterError) as info:
        override_ruleset(two, {"x.wage": 2.0})
    assert str(info.value) == (
        "Unknown override 'x.wage' for rule-set t@1; its thresholds are "
        "'population.employment', 'x.lq', 'x.wages'. Did you mean 'x.wages'?"
    )
    with pytest.raises(ParameterError) as info:
        override_ruleset(two, {"x.lq": {"threshold": 2, "level": 1}})
    assert str(info.value) == (
        "Override 'x.lq' may set 'value', 'quantile' or 'op'; got 'level', 'threshold'."
    )


def test_a_mapping_override_switches_between_quantile_and_value() -> None:
    rs = _ruleset(flags=[{"name": "high", "conditions": [_c("lq", ">=", quantile=0.5)]}])
    absolute = override_ruleset(rs, {"high.lq": {"value": 3.0}})
    condition = absolute.thresholds()["high.lq"]
    assert (condition.value, condition.quantile, str(condition)) == (3.0, None, "lq >= 3")
    assert apply_ruleset(FRAME, absolute)["high"].tolist() == [False, False, True, True]
    back = override_ruleset(absolute, {"high.lq": {"quantile": 0.25}})
    assert str(back.thresholds()["high.lq"]) == "lq >= p25"


def test_an_overridden_rule_set_keeps_its_origin() -> None:
    changed = override_ruleset(load_ruleset("uscmp"), {"population.employment": 5.0})
    assert changed.origin == "rulesets/uscmp.toml"


def test_summary_joins_population_and_trims_empty_descriptions() -> None:
    rs = _ruleset(
        population=[_c("employment", ">", value=0.0), _c("lq", ">", value=0.5)],
        flags=[{"name": "bare", "conditions": [_c("lq", ">", value=1.0)]},
               {"name": "tier", "description": "Tier X", "conditions": [_c("lq", ">", value=2.0)]}],
        stars=[{"criteria": [{"name": "big", "conditions": [_c("employment", ">", value=1.0)]},
                             {"name": "top", "description": "Level X",
                              "conditions": [_c("employment", ">", value=2.0)]}]}],
    )  # fmt: skip
    lines = describe_ruleset(rs).splitlines()
    assert (
        "Quantiles: per (category, year) over rows with employment > 0 and lq > 0.5; "
        "linear interpolation."
    ) in lines
    assert "Flag 'bare' (all of)" in lines
    assert "Flag 'tier' (all of): Tier X" in lines
    assert "  star_big" in lines
    assert "  star_top: Level X" in lines


def test_nan_measures_compare_false_without_warnings() -> None:
    frame = FRAME.assign(lq=[np.nan, 2.0, np.nan, 4.0])
    rs = _ruleset(flags=[{"name": "high", "conditions": [_c("lq", ">=", quantile=0.5)]}])
    # Median over 2 and 4: 3 -> only R4.
    assert apply_ruleset(frame, rs)["high"].tolist() == [False, False, False, True]
